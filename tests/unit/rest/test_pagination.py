"""Lists page with ``limit`` and an opaque ``cursor``; bad values are 422 naming the parameter."""

from __future__ import annotations

import pytest

from entrypoints.rest.inputs import decode_cursor, encode_cursor


def test_cursors_round_trip_and_are_opaque():
    cursor = encode_cursor("org_01JD0000000000000000000000")
    assert "org_" not in cursor and "=" not in cursor
    assert decode_cursor(cursor) == "org_01JD0000000000000000000000"


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"),
    ("limit=1.5", "limit"), ("limit=%D9%A3", "limit"), ("limit=", "limit"),
    ("cursor=%%%", "cursor"), ("cursor=bm90LWFuLWlk", "cursor"), ("cursor=" + "A" * 300, "cursor"),
    ("cursor=%F0%9F%98%80", "cursor"),
])
async def test_bad_paging_parameters_are_422(api, query, field):
    _, _, token = await api.user()
    response = await api.get(f"/organizations?{query}", token)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_pages_follow_the_cursor_to_the_end(api):
    _, _, token = await api.user()
    created = [await api.organization(token, f"Org {i}") for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/organizations", token, params=params)).json()
        pages += 1
        seen += [o["id"] for o in page["data"]]
        assert page["has_more"] is (page["next_cursor"] is not None)
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == sorted(created) and pages == 3
    default = (await api.get("/organizations", token)).json()
    assert len(default["data"]) == 5 and default["next_cursor"] is None
