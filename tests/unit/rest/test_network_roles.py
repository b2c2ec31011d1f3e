"""The role matrix on the operator endpoints, and tenancy: a viewer reads, a member operates; another
organization's network answers 404 wherever it is named, and bodies naming it are refused."""

from __future__ import annotations

import pytest

from tests.e2e.rest.network import LOCATION, build_network, reservation, soon


@pytest.mark.parametrize("credential", ["user", "api_key"])
async def test_viewers_read_and_cannot_operate(api, network, credential, sessions):
    token = network.tokens["viewer"] if credential == "user" else network.keys["viewer"]
    session_id, _ = await sessions.start(network.charge_point_id, network.id_tag)
    headers = network.headers if credential == "user" else {}
    for method, path in network.reads(session_id):
        response = await api.request(method, path, token, headers=headers)
        assert response.status_code == 200, (method, path, response.text)
    for method, path, body in network.operations(await reservation(api, network)):
        response = await api.request(method, path, token, headers=headers, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("role", ["member", "admin"])
@pytest.mark.parametrize("credential", ["user", "api_key"])
async def test_members_and_admins_operate(api, network, credential, role):
    token = network.tokens[role] if credential == "user" else network.keys[role]
    headers = network.headers if credential == "user" else {}
    for method, path, body in network.operations(await reservation(api, network)):
        response = await api.request(method, path, token, headers=headers, json=body)
        assert response.status_code < 300, (method, path, response.text)


async def test_a_stranger_gets_404_for_every_part_of_another_network(api, network, sessions, charge_points):
    session_id, _ = await sessions.start(network.charge_point_id, network.id_tag)
    theirs_reservation = await reservation(api, network)
    mine = await build_network(api, "Mine")
    charge_points.online.add(mine.charge_point_id)
    # Their organization named in the header, by a user of mine and by my API key.
    for token, headers in ((mine.tokens["admin"], network.headers), (mine.keys["admin"], network.headers)):
        for method, path in network.reads(session_id):
            response = await api.request(method, path, token, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
        for method, path, body in network.operations(theirs_reservation):
            response = await api.request(method, path, token, headers=headers, json=body)
            assert response.status_code == 404, (method, path, response.text)
    # My organization, their ids.
    token, headers = mine.tokens["admin"], mine.headers
    for method, path in network.reads(session_id):
        if path.count("/") < 2:
            continue  # lists: mine, not theirs (checked below)
        response = await api.request(method, path, token, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "not_found"
    for path in (f"/charge-points/{network.cp}/commands/reset", f"/charge-points/{network.cp}/commands/clear-cache"):
        response = await api.post(path, token, headers=headers, json={"type": "soft"} if "reset" in path else {})
        assert response.status_code == 404
    cancel = await api.delete(f"/reservations/{theirs_reservation}", token, headers=headers)
    assert cancel.status_code == 404
    # Bodies naming their objects are refused by the field.
    refused = [
        ("/charge-points", {"id": "CP-MINE-X", "location_id": network.location_id}, "location_id"),
        ("/reservations", {"charge_point_id": network.charge_point_id, "connector_id": 1, "expires_at": soon(),
                           "id_tag": "X"}, "charge_point_id"),
        (f"/charge-points/{mine.cp}/commands/remote-stop", {"session_id": session_id}, "session_id"),
    ]
    for path, body, field in refused:
        response = await api.post(path, token, headers=headers, json=body)
        assert response.status_code == 422, (path, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    # My lists hold only mine; their reservation is still active and nothing was sent to their charge point.
    for path, key in (("/locations", "id"), ("/charge-points", "id"), ("/drivers", "id")):
        listed = (await api.get(path, token, headers=headers)).json()["data"]
        assert all(network.location_id != x[key] and network.charge_point_id != x[key]
                   and network.driver_id != x[key] for x in listed), path
    assert (await api.get("/sessions", token, headers=headers)).json()["data"] == []
    theirs = (await api.get("/reservations", network.tokens["admin"], headers=network.headers)).json()["data"]
    assert [r["status"] for r in theirs] == ["active"]
    assert [cp for cp, _ in charge_points.sent].count(network.charge_point_id) == 1  # only their own ReserveNow


async def test_a_second_location_for_the_same_body_is_a_new_location(api, network):
    first = await api.post("/locations", network.keys["member"], json=LOCATION)
    second = await api.post("/locations", network.keys["member"], json=LOCATION)
    assert first.status_code == second.status_code == 201 and first.json()["id"] != second.json()["id"]
