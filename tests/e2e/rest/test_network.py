"""Locations, charge points and drivers through a real server and database."""

from __future__ import annotations

from urllib.parse import quote

from tests.e2e.rest.network import LOCATION, fresh


async def test_locations_keep_every_digit_of_their_coordinates(api, network):
    created = await api.post("/locations", network.keys["member"], json=LOCATION | {
        "name": "Ünïcødé 🚗 Depot", "latitude": "-33.868820123", "longitude": 151.20929})
    assert created.status_code == 201, created.text
    got = await api.get(f"/locations/{created.json()['id']}", network.keys["viewer"])
    assert got.json() == created.json()
    assert got.json()["latitude"] == -33.868820123 and got.json()["longitude"] == 151.20929
    assert got.json()["name"] == "Ünïcødé 🚗 Depot"
    listed = (await api.get("/locations", network.tokens["viewer"], headers=network.headers)).json()["data"]
    assert [x["id"] for x in listed] == [network.location_id, created.json()["id"]]


async def test_charge_points_register_read_and_page_by_identity(api, network):
    prefix = f"E2E{network.org_id[-6:]}"
    identities = [f"{prefix}|b", f"{prefix}:a", f"{prefix}@c", f"{prefix}.d*+-_"]
    for identity in identities:
        created = await api.post("/charge-points", network.keys["member"], json={
            "id": identity, "location_id": network.location_id, "ocpp_password": "sixteen-chars-ok",
            "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}]},
                      {"evse_id": 2, "connectors": [{"connector_id": 1}, {"connector_id": 2}]}]})
        assert created.status_code == 201, created.text
        assert created.json()["ocpp_url"].endswith("/ocpp/" + quote(identity, safe=":@*+"))
    got = await api.get("/charge-points/" + quote(identities[0], safe=""), network.keys["viewer"])
    assert got.status_code == 200
    cp = got.json()
    assert cp["status"] == "Offline" and cp["ocpp_password_set"] is True and cp["registration_status"] == "Pending"
    assert [(c["evse_id"], c["connector_id"]) for c in cp["connectors"]] == [(1, 1), (2, 1), (2, 2)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await api.get("/charge-points", network.keys["viewer"], params=params)
        assert page.status_code == 200, page.text
        seen += [c["id"] for c in page.json()["data"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted([network.charge_point_id, *identities])
    other_location = await api.post("/locations", network.keys["member"], json=LOCATION)
    elsewhere = f"{prefix}-elsewhere"
    await api.post("/charge-points", network.keys["member"], json={"id": elsewhere,
                                                                   "location_id": other_location.json()["id"]})
    filtered = await api.get("/charge-points", network.keys["viewer"],
                             params={"location_id": other_location.json()["id"]})
    assert [c["id"] for c in filtered.json()["data"]] == [elsewhere]


async def test_an_identity_is_taken_once(api, network):
    again = await api.post("/charge-points", network.keys["admin"], json={"id": network.charge_point_id,
                                                                          "location_id": network.location_id})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


async def test_drivers_and_their_tags(api, network):
    tags = [fresh("E2E-TAG"), fresh("LONGEST").ljust(36, "~")]  # an OCPP 2.0.1 IdToken is at most 36 characters
    fleet = await api.post("/fleets", network.keys["member"], json={"name": "名前 Fleet"})
    created = await api.post("/drivers", network.keys["member"], json={
        "name": "名前 Driver", "email": "Ünï@Example.com", "fleet_id": fleet.json()["id"], "id_tags": tags})
    assert created.status_code == 201, created.text
    assert created.json()["id_tags"] == tags and created.json()["email"] == "ünï@example.com"
    got = await api.get(f"/drivers/{created.json()['id']}", network.keys["viewer"])
    assert got.json() == created.json()
    duplicate = await api.post("/drivers", network.keys["member"], json={"name": "Copy", "id_tags": [network.id_tag]})
    assert duplicate.status_code == 409
    listed = (await api.get("/drivers", network.keys["viewer"])).json()["data"]
    assert [d["id"] for d in listed] == [network.driver_id, created.json()["id"]]


async def test_commands_reach_the_charge_point_or_say_it_is_offline(api, network, charge_points):
    path = f"/charge-points/{network.cp}/commands/reset"
    answered = await api.post(path, network.keys["member"], json={"type": "hard"})
    assert answered.status_code == 200 and answered.json() == {"status": "Accepted", "data": None}
    charge_points.online.discard(network.charge_point_id)
    offline = await api.post(path, network.keys["member"], json={"type": "hard"})
    assert offline.status_code == 409 and offline.json()["code"] == "unavailable"
    unknown = await api.post(f"/charge-points/{network.cp}/commands/self-destruct", network.keys["member"], json={})
    assert unknown.status_code == 404


async def test_organization_context_over_http(api, network):
    missing = await api.get("/locations", network.tokens["admin"])
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "X-Organization-Id"
    _, _, stranger = await api.user("Stranger")
    mine = await api.organization(stranger)
    theirs = await api.get("/locations", stranger, headers=network.headers)
    assert theirs.status_code == 404
    empty = await api.get("/locations", stranger, headers={"X-Organization-Id": mine})
    assert empty.status_code == 200 and empty.json()["data"] == []
    key_elsewhere = await api.get("/locations", network.keys["admin"], headers={"X-Organization-Id": mine})
    assert key_elsewhere.status_code == 404
