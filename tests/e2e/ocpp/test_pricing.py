"""Issue 4 through the real server: a session charged over OCPP carries its cost, the breakdown's lines add up
to the totals, and a tariff changed mid-session leaves that session's price alone (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from entrypoints.simulator import boot, charge_point

PASSWORD = "a-very-secret-pass"


def tariff(price: str) -> dict:
    return {"currency": "GBP", "name": f"{price} per kWh", "elements": [
        {"price_components": [{"type": "ENERGY", "price": price, "vat": "20", "step_size": 1}]}]}


def stamp(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


async def start(cp, version: str, tag: str, at: datetime) -> str:
    if version == "1.6":
        started = await cp.call(call16.StartTransaction(connector_id=1, id_tag=tag, meter_start=12_000,
                                                        timestamp=stamp(at)))
        return str(started.transaction_id)
    await cp.call(call201.TransactionEvent(
        event_type="Started", timestamp=stamp(at), trigger_reason="Authorized", seq_no=0,
        transaction_info={"transaction_id": f"tx-{tag}", "charging_state": "Charging"},
        id_token={"id_token": tag, "type": "Central"}, evse={"id": 1, "connector_id": 1},
        meter_value=[{"timestamp": stamp(at), "sampled_value": [
            {"value": 12_000, "measurand": "Energy.Active.Import.Register"}]}]))
    return f"tx-{tag}"


async def finish(cp, version: str, tx: str, at: datetime) -> None:
    """10 kWh after the start: 3.5 kWh at 10 minutes, the rest by the stop at 40 minutes."""
    if version == "1.6":
        await cp.call(call16.MeterValues(connector_id=1, transaction_id=int(tx), meter_value=[
            {"timestamp": stamp(at + timedelta(minutes=10)), "sampled_value": [
                {"value": "15.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"}]}]))
        stop = call16.StopTransaction(meter_stop=22_000, timestamp=stamp(at + timedelta(minutes=40)),
                                      transaction_id=int(tx), reason="EVDisconnected")
        await cp.call(stop)
        await cp.call(stop)   # a retried stop must not price the session twice
        return
    for seq, minutes, wh, kind in ((1, 10, 15_500, "Updated"), (2, 40, 22_000, "Ended")):
        await cp.call(call201.TransactionEvent(
            event_type=kind, timestamp=stamp(at + timedelta(minutes=minutes)), trigger_reason="MeterValuePeriodic",
            seq_no=seq, transaction_info={"transaction_id": tx},
            meter_value=[{"timestamp": stamp(at + timedelta(minutes=minutes)), "sampled_value": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}]))


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_session_over_ocpp_is_priced_by_the_version_in_force_at_its_start(server, operator, version):
    cp_id = (await operator.charge_point("CP-PRICE", PASSWORD,
                                         evses=[{"evse_id": 1, "connectors": [{"connector_id": 1}]}]))["id"]
    await operator.driver("Dana", "TAG")
    tag = operator.id("TAG")
    created = await operator.post("/tariffs", tariff("0.30"))
    await operator.request("PUT", f"/charge-points/{cp_id}/tariff", {"tariff_id": created["id"]}, expect=200)
    began = datetime.now(UTC).replace(microsecond=0)
    async with charge_point(operator.ocpp_url, cp_id, version, password=PASSWORD) as cp:
        assert await boot(cp) == 300
        tx = await start(cp, version, tag, began)
        await operator.request("PUT", f"/tariffs/{created['id']}", tariff("0.90"), expect=200)
        await finish(cp, version, tx, began)
    [session] = (await operator.get("/sessions", charge_point_id=cp_id))["data"]
    detail = await operator.get(f"/sessions/{session['id']}")
    assert (detail["status"], Decimal(detail["energy_kwh"])) == ("completed", Decimal(10))
    assert (detail["tariff_id"], detail["tariff_version"]) == (created["id"], 1)
    cost = detail["cost"]
    assert (Decimal(cost["total_excl_vat"]), Decimal(cost["vat"]), Decimal(cost["total"])) == (
        Decimal("3.00"), Decimal("0.60"), Decimal("3.60"))
    breakdown = await operator.get(f"/sessions/{session['id']}/cost-breakdown")
    assert breakdown["currency"] == "GBP"
    assert sum(Decimal(line["amount"]) for line in breakdown["lines"]) == Decimal(breakdown["total_excl_vat"])
    assert Decimal(breakdown["total_excl_vat"]) + Decimal(breakdown["vat"]) == Decimal(breakdown["total"])
    assert Decimal(breakdown["total"]) == Decimal(cost["total"])
