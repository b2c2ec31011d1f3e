"""The role matrix over HTTP: a viewer only reads; a member cannot manage members, keys, settings; an admin can."""

from __future__ import annotations

import pytest

from tests.e2e.rest.world import build_world

READS = {("GET", "/organizations/{org}"), ("GET", "/organizations/{org}/members"),
         ("GET", "/organizations/{org}/settings")}


def _shape(world, path: str) -> str:
    return path.replace(world.org_id, "{org}")


@pytest.mark.parametrize("credential", ["user", "api_key"])
async def test_viewers_and_members_read_but_do_not_manage(api, credential):
    world = await build_world(api)
    for role in ("viewer", "member"):
        token = world.tokens[role] if credential == "user" else world.keys[role]
        for method, path, body in world.paths():
            response = await api.request(method, path, token, json=body)
            if (method, _shape(world, path)) in READS:
                assert response.status_code == 200, (role, method, path, response.text)
            else:
                assert response.status_code == 403, (role, method, path, response.text)
                assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("credential", ["user", "api_key"])
async def test_admins_do_everything(api, credential):
    world = await build_world(api)
    token = world.tokens["admin"] if credential == "user" else world.keys["admin"]
    for method, path, body in world.paths():
        response = await api.request(method, path, token, json=body)
        assert response.status_code < 300, (method, path, response.text)
