"""Reports through a real server and database (SQLite, PostgreSQL): a viewer key reads each report as JSON, CSV
and SVG (fleet costs of a fleet's driver and vehicle too); the Berlin session started at 08:30 local time is in
the 08:00 cell of its weekday; bad input is a problem naming the field; another organization's data never
appears."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.e2e.rest.billing import price_charge_point
from tests.e2e.rest.client import Api
from tests.e2e.rest.network import Network, Sessions, build_network, fresh

SVG = "{http://www.w3.org/2000/svg}"
# Monday 1 June 2026, 08:30 in Berlin (CEST, UTC+2): 06:30 UTC.
BERLIN_0830 = datetime(2026, 6, 1, 6, 30, tzinfo=UTC)
JUNE = {"from": "2026-06-01", "to": "2026-07-01"}


async def berlin_charge_point(api: Api, network: Network) -> tuple[str, str]:
    token, headers = network.tokens["admin"], network.headers
    location = await api.post("/locations", token, headers=headers, json={
        "name": "Alexanderplatz", "address": "Alexanderplatz 1", "city": "Berlin", "country": "DE",
        "timezone": "Europe/Berlin"})
    assert location.status_code == 201, location.text
    charge_point_id = fresh(f"CP-BER-{network.org_id[-6:]}")
    registered = await api.post("/charge-points", token, headers=headers, json={
        "id": charge_point_id, "location_id": location.json()["id"],
        "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}, {"connector_id": 2}]}]})
    assert registered.status_code == 201, registered.text
    return str(location.json()["id"]), charge_point_id


def bearer(key: str, network: Network, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} | more


async def report(api: Api, key: str, name: str, accept: str = "application/json", **params: str):
    return await api.client.get(f"/api/v1/reports/{name}", params=JUNE | params,
                                headers={"Authorization": f"Bearer {key}", "Accept": accept})


def svg_root(body: str) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


async def test_a_viewer_key_reads_every_report_as_json_csv_and_svg(api: Api, network: Network, sessions: Sessions):
    location_id, charge_point_id = await berlin_charge_point(api, network)
    await price_charge_point(api, network.tokens["admin"], network.org_id, charge_point_id)
    session_id, tx = await sessions.start(charge_point_id, network.id_tag, meter_wh=0, at=BERLIN_0830)
    await sessions.stop(charge_point_id, tx, meter_wh=12_500, at=BERLIN_0830 + timedelta(hours=2))
    viewer = network.keys["viewer"]

    peak = await report(api, viewer, "peak-hours")
    assert peak.status_code == 200, peak.text
    body = peak.json()
    assert body["matrix"][0][8] == 1 and sum(map(sum, body["matrix"])) == 1        # Monday, 08:00 local
    assert {(r["day"], r["hour"]) for r in body["rows"] if r["sessions"]} == {("Monday", 8)}

    usage = (await report(api, viewer, "usage", group_by="location")).json()
    [berlin] = [r for r in usage["rows"] if r["location_id"] == location_id]
    assert (berlin["sessions"], berlin["energy_kwh"], berlin["charging_hours"]) == (1, "12.500", "2.000")
    assert usage["totals"]["sessions"] == 1 and usage["currency"] == "GBP"

    # Revenue is the books': the session was priced (posted) now, so the window is around today.
    today = datetime.now(UTC).date()
    around_today = {"from": (today - timedelta(days=3)).isoformat(), "to": (today + timedelta(days=3)).isoformat()}
    revenue = (await report(api, viewer, "revenue", group_by="location", **around_today)).json()
    [row] = [r for r in revenue["rows"] if r["location_id"] == location_id]
    assert row["currency"] == "GBP" and row["total_excl_vat"] == "3.75"          # 12.5 kWh × 0.30 GBP
    assert revenue["totals"] == {"currency": "GBP", "total_excl_vat": "3.75", "vat": "0.00", "total": "3.75"}

    locations = (await report(api, viewer, "locations", rank_by="energy")).json()
    assert (locations["rows"][0]["location_id"], locations["rows"][0]["rank"]) == (location_id, 1)

    utilization = (await report(api, viewer, "utilization", group_by="charge_point", location_id=location_id)).json()
    [point] = utilization["rows"]
    assert (point["charge_point_id"], point["connectors"], point["occupied_hours"]) == (charge_point_id, 2, "2.000")

    as_csv = await report(api, viewer, "usage", accept="text/csv", group_by="day")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][:3] == ["period", "sessions", "energy_kwh"] and len(rows) == 31
    assert rows[1][:3] == ["2026-06-01", "1", "12.500"]

    for name in ("revenue", "usage", "peak-hours", "locations", "utilization", "fleet-costs"):
        drawn = await report(api, viewer, name, format="svg")
        assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/svg+xml", drawn.text[:300]
        words = texts(svg_root(drawn.text))
        assert "2026-06-01 to 2026-07-01" in words
    heatmap = texts(svg_root((await report(api, viewer, "peak-hours", format="svg")).text))
    assert "Peak hours (local time)" in heatmap and "Monday" in heatmap and "08:00" in heatmap
    money = texts(svg_root((await report(api, viewer, "revenue", format="svg", group_by="location")).text))
    assert "Revenue excl. VAT (GBP)" in money and "Alexanderplatz" in money
    assert session_id


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"), ({"from": "2026-06-02", "to": "2026-06-01"}, "to"),
    ({"from": "2020-01-01", "to": "2027-01-01"}, "to"), ({"group_by": "tariff"}, "group_by"),
    ({"fleet_id": "veh_01JD0000000000000000000000"}, "fleet_id"),
    ({"fleet_id": "flt_01JD0000000000000000000000"}, "fleet_id"),
    ({"format": "pdf"}, "format"), ({"rank_by": "energy"}, "rank_by"), ({"location_id": "loc_nope"}, "location_id"),
    ({"colour": "red"}, "colour"),
])
async def test_bad_input_is_a_problem_naming_the_field(api: Api, network: Network, params: dict[str, str], field: str):
    answer = await api.client.get("/api/v1/reports/usage", params=params,
                                  headers={"Authorization": f"Bearer {network.keys['viewer']}"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]


async def test_another_organizations_data_never_appears(api: Api, network: Network, sessions: Sessions):
    location_id, charge_point_id = await berlin_charge_point(api, network)
    _, tx = await sessions.start(charge_point_id, network.id_tag, meter_wh=0, at=BERLIN_0830)
    await sessions.stop(charge_point_id, tx, meter_wh=5_000, at=BERLIN_0830 + timedelta(hours=1))
    other = await build_network(api, "Elsewhere")
    for name in ("revenue", "usage", "peak-hours", "locations", "utilization"):
        for accept in ("application/json", "text/csv"):
            grouped = {} if name == "peak-hours" else {"group_by": "location"}
            answer = await report(api, other.keys["viewer"], name, accept=accept, **grouped)
            assert answer.status_code == 200, answer.text
            assert location_id not in answer.text and charge_point_id not in answer.text
            assert network.location_id not in answer.text
    assert (await report(api, other.keys["viewer"], "peak-hours")).json()["totals"] == {"sessions": 0}
    # Another organization's location is no filter of this one; its id names nothing here.
    refused = await report(api, other.keys["viewer"], "usage", location_id=location_id)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "location_id"
    # A user of the other organization naming this one gets 404, as for any of its objects.
    answer = await api.client.get("/api/v1/reports/usage", params=JUNE, headers={
        "Authorization": f"Bearer {other.tokens['admin']}", "X-Organization-Id": network.org_id})
    assert answer.status_code == 404, answer.text
    assert quote(charge_point_id)


async def fleet_with_a_driver(api: Api, network: Network, name: str = "Acme") -> dict[str, str]:
    """A fleet, a vehicle of it, and a driver of it driving that vehicle (with an id tag to charge with)."""
    key = network.keys["member"]
    fleet = await api.post("/fleets", key, json={"name": name})
    assert fleet.status_code == 201, fleet.text
    vehicle = await api.post("/vehicles", key, json={"fleet_id": fleet.json()["id"], "vin": "1HGCM82633A004352",
                                                     "make": "Honda", "model": "e", "battery_kwh": "35.5",
                                                     "licence_plate": "B-EV 42"})
    assert vehicle.status_code == 201, vehicle.text
    tag = fresh("FLEET")
    driver = await api.post("/drivers", key, json={"name": "Dana Fleet", "fleet_id": fleet.json()["id"],
                                                   "id_tags": [tag]})
    assert driver.status_code == 201, driver.text
    assigned = await api.post(f"/drivers/{driver.json()['id']}/vehicles", key,
                              json={"vehicle_id": vehicle.json()["id"]})
    assert assigned.status_code == 201, assigned.text
    return {"fleet": fleet.json()["id"], "vehicle": vehicle.json()["id"], "driver": driver.json()["id"], "tag": tag}


async def test_fleet_costs_per_fleet_vehicle_and_driver_as_json_csv_and_svg(api: Api, network: Network,
                                                                           sessions: Sessions):
    location_id, charge_point_id = await berlin_charge_point(api, network)
    await price_charge_point(api, network.tokens["admin"], network.org_id, charge_point_id)
    made = await fleet_with_a_driver(api, network)
    _, tx = await sessions.start(charge_point_id, made["tag"], meter_wh=0, at=BERLIN_0830)
    await sessions.stop(charge_point_id, tx, meter_wh=10_000, at=BERLIN_0830 + timedelta(hours=1))
    _, tx = await sessions.start(charge_point_id, network.id_tag, meter_wh=0, at=BERLIN_0830 + timedelta(days=1))
    await sessions.stop(charge_point_id, tx, meter_wh=4_000, at=BERLIN_0830 + timedelta(days=1, hours=1))
    viewer = network.keys["viewer"]
    # The van's odometer: a reading before June, one within it (240.4 km later) and one after it, out of order.
    readings = f"/vehicles/{made['vehicle']}/odometer-readings"
    for km, at in (("12000", "2026-05-28T18:00:00Z"), (12500, "2026-07-09T07:00:00+02:00"),
                   ("12240.4", "2026-06-20T12:00:00Z")):
        posted = await api.post(readings, network.keys["member"], json={"odometer_km": km, "read_at": at})
        assert posted.status_code == 201, posted.text
    back = await api.post(readings, network.keys["member"], json={"odometer_km": "12239",
                                                                  "read_at": "2026-06-25T00:00:00Z"})
    assert back.status_code == 422 and back.json()["errors"][0]["field"] == "odometer_km", back.text
    listed = await api.get(readings, viewer)
    assert [r["odometer_km"] for r in listed.json()["data"]] == ["12500.000", "12240.400", "12000.000"], listed.text

    by_fleet = await report(api, viewer, "fleet-costs")
    assert by_fleet.status_code == 200, by_fleet.text
    body = by_fleet.json()
    assert (body["group_by"], body["currency"]) == ("fleet", "GBP")
    assert body["rows"] == [{"fleet_id": made["fleet"], "fleet_name": "Acme", "sessions": 1, "energy_kwh": "10.000",
                             "priced_sessions": 1, "cost": "3.00", "cost_per_kwh": "0.3000",
                             "cost_per_100km": "1.2479"}]        # 10 kWh × 0.30 GBP, over 240.4 km
    assert {c["name"]: c["unit"] for c in body["columns"]}["cost_per_kwh"] == "GBP/kWh"
    vehicle = (await report(api, viewer, "fleet-costs", group_by="vehicle")).json()["rows"]
    assert [(r["vehicle_id"], r["vehicle"], r["cost"], r["cost_per_100km"]) for r in vehicle] == [
        (made["vehicle"], "Honda e (B-EV 42)", "3.00", "1.2479")]
    driver = (await report(api, viewer, "fleet-costs", group_by="driver", fleet_id=made["fleet"])).json()
    assert [(r["driver_id"], r["driver_name"]) for r in driver["rows"]] == [(made["driver"], "Dana Fleet")]
    assert driver["fleet_id"] == made["fleet"]
    as_csv = await report(api, viewer, "fleet-costs", accept="text/csv", group_by="month")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(as_csv.text))) == [
        ["period", "sessions", "energy_kwh", "priced_sessions", "cost", "cost_per_kwh", "cost_per_100km"],
        ["2026-06-01", "1", "10.000", "1", "3.00", "0.3000", ""]]
    chart = await report(api, viewer, "fleet-costs", format="svg")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    words = texts(svg_root(chart.text))
    assert "Fleet costs by fleet" in words and "Cost excl. VAT (GBP)" in words and "Acme" in words

    # Usage by who charged: the fleet's session and a row for the session of nobody's fleet; a fleet's alone.
    usage = (await report(api, viewer, "usage", group_by="fleet")).json()
    assert [(r["fleet_id"], r["fleet_name"], r["sessions"]) for r in usage["rows"]] == [
        (made["fleet"], "Acme", 1), (None, "No fleet", 1)]
    only = (await report(api, viewer, "usage", group_by="location", fleet_id=made["fleet"])).json()
    assert [(r["location_id"], r["energy_kwh"]) for r in only["rows"] if r["sessions"]] == [(location_id, "10.000")]
    assert (await report(api, viewer, "usage", group_by="vehicle", format="svg")).status_code == 200

    # Another organization sees none of it; this one's fleet is no filter there.
    other = await build_network(api, "Elsewhere")
    for group_by in ("fleet", "vehicle", "driver", "day"):
        for accept in ("application/json", "text/csv"):
            answer = await report(api, other.keys["viewer"], "fleet-costs", accept=accept, group_by=group_by)
            assert answer.status_code == 200, answer.text
            assert not any(made[k] in answer.text for k in ("fleet", "vehicle", "driver")) and "Acme" not in answer.text
    refused = await report(api, other.keys["viewer"], "fleet-costs", fleet_id=made["fleet"])
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "fleet_id"
    wrong = await report(api, viewer, "revenue", fleet_id=made["fleet"])
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "fleet_id"
