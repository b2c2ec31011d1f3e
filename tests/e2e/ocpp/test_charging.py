"""A charging session through the real server: REST sets up the network, a websocket charge point charges,
REST shows the session with its energy and driver. Every transaction message is sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from entrypoints.simulator import boot, charge_point

PASSWORD = "a-very-secret-pass"
T0 = datetime(2026, 1, 10, 7, 0, tzinfo=UTC)   # earlier than the server's clock: an offline replay


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


async def charge_16(cp, tag: str) -> None:
    assert (await cp.call(call16.Authorize(id_tag=tag))).id_tag_info["status"] == "Accepted"
    start = call16.StartTransaction(connector_id=1, id_tag=tag, meter_start=12_000, timestamp=at(0))
    started = await cp.call(start)
    assert (await cp.call(start)).transaction_id == started.transaction_id
    meter = call16.MeterValues(connector_id=1, transaction_id=started.transaction_id, meter_value=[
        {"timestamp": at(10), "sampled_value": [{"value": "15.5", "measurand": "Energy.Active.Import.Register",
                                                 "unit": "kWh"}]}])
    await cp.call(meter)
    await cp.call(meter)
    stop = call16.StopTransaction(meter_stop=19_250, timestamp=at(40), transaction_id=started.transaction_id,
                                  reason="EVDisconnected", id_tag=tag)
    await cp.call(stop)
    await cp.call(stop)


async def charge_201(cp, tag: str) -> None:
    token = {"id_token": tag, "type": "Central"}
    assert (await cp.call(call201.Authorize(id_token=token))).id_token_info["status"] == "Accepted"

    def event(kind: str, seq: int, minutes: float, wh: int, **extra) -> call201.TransactionEvent:
        return call201.TransactionEvent(
            event_type=kind, timestamp=at(minutes), trigger_reason="MeterValuePeriodic", seq_no=seq,
            transaction_info={"transaction_id": "e2e-tx", **extra.pop("info", {})},
            meter_value=[{"timestamp": at(minutes), "sampled_value": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}], **extra)
    messages = [event("Started", 0, 0, 12_000, id_token=token, evse={"id": 1, "connector_id": 1},
                      info={"charging_state": "Charging"}),
                event("Updated", 1, 10, 15_500),
                event("Ended", 2, 40, 19_250, info={"stopped_reason": "EVDisconnected"})]
    for message in messages + messages:
        await cp.call(message)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_boot_authorize_start_meter_stop_shows_in_sessions(server, operator, version):
    cp_id = (await operator.charge_point("CP-E2E", PASSWORD, evses=[{"evse_id": 1,
                                                                     "connectors": [{"connector_id": 1}]}]))["id"]
    driver, tag = await operator.driver("Dana", "TAG"), operator.id("TAG")
    async with charge_point(operator.ocpp_url, cp_id, version, password=PASSWORD) as cp:
        assert await boot(cp) == 300
        listed = await operator.get(f"/charge-points/{cp_id}")
        assert (listed["online"], listed["ocpp_version"], listed["vendor"]) == (True, version, "Charge")
        await (charge_16(cp, tag) if version == "1.6" else charge_201(cp, tag))
    sessions = (await operator.get("/sessions", charge_point_id=cp_id))["data"]
    assert len(sessions) == 1
    [session] = sessions
    assert (session["status"], Decimal(session["energy_kwh"]), session["driver_id"], session["id_tag"]) == (
        "completed", Decimal("7.25"), driver["id"], tag)
    assert session["started_at"].startswith("2026-01-10T07:00:00")
    by_driver = (await operator.get("/sessions", driver_id=driver["id"]))["data"]
    assert [s["id"] for s in by_driver] == [session["id"]]
