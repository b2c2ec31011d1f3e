"""Charging sessions through the OCPP door (1.6J and 2.0.1), retries and offline replays included."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from application.pagination import PageRequest
from application.ports.network import SessionFilter
from domain.charging import SessionStatus
from entrypoints.simulator import boot, charge_point
from tests.integration.ocpp.world import PASSWORD, stored_charge_point, until

T0 = datetime(2026, 1, 10, 7, 0, tzinfo=UTC)   # days before the server's clock: an offline replay


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def register16(wh: int, minutes: float) -> list[dict]:
    return [{"timestamp": at(minutes), "sampled_value": [
        {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]


def register201(kwh: str, minutes: float) -> list[dict]:
    return [{"timestamp": at(minutes), "sampled_value": [
        {"value": Decimal(kwh), "measurand": "Energy.Active.Import.Register", "unit_of_measure": {"unit": "kWh"}}]}]


async def sessions(net, charge_point_id: str):
    page = await net.list_sessions(net.operator, net.org.id, SessionFilter(charge_point_id=charge_point_id),
                                   PageRequest())
    return page.items


async def test_16_boot_authorize_start_meter_stop_with_every_message_repeated(world):
    async with charge_point(world.url, "CP-1", "1.6", password=PASSWORD) as cp:
        assert await boot(cp) == 300
        assert (await cp.call(call16.Authorize(id_tag="RFID-DANA"))).id_tag_info["status"] == "Accepted"
        assert (await cp.call(call16.Authorize(id_tag="RFID-NOBODY"))).id_tag_info["status"] == "Invalid"
        start = call16.StartTransaction(connector_id=1, id_tag="RFID-DANA", meter_start=1000, timestamp=at(0))
        first, retry = await cp.call(start), await cp.call(start)
        assert first.transaction_id == retry.transaction_id and first.id_tag_info["status"] == "Accepted"
        meter = call16.MeterValues(connector_id=1, transaction_id=first.transaction_id,
                                   meter_value=register16(4000, 10))
        await cp.call(meter)
        await cp.call(meter)
        stop = call16.StopTransaction(meter_stop=9500, timestamp=at(30), transaction_id=first.transaction_id,
                                      reason="EVDisconnected", id_tag="RFID-DANA",
                                      transaction_data=register16(7000, 20))
        assert (await cp.call(stop)).id_tag_info["status"] == "Accepted"
        await cp.call(stop)
    [session] = await sessions(world, "CP-1")
    assert (session.status, session.energy_kwh, session.driver_id) == (SessionStatus.COMPLETED, Decimal("8.5"),
                                                                       world.dana.id)
    assert (session.started_at, session.stopped_at) == (T0, T0 + timedelta(minutes=30))


async def test_201_transaction_events_repeated_and_out_of_order_make_one_session(world):
    def event(kind: str, seq: int, minutes: float, kwh: str, **extra) -> call201.TransactionEvent:
        return call201.TransactionEvent(event_type=kind, timestamp=at(minutes), trigger_reason="MeterValuePeriodic",
                                        seq_no=seq,
                                        transaction_info={"transaction_id": "tx-1", **extra.pop("info", {})},
                                        meter_value=register201(kwh, minutes), **extra)
    started = event("Started", 0, 0, "1.5", info={"charging_state": "Charging"}, evse={"id": 1, "connector_id": 1},
                    id_token={"id_token": "RFID-ELI", "type": "Central"})
    updated = event("Updated", 1, 15, "4.5", offline=True)
    ended = event("Ended", 2, 30, "9.5", info={"stopped_reason": "Local"})
    async with charge_point(world.url, "CP-2", "2.0.1") as cp:
        assert await boot(cp) == 300
        assert (await cp.call(call201.Authorize(id_token={"id_token": "RFID-ELI", "type": "Central"}))
                ).id_token_info["status"] == "Accepted"
        answers = [await cp.call(message) for message in (updated, started, ended, started, updated, ended)]
    assert answers[1].id_token_info == {"status": "Accepted"} and answers[0].id_token_info is None
    [session] = await sessions(world, "CP-2")
    assert (session.status, session.energy_kwh, session.driver_id, session.offline) == (
        SessionStatus.COMPLETED, Decimal(8), world.eli.id, True)


async def test_status_and_heartbeat_reach_the_charge_point_record(world):
    async with charge_point(world.url, "CP-2", "2.0.1") as cp:
        await boot(cp)
        later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()   # newer than the boot's "Available"
        await cp.call(call201.StatusNotification(timestamp=later, connector_status="Occupied", evse_id=1,
                                                 connector_id=1))
        await cp.call(call201.StatusNotification(timestamp=at(1), connector_status="Faulted", evse_id=1,
                                                 connector_id=1))   # a late replay changes nothing
        await cp.call(call201.Heartbeat())
        stored = stored_charge_point(world, "CP-2")
        assert (stored.online, stored.ocpp_version, stored.vendor) == (True, "2.0.1", "Charge")
        assert [(c.evse_id, c.connector_id, c.status) for c in stored.connectors] == [(1, 1, "Occupied")]
    await until(lambda: stored_charge_point(world, "CP-2").online is False)


async def test_a_reconnect_replaces_the_old_connection_and_stays_online(world):
    async with charge_point(world.url, "CP-2", "1.6") as old:
        await boot(old)
        async with charge_point(world.url, "CP-2", "2.0.1") as new:
            await old._connection.wait_closed()
            assert old._connection.close_code == 1008
            assert world.registry.get("CP-2").ocpp_version == "2.0.1"
            await boot(new)
            assert stored_charge_point(world, "CP-2").online is True
            assert stored_charge_point(world, "CP-2").ocpp_version == "2.0.1"
    await until(lambda: "CP-2" not in world.registry and stored_charge_point(world, "CP-2").online is False)


async def test_a_slow_disconnection_record_never_overtakes_the_reconnect(world):
    recorded = world.use_cases.charge_point_disconnected

    async def slow_disconnected(charge_point_id: str) -> None:
        await asyncio.sleep(0.2)   # the database is slow just as the charge point comes back
        await recorded(charge_point_id)

    world.use_cases.charge_point_disconnected = slow_disconnected
    async with charge_point(world.url, "CP-2", "1.6"):
        await until(lambda: "CP-2" in world.registry)
    await until(lambda: "CP-2" not in world.registry)   # its "disconnected" is being recorded now
    async with charge_point(world.url, "CP-2", "2.0.1") as again:
        await boot(again)
        await asyncio.sleep(0.3)
        assert stored_charge_point(world, "CP-2").online is True
