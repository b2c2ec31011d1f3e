"""Another organization's ids answer 404 on every org-scoped endpoint — never 403, never its data."""

from __future__ import annotations

from tests.e2e.rest.world import build_world


async def test_a_stranger_gets_404_everywhere(api):
    theirs = await build_world(api, "Theirs")
    _, _, stranger = await api.user("Stranger")
    mine = await api.organization(stranger, "Mine")
    mine_key = (await api.post(f"/organizations/{mine}/api-keys", stranger, json={"name": "k", "role": "admin"}))
    for token in (stranger, mine_key.json()["key"]):
        for method, path, body in theirs.paths():
            response = await api.request(method, path, token, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["code"] == "not_found" and "Theirs" not in response.text


async def test_their_member_invitation_and_key_ids_are_unknown_in_my_organization(api):
    theirs = await build_world(api, "Theirs")
    _, _, me = await api.user("Me")
    mine = await api.organization(me, "Mine")
    org = f"/organizations/{mine}"
    calls = [
        ("PUT", f"{org}/members/{theirs.spare_user_id}/role", {"role": "viewer"}),
        ("DELETE", f"{org}/members/{theirs.spare_user_id}", None),
        ("DELETE", f"{org}/invitations/{theirs.invitation_id}", None),
        ("DELETE", f"{org}/api-keys/{theirs.key_id}", None),
    ]
    for method, path, body in calls:
        response = await api.request(method, path, me, json=body)
        assert response.status_code == 404, (method, path, response.text)
    # ...and nothing of theirs changed.
    keys = (await api.get(f"/organizations/{theirs.org_id}/api-keys", theirs.tokens["admin"])).json()["data"]
    assert all(k["revoked_at"] is None for k in keys)
    invitations = (await api.get(f"/organizations/{theirs.org_id}/invitations", theirs.tokens["admin"])).json()
    assert {i["status"] for i in invitations["data"]} <= {"pending", "accepted"}
