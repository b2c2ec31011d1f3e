"""Locations and drivers: created by members, read by everyone in the organization."""

from __future__ import annotations

import pytest

from tests.e2e.rest.network import LOCATION


async def test_a_location_round_trips_with_coordinates_as_numbers(api, network):
    created = await api.post("/locations", network.keys["member"], json=LOCATION | {
        "latitude": "-33.8688", "longitude": 151.2093, "site_owner_id": "so_01JD0000000000000000000000",
        "project_id": "prj_01JD0000000000000000000000"})
    assert created.status_code == 201, created.text
    location = created.json()
    assert location["latitude"] == -33.8688 and location["longitude"] == 151.2093
    assert location["site_owner_id"] == "so_01JD0000000000000000000000"
    assert {k: location[k] for k in ("name", "address", "city", "country", "timezone")} == {
        k: LOCATION[k] for k in ("name", "address", "city", "country", "timezone")}
    got = await api.get(f"/locations/{location['id']}", network.keys["viewer"])
    assert got.json() == location
    listed = (await api.get("/locations", network.keys["viewer"])).json()["data"]
    assert [x["id"] for x in listed] == [network.location_id, location["id"]]


async def test_coordinates_are_optional_but_come_in_pairs(api, network):
    bare = {k: v for k, v in LOCATION.items() if k not in ("latitude", "longitude")}
    created = await api.post("/locations", network.keys["member"], json=bare)
    assert created.status_code == 201 and created.json()["latitude"] is None and created.json()["longitude"] is None
    half = await api.post("/locations", network.keys["member"], json=bare | {"latitude": 10})
    assert half.status_code == 422 and [e["field"] for e in half.json()["errors"]] == ["longitude"]


@pytest.mark.parametrize(("value", "ok"), [(0, True), ("0", True), (-90, True), ("90.000000", True), (1.5e-7, True),
                                           ("+45.5", False), ("45.", False), (".5", False), ("1e2", False),
                                           (True, False), ("NaN", False), ("Infinity", False)])
async def test_latitude_forms(api, network, value, ok):
    response = await api.post("/locations", network.keys["member"], json=LOCATION | {"latitude": value})
    assert (response.status_code == 201) is ok, response.text
    if not ok:
        assert [e["field"] for e in response.json()["errors"]] == ["latitude"]


async def test_a_huge_or_infinite_number_is_refused_not_crashed(api, network):
    for raw in (b"1e999", b"-1e999", b"1" + b"0" * 400):
        body = (b'{"name":"N","address":"A","city":"C","country":"GB","timezone":"UTC","longitude":0,"latitude":'
                + raw + b"}")
        response = await api.post("/locations", network.keys["member"], content=body,
                                  headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "latitude"


async def test_malformed_and_foreign_location_ids_are_404(api, network):
    for location_id in ("nope", "drv_01JD0000000000000000000000", "loc_01JD0000000000000000000000"):
        response = await api.get(f"/locations/{location_id}", network.keys["admin"])
        assert response.status_code == 404 and response.json()["code"] == "not_found"


async def test_locations_page(api, network):
    for i in range(4):
        await api.post("/locations", network.keys["member"], json=LOCATION | {"name": f"Site {i}"})
    first = (await api.get("/locations", network.keys["viewer"], params={"limit": 3})).json()
    second = (await api.get("/locations", network.keys["viewer"], params={"limit": 3,
                                                                           "cursor": first["next_cursor"]})).json()
    assert len(first["data"]) == 3 and first["has_more"] and len(second["data"]) == 2 and not second["has_more"]
    assert [x["name"] for x in first["data"] + second["data"]] == [LOCATION["name"], *[f"Site {i}" for i in range(4)]]


async def test_a_driver_round_trips(api, network):
    fleet = (await api.post("/fleets", network.keys["member"], json={"name": "Acme"})).json()["id"]
    created = await api.post("/drivers", network.keys["member"], json={
        "name": "Ada", "email": "Ada@Example.com", "fleet_id": fleet, "id_tags": ["04A2B3C4", "app:ada"]})
    assert created.status_code == 201, created.text
    driver = created.json()
    assert driver | {"id": None, "created_at": None} == {
        "id": None, "name": "Ada", "email": "ada@example.com", "fleet_id": fleet,
        "id_tags": ["04A2B3C4", "app:ada"], "active": True, "created_at": None,
        "customer_id": None, "policy": None, "vehicle_id": None}
    assert driver["id"].startswith("drv_")
    assert (await api.get(f"/drivers/{driver['id']}", network.keys["viewer"])).json() == driver
    listed = (await api.get("/drivers", network.keys["viewer"])).json()["data"]
    assert [d["id"] for d in listed] == [network.driver_id, driver["id"]]


async def test_email_and_tags_are_optional(api, network):
    created = await api.post("/drivers", network.keys["member"], json={"name": "Portal only"})
    assert created.status_code == 201
    assert created.json()["email"] is None and created.json()["id_tags"] == []


async def test_a_tag_belongs_to_one_driver_per_organization(api, network):
    taken = await api.post("/drivers", network.keys["member"], json={"name": "Copy", "id_tags": [network.id_tag]})
    assert taken.status_code == 409 and taken.json()["code"] == "conflict"
    other = await api.post("/organizations", network.tokens["admin"],
                           json={"name": "Other", "country": "DE", "contact_email": "o@example.com"})
    elsewhere = await api.post("/drivers", network.tokens["admin"], headers={"X-Organization-Id": other.json()["id"]},
                               json={"name": "Same tag", "id_tags": [network.id_tag]})
    assert elsewhere.status_code == 201


async def test_malformed_and_foreign_driver_ids_are_404(api, network):
    for driver_id in ("nope", "loc_01JD0000000000000000000000", "drv_01JD0000000000000000000000"):
        assert (await api.get(f"/drivers/{driver_id}", network.keys["admin"])).status_code == 404


async def test_creating_is_idempotent(api, network):
    headers = {"Idempotency-Key": "driver-1"}
    body = {"name": "Once", "id_tags": ["ONCE-1"]}
    first = await api.post("/drivers", network.keys["member"], json=body, headers=headers)
    again = await api.post("/drivers", network.keys["member"], json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
