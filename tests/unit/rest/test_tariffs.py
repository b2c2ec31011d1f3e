"""Tariffs over REST: versioned CRUD, assignment, quotes, and what sessions cost (in memory)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.e2e.rest.bad_inputs import VALID_TARIFF
from tests.e2e.rest.network import build_network

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SIMPLE = {"name": "Simple", "currency": "EUR",
          "elements": [{"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1},
                                             {"type": "FLAT", "price": "0.50", "vat": "20", "step_size": 1}]}]}


async def _tariff(api, network, body=SIMPLE) -> dict:
    created = await api.post("/tariffs", network.keys["admin"], json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def test_a_tariff_is_created_read_listed_and_versioned(api, network, clock):
    created = await _tariff(api, network, VALID_TARIFF)
    assert created["id"].startswith("trf_") and created["version"] == 1
    assert created["versions"] == [{"version": 1, "valid_from": clock.now().isoformat().replace("+00:00", "Z")}]
    assert {k: created[k] for k in ("name", "currency", "type", "tariff_alt_text", "elements")} == {
        k: VALID_TARIFF[k] for k in ("name", "currency", "type", "tariff_alt_text", "elements")}
    assert created["min_price"] == {"excl_vat": "1.00", "incl_vat": None}
    assert created["max_price"] == {"excl_vat": "50.00", "incl_vat": "60.00"}
    assert created["created_at"] == created["updated_at"] == clock.now().isoformat().replace("+00:00", "Z")
    fetched = await api.get(f"/tariffs/{created['id']}", network.keys["viewer"])
    assert fetched.status_code == 200 and fetched.json() == created

    clock.advance(hours=1)
    updated = await api.put(f"/tariffs/{created['id']}", network.keys["member"], json=SIMPLE)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["version"] == 2 and body["name"] == "Simple" and body["min_price"] is None
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["updated_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert body["created_at"] == created["created_at"]

    listed = await api.get("/tariffs", network.keys["viewer"])
    assert listed.status_code == 200
    assert [(t["id"], t["version"]) for t in listed.json()["data"]] == [(created["id"], 2)]
    assert "versions" not in listed.json()["data"][0]


async def test_a_viewer_cannot_create_or_update_a_tariff(api, network):
    assert (await api.post("/tariffs", network.keys["viewer"], json=SIMPLE)).status_code == 403
    tariff = await _tariff(api, network)
    assert (await api.put(f"/tariffs/{tariff['id']}", network.keys["viewer"], json=SIMPLE)).status_code == 403
    assert (await api.put(f"/charge-points/{network.cp}/tariff", network.keys["viewer"],
                          json={"tariff_id": tariff["id"]})).status_code == 403


async def test_another_organizations_tariff_is_404(api, network):
    tariff = await _tariff(api, network)
    other = await build_network(api, "Other")
    for method, path, body in [("GET", f"/tariffs/{tariff['id']}", None), ("PUT", f"/tariffs/{tariff['id']}", SIMPLE),
                               ("POST", f"/tariffs/{tariff['id']}/quote", {
                                   "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T10:00:00Z",
                                   "energy_kwh": "10"})]:
        response = await api.request(method, path, other.keys["admin"], json=body)
        assert response.status_code == 404, (path, response.text)
    assert (await api.get("/tariffs", other.keys["admin"])).json()["data"] == []
    assigned = await api.put(f"/charge-points/{other.cp}/tariff", other.keys["admin"], json={"tariff_id": tariff["id"]})
    assert assigned.status_code == 422 and assigned.json()["errors"][0]["field"] == "tariff_id"
    assert (await api.get("/tariffs/trf_nope", network.keys["admin"])).status_code == 404


def _with(path: list, value) -> dict:
    body = copy.deepcopy(SIMPLE)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(("body", "field"), [
    (_with(["elements", 0, "price_components", 1, "price"], "-0.50"), "elements[0].price_components[1].price"),
    (_with(["elements", 0, "price_components", 0, "type"], "KWH"), "elements[0].price_components[0].type"),
    (_with(["currency"], "EURO"), "currency"),
    (_with(["elements", 0, "price_components", 0, "price"], 0.3), "elements[0].price_components[0].price"),
    (_with(["elements", 0, "restrictions"], {"start_time": "25:00"}), "elements[0].restrictions.start_time"),
    (_with(["elements"], []), "elements"),
    (_with(["surprise"], 1), "surprise"),
    (_with(["name"], "nul\u0000"), "name"),
])
async def test_a_bad_tariff_is_422_naming_the_field(api, network, body, field):
    for method, path in [("POST", "/tariffs"), ("PUT", f"/tariffs/{(await _tariff(api, network))['id']}")]:
        response = await api.request(method, path, network.keys["admin"], json=body)
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("content", [b"[]", b'"tariff"', b"null", b"{", b""])
async def test_a_tariff_body_must_be_a_json_object(api, network, content):
    response = await api.post("/tariffs", network.keys["admin"], content=content,
                              headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422) and response.headers["content-type"] == "application/problem+json"


async def test_assignment_sets_and_clears(api, network):
    tariff = await _tariff(api, network)
    for path in (f"/charge-points/{network.cp}/tariff", f"/locations/{network.location_id}/tariff"):
        assigned = await api.put(path, network.keys["member"], json={"tariff_id": tariff["id"]})
        assert assigned.status_code == 200 and assigned.json() == {"tariff_id": tariff["id"]}
        cleared = await api.put(path, network.keys["member"], json={"tariff_id": None})
        assert cleared.status_code == 200 and cleared.json() == {"tariff_id": None}
        missing = await api.put(path, network.keys["member"], json={})
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "tariff_id"
    assert (await api.put("/charge-points/CP-NOBODY/tariff", network.keys["admin"],
                          json={"tariff_id": None})).status_code == 404
    assert (await api.put("/locations/loc_01JD0000000000000000000000/tariff", network.keys["admin"],
                          json={"tariff_id": None})).status_code == 404


def _adds_up(breakdown: dict) -> None:
    lines = breakdown["lines"]
    assert lines
    assert sum(Decimal(line["amount"]) for line in lines) == Decimal(breakdown["total_excl_vat"])
    assert sum(Decimal(line["vat"]) for line in lines) == Decimal(breakdown["vat"])
    assert Decimal(breakdown["total_excl_vat"]) + Decimal(breakdown["vat"]) == Decimal(breakdown["total"])


async def test_a_quote(api, network):
    tariff = await _tariff(api, network)
    quoted = await api.post(f"/tariffs/{tariff['id']}/quote", network.keys["viewer"], json={
        "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T11:00:00Z", "energy_kwh": "10", "max_power_kw": "11"})
    assert quoted.status_code == 200, quoted.text
    body = quoted.json()
    assert body["currency"] == "EUR" and body["estimate"] is False
    assert (body["total_excl_vat"], body["vat"], body["total"]) == ("3.50", "0.70", "4.20")
    assert {line["type"] for line in body["lines"]} == {"ENERGY", "FLAT"}
    _adds_up(body)
    metered = await api.post(f"/tariffs/{tariff['id']}/quote", network.keys["viewer"], json={
        "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T10:00:00Z", "location_timezone": "Europe/Berlin",
        "meter_values": [{"timestamp": "2026-01-15T09:00:00Z", "value_wh": "1000"},
                         {"timestamp": "2026-01-15T10:00:00Z", "value_wh": "11000"}]})
    assert metered.status_code == 200, metered.text
    assert metered.json()["total_excl_vat"] == "3.50"
    neither = await api.post(f"/tariffs/{tariff['id']}/quote", network.keys["viewer"], json={
        "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T10:00:00Z"})
    assert neither.status_code == 422 and neither.json()["errors"][0]["field"] == "energy_kwh"
    zone = await api.post(f"/tariffs/{tariff['id']}/quote", network.keys["viewer"], json={
        "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T10:00:00Z", "energy_kwh": "1",
        "location_timezone": "Mars/Olympus"})
    assert zone.status_code == 422 and zone.json()["errors"][0]["field"] == "location_timezone"
    missing = await api.post(f"/tariffs/{tariff['id']}/quote", network.keys["viewer"], json={
        "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T10:00:00Z",
        "meter_values": [{"timestamp": "2026-01-15T09:00:00Z", "value_wh": "1000"},
                         {"timestamp": "2026-01-15T10:00:00Z", "value_wh": None}]})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "meter_values[1].value_wh"


async def _priced_session(api, network, sessions, *, stop: bool = True) -> str:
    tariff = await _tariff(api, network)
    assigned = await api.put(f"/charge-points/{network.cp}/tariff", network.keys["admin"],
                             json={"tariff_id": tariff["id"]})
    assert assigned.status_code == 200
    session_id, tx = await sessions.start(network.charge_point_id, network.id_tag, meter_wh=1000, at=T0)
    await sessions.meter(network.charge_point_id, tx, T0 + timedelta(minutes=20), wh=5000, power_w=11000)
    if stop:
        await sessions.stop(network.charge_point_id, tx, meter_wh=13345, at=T0 + timedelta(minutes=40))
    return session_id


async def test_a_completed_session_shows_its_cost_and_breakdown(api, network, sessions):
    session_id = await _priced_session(api, network, sessions)
    session = (await api.get(f"/sessions/{session_id}", network.keys["viewer"])).json()
    assert session["tariff_id"].startswith("trf_") and session["tariff_version"] == 1 and session["plan_id"] is None
    # 12.345 kWh at 0.30 + 0.50 flat = 4.2035 → lines rounded: 3.70 + 0.50; VAT 20%.
    assert session["cost"] == {"currency": "EUR", "total_excl_vat": "4.20", "vat": "0.84", "total": "5.04"}
    listed = (await api.get("/sessions", network.keys["viewer"])).json()["data"]
    assert listed[0]["cost"] == session["cost"]
    breakdown = await api.get(f"/sessions/{session_id}/cost-breakdown", network.keys["viewer"])
    assert breakdown.status_code == 200, breakdown.text
    body = breakdown.json()
    assert body["estimate"] is False and body["currency"] == "EUR"
    assert (body["total_excl_vat"], body["vat"], body["total"]) == ("4.20", "0.84", "5.04")
    energy = next(line for line in body["lines"] if line["type"] == "ENERGY")
    assert (energy["quantity"], energy["unit"], energy["unit_price"]) == ("12.345", "kWh", "0.30")
    _adds_up(body)


async def test_a_running_session_has_an_estimate(api, network, sessions):
    session_id = await _priced_session(api, network, sessions, stop=False)
    session = (await api.get(f"/sessions/{session_id}", network.keys["viewer"])).json()
    assert session["cost"] is None and session["tariff_id"] is not None
    estimate = await api.get(f"/sessions/{session_id}/cost-breakdown", network.keys["viewer"])
    assert estimate.status_code == 200, estimate.text
    assert estimate.json()["estimate"] is True
    _adds_up(estimate.json())


async def test_an_unpriced_session_has_no_breakdown(api, network, sessions):
    session_id, tx = await sessions.start(network.charge_point_id, network.id_tag, at=T0)
    running = await api.get(f"/sessions/{session_id}/cost-breakdown", network.keys["viewer"])
    assert running.status_code == 404 and running.json()["code"] == "not_priced"
    await sessions.stop(network.charge_point_id, tx, meter_wh=2000, at=T0 + timedelta(minutes=5))
    session = (await api.get(f"/sessions/{session_id}", network.keys["viewer"])).json()
    assert session["cost"] is None and session["tariff_id"] is None
    done = await api.get(f"/sessions/{session_id}/cost-breakdown", network.keys["viewer"])
    assert done.status_code == 404 and done.json()["code"] == "not_priced"
    other = await build_network(api, "Other")
    assert (await api.get(f"/sessions/{session_id}/cost-breakdown", other.keys["admin"])).json()["code"] == "not_found"
