"""Issue 13 over OCPP, end to end (real websocket charge points, the real server on SQLite and PostgreSQL):
a fleet driver's Authorize refused outside the fleet's time window and at a location it does not allow, with
the reason in the authorization log; a session stopped by the central system at the fleet's kWh cap; the
fleet's month invoiced once, with every one of its drivers' sessions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from entrypoints.simulator import boot, charge_point
from tests.e2e.ocpp.operator import Operator
from tests.e2e.ocpp.test_billing import charge, invoice_run
from tests.e2e.rest.billing import TARIFF

DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
NOVEMBER = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)


def london_day(offset: int = 0) -> str:
    return DAYS[(datetime.now(UTC).astimezone(ZoneInfo("Europe/London")) + timedelta(days=offset)).weekday()]


def stamp(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


async def authorize(cp, version: str, tag: str) -> str:
    if version == "1.6":
        return (await cp.call(call16.Authorize(id_tag=tag))).id_tag_info["status"]
    return (await cp.call(call201.Authorize(id_token={"id_token": tag, "type": "ISO14443"}))).id_token_info["status"]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_authorize_is_refused_outside_the_window_and_away_from_the_allowed_location(server, operator,
                                                                                         version):
    away = await operator.post("/locations", {"name": "Elsewhere", "address": "2 Road", "city": "Leeds",
                                              "country": "GB", "timezone": "Europe/London"})
    home_cp = (await operator.charge_point("CP-HOME"))["id"]
    away_cp = (await operator.post("/charge-points", {"id": operator.id("CP-AWAY"), "location_id": away["id"]}))["id"]
    whole_day = {"start": "00:00", "end": "24:00"}
    fleet = await operator.post("/fleets", {"name": "Acme", "policy": {
        "allowed_location_ids": [operator.location_id],
        "time_windows": [{"days": [london_day(), london_day(1)], **whole_day}]}})
    driver = await operator.post("/drivers", {"name": "Dana", "fleet_id": fleet["id"],
                                              "id_tags": [operator.id("FLEET-DANA")]})
    tag = operator.id("FLEET-DANA")
    refused_elsewhere = {"1.6": "Blocked", "2.0.1": "NotAtThisLocation"}[version]
    refused_now = {"1.6": "Blocked", "2.0.1": "NotAtThisTime"}[version]

    async with charge_point(operator.ocpp_url, home_cp, version) as cp:
        await boot(cp)
        assert await authorize(cp, version, tag) == "Accepted"
        # The fleet's window moves to days that are not today: the same tag, the same charge point, refused.
        await operator.request("PUT", f"/fleets/{fleet['id']}", {"name": "Acme", "policy": {
            "allowed_location_ids": [operator.location_id],
            "time_windows": [{"days": [london_day(3), london_day(4)], **whole_day}]}}, expect=200)
        assert await authorize(cp, version, tag) == refused_now
    async with charge_point(operator.ocpp_url, away_cp, version) as cp:
        await boot(cp)
        assert await authorize(cp, version, tag) == refused_elsewhere

    log = (await operator.get("/authorizations", driver_id=driver["id"]))["data"]
    assert [(e["charge_point_id"], e["result"], e["reason"], e["trigger"]) for e in log] == [
        (away_cp, "refused", "location_not_allowed", "Authorize"),
        (home_cp, "refused", "outside_time_windows", "Authorize"),
        (home_cp, "accepted", None, "Authorize")]
    assert all(e["fleet_id"] == fleet["id"] and e["id_tag"] == tag for e in log)
    assert "Europe/London" in log[1]["detail"] and away["id"] in log[0]["detail"]
    refused = (await operator.get("/authorizations", fleet_id=fleet["id"], result="refused"))["data"]
    assert [e["id"] for e in refused] == [log[0]["id"], log[1]["id"]]


async def test_a_session_is_stopped_at_the_fleets_kwh_cap_over_16(server, operator):
    cp_id = (await operator.charge_point("CP-CAP", evses=[{"evse_id": 1, "connectors": [{"connector_id": 1}]}]))["id"]
    fleet = await operator.post("/fleets", {"name": "Capped", "policy": {"max_kwh_per_session": 10}})
    await operator.post("/drivers", {"name": "Eli", "fleet_id": fleet["id"], "id_tags": [operator.id("FLEET-ELI")]})
    start = datetime.now(UTC).replace(microsecond=0)
    async with charge_point(operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        begun = await cp.call(call16.StartTransaction(connector_id=1, id_tag=operator.id("FLEET-ELI"),
                                                      meter_start=50_000, timestamp=stamp(start)))
        assert begun.id_tag_info["status"] == "Accepted"

        async def meter(minutes: int, wh: int) -> None:
            await cp.call(call16.MeterValues(connector_id=1, transaction_id=begun.transaction_id, meter_value=[
                {"timestamp": stamp(start + timedelta(minutes=minutes)), "sampled_value": [
                    {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]))

        await meter(10, 55_000)
        await meter(20, 59_999)                              # 9.999 kWh: not yet
        await meter(30, 60_400)                              # over 10 kWh: the central system asks to stop
        stopped = await asyncio.wait_for(cp.remote_stops.get(), 10)
        assert stopped == str(begun.transaction_id)
        assert [a for a, _ in cp.received].count("RemoteStopTransaction") == 1
        await cp.call(call16.StopTransaction(meter_stop=60_450, timestamp=stamp(start + timedelta(minutes=31)),
                                             transaction_id=begun.transaction_id, reason="Remote"))
    [session] = (await operator.get("/sessions", charge_point_id=cp_id))["data"]
    session = await operator.eventually(lambda: operator.get(f"/sessions/{session['id']}"),
                                        lambda s: (s["stop_requested"] or {}).get("answer") == "Accepted")
    assert (session["status"], session["stop_reason"], session["energy_cap_kwh"]) == ("completed", "Remote", "10")
    assert session["stop_requested"]["reason"] == "max_kwh_per_session"
    assert session["fleet_id"] == fleet["id"] and session["energy_kwh"] == "10.450"


async def test_a_session_is_stopped_at_the_fleets_kwh_cap_over_201(server, operator):
    cp_id = (await operator.charge_point("CP-CAP2"))["id"]
    fleet = await operator.post("/fleets", {"name": "Capped", "policy": {"max_kwh_per_session": "2.5"}})
    await operator.post("/drivers", {"name": "Fay", "fleet_id": fleet["id"], "id_tags": [operator.id("FLEET-FAY")]})
    start = datetime.now(UTC).replace(microsecond=0)
    token = {"id_token": operator.id("FLEET-FAY"), "type": "ISO14443"}

    def event(kind: str, seq: int, minutes: int, wh: int, **extra) -> call201.TransactionEvent:
        return call201.TransactionEvent(
            event_type=kind, timestamp=stamp(start + timedelta(minutes=minutes)), seq_no=seq,
            trigger_reason=extra.pop("trigger", "MeterValuePeriodic"),
            transaction_info={"transaction_id": "cap-tx", **extra.pop("info", {})},
            meter_value=[{"timestamp": stamp(start + timedelta(minutes=minutes)), "sampled_value": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}], **extra)

    async with charge_point(operator.ocpp_url, cp_id, "2.0.1") as cp:
        await boot(cp)
        started = await cp.call(event("Started", 0, 0, 1_000, id_token=token, evse={"id": 1, "connector_id": 1},
                                      trigger="Authorized", info={"charging_state": "Charging"}))
        assert started.id_token_info["status"] == "Accepted"
        await cp.call(event("Updated", 1, 5, 3_000))
        await cp.call(event("Updated", 2, 10, 3_600))        # 2.6 kWh: over the cap
        assert await asyncio.wait_for(cp.remote_stops.get(), 10) == "cap-tx"
        await cp.call(event("Ended", 3, 11, 3_650, trigger="RemoteStop", info={"stopped_reason": "Remote"}))
    [session] = (await operator.get("/sessions", charge_point_id=cp_id))["data"]
    session = await operator.eventually(lambda: operator.get(f"/sessions/{session['id']}"),
                                        lambda s: (s["stop_requested"] or {}).get("answer") == "Accepted")
    assert (session["status"], session["stop_reason"], session["energy_cap_kwh"]) == ("completed", "Remote", "2.5")
    assert ("RequestStopTransaction", {"transaction_id": "cap-tx"}) in cp.received


async def test_the_fleets_month_is_one_invoice_with_all_its_drivers_sessions(server, admin: Operator):
    cp_id = (await admin.charge_point("CP-FLEET", evses=[{"evse_id": 1, "connectors": [{"connector_id": 1}]}]))["id"]
    tariff = await admin.post("/tariffs", TARIFF)
    await admin.request("PUT", f"/charge-points/{cp_id}/tariff", {"tariff_id": tariff["id"]}, expect=200)
    fleet = await admin.post("/fleets", {"name": "Acme Deliveries"})
    vehicle = await admin.post("/vehicles", {"fleet_id": fleet["id"], "vin": "WVWZZZ1JZXW000001", "make": "VW",
                                             "model": "ID.3", "battery_kwh": 58})
    drivers = {}
    for name in ("Dana", "Eli", "Fay"):
        drivers[name] = await admin.post("/drivers", {"name": name, "fleet_id": fleet["id"],
                                                      "id_tags": [admin.id(name.upper())]})
    await admin.post(f"/drivers/{drivers['Dana']['id']}/vehicles", {"vehicle_id": vehicle["id"]})
    outsider = await admin.post("/drivers", {"name": "Solo", "id_tags": [admin.id("SOLO")]})
    for day, (name, kwh) in enumerate([("Dana", 10), ("Eli", 7), ("Fay", 4), ("Dana", 3), ("Solo", 5)]):
        await charge(admin, cp_id, admin.id(name.upper()), NOVEMBER + timedelta(days=day), kwh)
    sessions = (await admin.get("/sessions", charge_point_id=cp_id, limit=10))["data"]
    fleet_sessions = {s["id"] for s in sessions if s["fleet_id"] == fleet["id"]}
    assert len(fleet_sessions) == 4
    assert {s["vehicle_id"] for s in sessions if s["driver_id"] == drivers["Dana"]["id"]} == {vehicle["id"]}
    await admin.eventually(lambda: admin.get("/transactions", limit=50),
                           lambda page: len(page["data"]) == 5)     # every session priced and booked

    run = await invoice_run(admin, "2026-11-01", "2026-12-01")
    assert (run["status"], run["invoices_created"], run["sessions_invoiced"]) == ("completed", 2, 5)
    invoices = (await admin.get("/invoices", period="2026-11"))["data"]
    [fleet_invoice] = [i for i in invoices if {s["session_id"] for s in i["sessions"]} & fleet_sessions]
    assert {s["session_id"] for s in fleet_invoice["sessions"]} == fleet_sessions
    customer = await admin.get(f"/customers/{fleet_invoice['customer_id']}")
    assert (customer["name"], customer["fleet_id"]) == ("Acme Deliveries", fleet["id"])
    [solo_invoice] = [i for i in invoices if i["id"] != fleet_invoice["id"]]
    assert solo_invoice["sessions"][0]["session_id"] not in fleet_sessions
    assert (await admin.get(f"/customers/{solo_invoice['customer_id']}"))["driver_id"] == outsider["id"]
    assert (await admin.get("/sessions", fleet_id=fleet["id"], limit=10))["data"] and \
        {s["id"] for s in (await admin.get("/sessions", fleet_id=fleet["id"], limit=10))["data"]} == fleet_sessions
