"""The role matrix and tenancy on the operator endpoints, over HTTP against a real database."""

from __future__ import annotations

import pytest

from tests.e2e.rest.network import build_network, reservation


@pytest.mark.parametrize("role", ["viewer", "member"])
async def test_viewers_read_and_members_operate(api, network, sessions, role):
    session_id, _ = await sessions.start(network.charge_point_id, network.id_tag)
    token = network.tokens[role]
    for method, path in network.reads(session_id):
        response = await api.request(method, path, token, headers=network.headers)
        assert response.status_code == 200, (method, path, response.text)
    for method, path, body in network.operations(await reservation(api, network)):
        response = await api.request(method, path, token, headers=network.headers, json=body)
        expected = 403 if role == "viewer" else None
        assert (response.status_code == 403) if expected else (response.status_code < 300), (method, path,
                                                                                               response.text)


async def test_a_stranger_gets_404(api, network, sessions, charge_points):
    session_id, _ = await sessions.start(network.charge_point_id, network.id_tag)
    theirs = await reservation(api, network)
    mine = await build_network(api, "Mine")
    for method, path in network.reads(session_id):
        response = await api.request(method, path, mine.keys["admin"], headers=network.headers)
        assert response.status_code == 404, (method, path, response.text)
    for method, path, body in network.operations(theirs):
        response = await api.request(method, path, mine.tokens["admin"], headers=network.headers, json=body)
        assert response.status_code == 404, (method, path, response.text)
    for path in (f"/locations/{network.location_id}", f"/charge-points/{network.cp}", f"/drivers/{network.driver_id}",
                 f"/sessions/{session_id}"):
        assert (await api.get(path, mine.keys["admin"])).status_code == 404, path
