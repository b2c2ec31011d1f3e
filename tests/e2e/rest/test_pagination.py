"""Cursor pagination across pages on every list, against a real database."""

from __future__ import annotations


async def _walk(api, path: str, token: str, limit: int) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await api.get(path, token, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        assert len(page["data"]) <= limit
        items += page["data"]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return items, pages
        cursor = page["next_cursor"]


async def test_every_list_pages_through_all_items_once(api):
    _, _, token = await api.user()
    orgs = [await api.organization(token, f"Org {i}") for i in range(5)]
    org_id = orgs[0]
    for i in range(4):
        await api.post(f"/organizations/{org_id}/api-keys", token, json={"name": f"key {i}", "role": "viewer"})
        await api.post(f"/organizations/{org_id}/invitations", token,
                       json={"email": f"page.{i}.{org_id.lower()}@example.com", "role": "viewer"})
    for i in range(2):
        await api.member(token, org_id, "viewer", f"Pager {i}")

    listed, pages = await _walk(api, "/organizations", token, 2)
    assert [o["id"] for o in listed] == sorted(orgs) and pages == 3
    keys, pages = await _walk(api, f"/organizations/{org_id}/api-keys", token, 3)
    assert len({k["id"] for k in keys}) == 4 and pages == 2
    invitations, _ = await _walk(api, f"/organizations/{org_id}/invitations", token, 1)
    assert len({i["id"] for i in invitations}) == 6
    members, pages = await _walk(api, f"/organizations/{org_id}/members", token, 2)
    assert len({m["user_id"] for m in members}) == 3 and pages == 2


async def test_a_cursor_from_elsewhere_is_422(api):
    _, _, token = await api.user()
    response = await api.get("/organizations", token, params={"cursor": "definitely-not"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"
