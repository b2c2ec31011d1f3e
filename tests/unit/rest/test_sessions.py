"""Sessions as operators read them: filtered, newest first, paged; one with its meter summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
async def history(api, network, sessions, charge_points):
    """Three sessions: completed (driver in a fleet), active on connector 2, started on another charge point."""
    fleet = await api.post("/fleets", network.keys["admin"], json={"name": "Acme"})
    fleet_driver = await api.post("/drivers", network.keys["admin"], json={
        "name": "Fleet", "fleet_id": fleet.json()["id"], "id_tags": ["FLEET-1"]})
    second = await api.post("/charge-points", network.keys["admin"], json={"id": "CP-SECOND",
                                                                           "location_id": network.location_id})
    assert second.status_code == 201
    completed, tx1 = await sessions.start(network.charge_point_id, "FLEET-1", meter_wh=1000, at=T0)
    await sessions.meter(network.charge_point_id, tx1, T0 + timedelta(minutes=10), wh=4000, power_w=7400)
    await sessions.meter(network.charge_point_id, tx1, T0 + timedelta(minutes=20), wh=7000, power_w=11000)
    await sessions.stop(network.charge_point_id, tx1, meter_wh=13345, at=T0 + timedelta(minutes=30),
                        reason="EVDisconnected")
    active, tx2 = await sessions.start(network.charge_point_id, network.id_tag, connector_id=2, meter_wh=500,
                                       at=T0 + timedelta(hours=1))
    await sessions.meter(network.charge_point_id, tx2, T0 + timedelta(hours=1, minutes=5), wh=1500)
    started, _ = await sessions.start("CP-SECOND", "UNKNOWN-TAG", at=T0 + timedelta(hours=2))
    return {"completed": completed, "active": active, "started": started,
            "fleet_driver": fleet_driver.json()["id"], "fleet": fleet.json()["id"]}


async def _ids(api, network, **params) -> list[str]:
    response = await api.get("/sessions", network.keys["viewer"], params=params)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["data"]]


async def test_sessions_are_listed_newest_first_with_their_status(api, network, history):
    listed = (await api.get("/sessions", network.keys["viewer"])).json()["data"]
    assert [s["id"] for s in listed] == [history["started"], history["active"], history["completed"]]
    assert [s["status"] for s in listed] == ["started", "active", "completed"]
    assert "meter" not in listed[0]
    completed = listed[2]
    assert completed | {"id": None} == {
        "id": None, "charge_point_id": network.charge_point_id, "connector_id": 1, "evse_id": None,
        "id_tag": "FLEET-1", "driver_id": history["fleet_driver"], "status": "completed",
        "started_at": "2026-01-15T09:00:00Z", "stopped_at": "2026-01-15T09:30:00Z",
        "energy_kwh": "12.345", "meter_start_wh": "1000", "meter_stop_wh": "13345", "stop_reason": "EVDisconnected",
        "offline": False, "cost": None, "tariff_id": None, "tariff_version": None, "plan_id": None,
        "flagged": False, "fleet_id": history["fleet"], "vehicle_id": None, "energy_cap_kwh": None,
        "stop_requested": None}
    assert listed[0]["energy_kwh"] == "0.000" and listed[0]["driver_id"] is None
    assert listed[1]["energy_kwh"] == "1.000" and listed[1]["meter_stop_wh"] is None


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "completed"}, ["completed"]),
    ({"status": "active"}, ["active"]),
    ({"status": "started"}, ["started"]),
    ({"charge_point_id": "CP-SECOND"}, ["started"]),
    ({"fleet_id": "FLEET"}, ["completed"]),
    ({"fleet_id": "flt_01JD0000000000000000000001"}, []),
    ({"from": "2026-01-15T10:00:00Z"}, ["started", "active"]),
    ({"to": "2026-01-15T10:00:00Z"}, ["completed"]),
    ({"from": "2026-01-15T10:00:00+01:00", "to": "2026-01-15T11:00:00+01:00"}, ["completed"]),
    ({"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T11:00:00Z", "status": "active"}, ["active"]),
    ({"charge_point_id": "CP-NOBODY"}, []),
])
async def test_filters(api, network, history, params, expected):
    params = {name: history["fleet"] if value == "FLEET" else value for name, value in params.items()}
    assert await _ids(api, network, **params) == [history[name] for name in expected]


async def test_filter_by_driver(api, network, history):
    assert await _ids(api, network, driver_id=history["fleet_driver"]) == [history["completed"]]
    assert await _ids(api, network, driver_id=network.driver_id) == [history["active"]]


async def test_pages_follow_the_cursor(api, network, history):
    first = (await api.get("/sessions", network.keys["viewer"], params={"limit": 2})).json()
    rest = (await api.get("/sessions", network.keys["viewer"], params={"limit": 2, "cursor": first["next_cursor"]}))
    assert [s["id"] for s in first["data"]] == [history["started"], history["active"]] and first["has_more"]
    assert [s["id"] for s in rest.json()["data"]] == [history["completed"]] and rest.json()["next_cursor"] is None


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T10:00:00Z"}, "to"),
    ({"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T09:00:00Z"}, "to"),
    ({"from": "2026-01-15"}, "from"),
    ({"to": "2026-01-15T10:00:00"}, "to"),
    ({"status": "charging"}, "status"),
])
async def test_bad_filters_are_422_naming_the_parameter(api, network, params, field):
    response = await api.get("/sessions", network.keys["viewer"], params=params)
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_session_with_its_meter_summary(api, network, history):
    got = await api.get(f"/sessions/{history['completed']}", network.keys["viewer"])
    assert got.status_code == 200
    session = got.json()
    assert session["energy_kwh"] == "12.345" and session["cost"] is None and session["tariff_id"] is None
    assert session["meter"] == {"samples": 4, "first_reading_at": "2026-01-15T09:10:00Z",
                                "last_reading_at": "2026-01-15T09:20:00Z", "max_power_kw": "11.000"}
    started = (await api.get(f"/sessions/{history['started']}", network.keys["viewer"])).json()
    assert started["meter"] == {"samples": 0, "first_reading_at": None, "last_reading_at": None,
                                "max_power_kw": None}
    active = (await api.get(f"/sessions/{history['active']}", network.keys["viewer"])).json()
    assert active["meter"]["samples"] == 1 and active["meter"]["max_power_kw"] is None


async def test_unknown_malformed_and_foreign_sessions_are_404(api, network, history):
    _, _, stranger = await api.user("Stranger")
    org = await api.organization(stranger)
    for session_id, token, headers in [("ses_01JD0000000000000000000000", network.keys["admin"], {}),
                                       ("nope", network.keys["admin"], {}),
                                       (history["completed"], stranger, {"X-Organization-Id": org})]:
        response = await api.get(f"/sessions/{session_id}", token, headers=headers)
        assert response.status_code == 404, session_id
    listed = await api.get("/sessions", stranger, headers={"X-Organization-Id": org})
    assert listed.json()["data"] == []
