"""Fleets over HTTP on the real server (SQLite and PostgreSQL): what one organization makes, another never sees
(404, never its data), roles, and bad input answered 422 naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.e2e.rest.network import Network, build_network, fresh

VIN = "1HGCM82633A004352"
DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def elsewhen() -> dict[str, object]:
    """A window three days from now on the location's clock (London): never the moment a test runs."""
    day = (datetime.now(UTC).astimezone(ZoneInfo("Europe/London")) + timedelta(days=3)).weekday()
    return {"days": [DAYS[day]], "start": "10:00", "end": "11:00"}


async def _fleet_world(api, network: Network) -> dict[str, str]:
    """A fleet with a policy, a vehicle, a driver of the fleet driving it, and a logged decision."""
    key = network.keys["member"]
    fleet = await api.post("/fleets", key, json={"name": "Acme", "policy": {
        "allowed_location_ids": [network.location_id], "max_kwh_per_session": 30, "time_windows": [elsewhen()]}})
    assert fleet.status_code == 201, fleet.text
    vehicle = await api.post("/vehicles", key, json={"fleet_id": fleet.json()["id"], "vin": VIN, "make": "Honda",
                                                     "model": "e", "battery_kwh": "35.5"})
    assert vehicle.status_code == 201, vehicle.text
    tag = fresh("FLEET")
    driver = await api.post("/drivers", key, json={"name": "Dana", "fleet_id": fleet.json()["id"], "id_tags": [tag]})
    assert driver.status_code == 201, driver.text
    assigned = await api.post(f"/drivers/{driver.json()['id']}/vehicles", key,
                              json={"vehicle_id": vehicle.json()["id"]})
    assert assigned.status_code == 201, assigned.text
    # A remote start now is outside the fleet's window: refused and logged, never sent.
    refused = await api.post(f"/charge-points/{network.cp}/commands/remote-start", key, json={"id_tag": tag})
    assert refused.status_code == 409 and refused.json()["code"] == "authorization_refused", refused.text
    return {"fleet": fleet.json()["id"], "vehicle": vehicle.json()["id"], "driver": driver.json()["id"], "tag": tag}


async def test_fleets_vehicles_and_the_log_round_trip(api, network):
    made = await _fleet_world(api, network)
    viewer = network.keys["viewer"]
    fleet = (await api.get(f"/fleets/{made['fleet']}", viewer)).json()
    assert fleet["policy"] == {"allowed_location_ids": [network.location_id], "max_kwh_per_session": "30",
                               "time_windows": [elsewhen()]}
    assert fleet["customer_id"] is None
    vehicle = (await api.get(f"/vehicles/{made['vehicle']}", viewer)).json()
    assert (vehicle["vin"], vehicle["battery_kwh"], vehicle["fleet_id"]) == (VIN, "35.5", made["fleet"])
    driver = (await api.get(f"/drivers/{made['driver']}", viewer)).json()
    assert (driver["fleet_id"], driver["vehicle_id"]) == (made["fleet"], made["vehicle"])
    history = (await api.get(f"/drivers/{made['driver']}/vehicles", viewer)).json()["data"]
    assert [(a["vehicle_id"], a["ended_at"]) for a in history] == [(made["vehicle"], None)]
    [entry] = (await api.get("/authorizations", viewer, params={"fleet_id": made["fleet"]})).json()["data"]
    assert (entry["result"], entry["trigger"], entry["driver_id"], entry["id_tag"]) == (
        "refused", "RemoteStart", made["driver"], made["tag"])
    assert entry["reason"] == "outside_time_windows" and entry["status"] == "NotAtThisTime"
    assert (await api.get("/authorizations", viewer, params={"result": "accepted", "fleet_id": made["fleet"]})
            ).json()["data"] == []
    assert [f["id"] for f in (await api.get("/fleets", viewer)).json()["data"]] == [made["fleet"]]
    listed = (await api.get("/vehicles", viewer, params={"fleet_id": made["fleet"]})).json()["data"]
    assert [v["id"] for v in listed] == [made["vehicle"]]
    assert [d["id"] for d in (await api.get("/drivers", viewer, params={"fleet_id": made["fleet"]})).json()["data"]] \
        == [made["driver"]]

    member = network.keys["member"]
    assert (await api.request("DELETE", f"/fleets/{made['fleet']}", member)).status_code == 409
    assert (await api.request("DELETE", f"/vehicles/{made['vehicle']}", member)).status_code == 409
    assert (await api.request("DELETE", f"/drivers/{made['driver']}/vehicles/current", member)).status_code == 204
    assert (await api.request("DELETE", f"/vehicles/{made['vehicle']}", member)).status_code == 204
    moved = await api.request("PUT", f"/drivers/{made['driver']}", member,
                              json={"name": "Dana", "id_tags": [made["tag"]], "active": False})
    assert moved.status_code == 200 and moved.json()["fleet_id"] is None and moved.json()["active"] is False
    assert (await api.request("DELETE", f"/fleets/{made['fleet']}", member)).status_code == 204
    assert (await api.get(f"/fleets/{made['fleet']}", viewer)).status_code == 404


async def test_another_organization_never_sees_a_fleet_or_anything_of_it(api, network):
    made = await _fleet_world(api, network)
    stranger = await build_network(api, "Stranger")
    for token in (stranger.keys["admin"], stranger.tokens["admin"]):
        headers = {"X-Organization-Id": stranger.org_id} if token.startswith("cat_") else {}
        calls = [
            ("GET", f"/fleets/{made['fleet']}", None),
            ("PUT", f"/fleets/{made['fleet']}", {"name": "Mine now"}),
            ("DELETE", f"/fleets/{made['fleet']}", None),
            ("GET", f"/vehicles/{made['vehicle']}", None),
            ("PUT", f"/vehicles/{made['vehicle']}", {"fleet_id": made["fleet"], "vin": VIN, "make": "H", "model": "e",
                                                     "battery_kwh": 1}),
            ("DELETE", f"/vehicles/{made['vehicle']}", None),
            ("GET", f"/drivers/{made['driver']}", None),
            ("PUT", f"/drivers/{made['driver']}", {"name": "Mine now"}),
            ("POST", f"/drivers/{made['driver']}/vehicles", {"vehicle_id": made["vehicle"]}),
            ("GET", f"/drivers/{made['driver']}/vehicles", None),
            ("DELETE", f"/drivers/{made['driver']}/vehicles/current", None),
            ("POST", f"/vehicles/{made['vehicle']}/odometer-readings", {"odometer_km": 1}),
            ("GET", f"/vehicles/{made['vehicle']}/odometer-readings", None),
        ]
        for method, path, body in calls:
            response = await api.request(method, path, token, json=body, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
            assert "Acme" not in response.text and VIN not in response.text and "Dana" not in response.text
        for path, params in (("/fleets", {}), ("/vehicles", {"fleet_id": made["fleet"]}),
                             ("/drivers", {"fleet_id": made["fleet"]}), ("/authorizations", {}),
                             ("/authorizations", {"fleet_id": made["fleet"]}),
                             ("/sessions", {"fleet_id": made["fleet"]})):
            listed = await api.get(path, token, params=params, headers=headers)
            assert listed.status_code == 200 and listed.json()["data"] == [], (path, listed.text)
        # Their vehicle, location and fleet cannot be used in mine either: 422, naming the field.
        mine = await api.post("/fleets", token, headers=headers, json={"name": "Mine", "policy": {
            "allowed_location_ids": [network.location_id]}})
        assert mine.status_code == 422 and mine.json()["errors"][0]["field"] == "policy.allowed_location_ids[0]"
        driver = await api.post("/drivers", token, headers=headers, json={"name": "X", "fleet_id": made["fleet"]})
        assert driver.status_code == 422 and driver.json()["errors"][0]["field"] == "fleet_id"
        vehicle = await api.post("/vehicles", token, headers=headers, json={
            "fleet_id": made["fleet"], "vin": "WVWZZZ1JZXW000001", "make": "VW", "model": "ID.3", "battery_kwh": 58})
        assert vehicle.status_code == 422 and vehicle.json()["errors"][0]["field"] == "fleet_id"
    # Nothing of theirs changed; the same VIN is free in another organization.
    assert (await api.get(f"/fleets/{made['fleet']}", network.keys["viewer"])).json()["name"] == "Acme"
    own_fleet = await api.post("/fleets", stranger.keys["admin"], json={"name": "Own"})
    same_vin = await api.post("/vehicles", stranger.keys["admin"], json={
        "fleet_id": own_fleet.json()["id"], "vin": VIN, "make": "Honda", "model": "e", "battery_kwh": 35})
    assert same_vin.status_code == 201, same_vin.text


async def test_roles_viewers_read_members_operate(api, network):
    viewer, member = network.keys["viewer"], network.keys["member"]
    assert (await api.post("/fleets", viewer, json={"name": "Nope"})).status_code == 403
    fleet = await api.post("/fleets", member, json={"name": "Yes"})
    assert fleet.status_code == 201
    assert (await api.request("PUT", f"/fleets/{fleet.json()['id']}", viewer, json={"name": "Nope"})).status_code \
        == 403
    assert (await api.post("/vehicles", viewer, json={"fleet_id": fleet.json()["id"], "vin": VIN, "make": "H",
                                                      "model": "e", "battery_kwh": 1})).status_code == 403
    assert (await api.get("/authorizations", viewer)).status_code == 200


async def test_bad_input_is_422_naming_the_field(api, network):
    member = network.keys["member"]
    fleet = (await api.post("/fleets", member, json={"name": "Acme"})).json()["id"]
    cases = [
        ("/vehicles", {"fleet_id": fleet, "vin": "1HGCM82634A004352", "make": "H", "model": "e", "battery_kwh": 35},
         "vin", "check digit"),
        ("/vehicles", {"fleet_id": fleet, "vin": "WVWZZZ1JZXW0000O1", "make": "VW", "model": "e", "battery_kwh": 35},
         "vin", "other than I, O and Q"),
        ("/vehicles", {"fleet_id": fleet, "vin": VIN, "make": "H", "model": "e", "battery_kwh": 0}, "battery_kwh",
         "above 0"),
        ("/fleets", {"name": "A", "policy": {"allowed_location_ids": ["loc_01JD0000000000000000000000"]}},
         "policy.allowed_location_ids[0]", "no location"),
        ("/fleets", {"name": "A", "policy": {"time_windows": [
            {"days": ["MONDAY"], "start": "08:00", "end": "18:00"},
            {"days": ["MONDAY", "TUESDAY"], "start": "17:00", "end": "19:00"}]}}, "policy.time_windows[1]",
         "overlaps time_windows[0]"),
        ("/fleets", {"name": "A", "policy": {"time_windows": [{"days": ["MONDAY"], "start": "08:00", "end": "08:00"}]}},
         "policy.time_windows[0].end", "must differ from start"),
        ("/fleets", {"name": "A", "policy": {"time_windows": [{"days": ["MONDAY"], "start": "8am", "end": "09:00"}]}},
         "policy.time_windows[0].start", "HH:MM"),
        ("/fleets", {"name": "A", "policy": {"max_kwh_per_session": 0}}, "policy.max_kwh_per_session", "above 0"),
        ("/fleets", {"name": "A", "policy": {"max_spend_per_month": {"amount": "100", "currency": "EUR"}}},
         "policy.max_spend_per_month.currency", "GBP"),
        ("/fleets", {"name": "A", "policy": {"allowed_connector_types": ["TYPE2"]}},
         "policy.allowed_connector_types[0]", "OCPI connector type"),
        ("/drivers", {"name": "D", "policy": {"time_windows": []}}, "policy.time_windows", "at least 1"),
        (f"/drivers/{network.driver_id}/vehicles", {"vehicle_id": "veh_01JD0000000000000000000000"}, "vehicle_id",
         "no such vehicle"),
    ]
    for path, body, field, message in cases:
        response = await api.post(path, member, json=body)
        assert response.status_code == 422, (path, body, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert any(e["field"] == field and message in e["message"] for e in problem["errors"]), (field, problem)
    assert (await api.get("/vehicles", member, params={"fleet_id": fleet})).json()["data"] == []
    duplicate = {"fleet_id": fleet, "vin": VIN, "make": "H", "model": "e", "battery_kwh": 35}
    assert (await api.post("/vehicles", member, json=duplicate)).status_code == 201
    assert (await api.post("/vehicles", member, json=duplicate | {"vin": VIN.lower()})).status_code == 409


async def test_odometer_readings_newest_first_never_backwards_viewers_read_members_record(api, network):
    made = await _fleet_world(api, network)
    viewer, member = network.keys["viewer"], network.keys["member"]
    path = f"/vehicles/{made['vehicle']}/odometer-readings"
    assert (await api.post(path, viewer, json={"odometer_km": 10})).status_code == 403
    now = datetime.now(UTC)
    for km, hours_ago in ((100, 50), ("250.125", 10), ("120", 40), ("120", 30)):
        posted = await api.post(path, member, json={"odometer_km": km,
                                                    "read_at": (now - timedelta(hours=hours_ago)).isoformat()})
        assert posted.status_code == 201, posted.text
    latest = await api.post(path, member, json={"odometer_km": 300})           # read now
    assert latest.status_code == 201 and latest.json()["odometer_km"] == "300.000", latest.text
    pages, cursor = [], None
    while True:
        page = await api.get(path, viewer, params={"limit": 2} | ({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        pages.append([r["odometer_km"] for r in page.json()["data"]])
        cursor = page.json().get("next_cursor")
        if not cursor:
            break
    assert pages == [["300.000", "250.125"], ["120.000", "120.000"], ["100.000"]]
    for body, field in (({"odometer_km": "99.999", "read_at": (now - timedelta(hours=45)).isoformat()}, "odometer_km"),
                        ({"odometer_km": "121", "read_at": (now - timedelta(hours=35)).isoformat()}, "odometer_km"),
                        ({"odometer_km": 400, "read_at": (now + timedelta(hours=1)).isoformat()}, "read_at"),
                        ({"odometer_km": 400, "read_at": "2026-06-01T12:00:00"}, "read_at"),
                        ({"odometer_km": "1e3"}, "odometer_km"), ({"odometer_km": -1}, "odometer_km"),
                        ({"odometer_km": "0.0001"}, "odometer_km"), ({}, "odometer_km")):
        refused = await api.post(path, member, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field, (body, refused.text)
    missing = await api.get("/vehicles/veh_01JD0000000000000000000000/odometer-readings", viewer)
    assert missing.status_code == 404
