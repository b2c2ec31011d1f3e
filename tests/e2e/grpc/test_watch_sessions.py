"""WatchSessions through the running server: a websocket charge point charges while a partner watches over
gRPC (a client generated from the protos in this test); a partner that reconnects with its last cursor
gets what it missed, once, in order. SQLite and PostgreSQL; OCPP 1.6 and 2.0.1."""

from __future__ import annotations

from decimal import Decimal

import pytest

from entrypoints.simulator import boot, charge_point
from tests.e2e.grpc.conftest import Stream
from tests.e2e.grpc.ocpp_sessions import Charging

TARIFF = {"name": "Depot AC", "currency": "GBP", "elements": [{"price_components": [
    {"type": "ENERGY", "price": "0.30", "step_size": 1}]}]}


async def priced_charge_point(partner, name: str) -> str:
    cp_id = (await partner.operator.charge_point(name))["id"]
    tariff = await partner.operator.post("/tariffs", TARIFF)
    await partner.operator.request("PUT", f"/charge-points/{cp_id}/tariff", {"tariff_id": tariff["id"]}, expect=200)
    await partner.operator.driver("Dana", "TAG")
    return cp_id


def watch(pb, channel, partner, cp_id: str, cursor: str = "") -> Stream:
    stub = pb.sessions_grpc.SessionServiceStub(channel)
    return Stream(stub.WatchSessions(pb.sessions.WatchSessionsRequest(cursor=cursor, charge_point_id=cp_id),
                                     metadata=partner.key()))


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_started_meter_updates_and_completed_with_the_final_cost(pb, channel, partner, version):
    cp_id = await priced_charge_point(partner, "CP-WATCH")
    stream = watch(pb, channel, partner, cp_id)
    await stream.opened()
    async with charge_point(partner.operator.ocpp_url, cp_id, version) as cp:
        await boot(cp)
        charging = Charging(cp, partner.operator.id("TAG"))
        await charging.start(0, 12_000)
        started = await stream.next()
        assert started.WhichOneof("event") == "started"
        session_id = started.started.session_id
        assert (started.started.charge_point_id, started.started.id_tag) == (cp_id, charging.tag)
        assert started.started.connector_id == 1 and started.started.HasField("started_at")

        await charging.meter(10, 15_500)
        update = await stream.next()
        assert update.WhichOneof("event") == "meter_updated"
        meter = update.meter_updated
        assert (meter.session_id, Decimal(meter.energy_kwh)) == (session_id, Decimal("3.5"))
        assert (meter.estimate.total.amount, meter.estimate.total.currency) == ("1.05", "GBP")
        await charging.meter(20, 16_500)
        assert Decimal((await stream.next()).meter_updated.energy_kwh) == Decimal("4.5")

        await charging.stop(40, 19_250)
        completed = await stream.next()
    assert completed.WhichOneof("event") == "completed"
    done = completed.completed
    assert (done.session_id, Decimal(done.energy_kwh), done.stop_reason) == (session_id, Decimal("7.25"),
                                                                              "EVDisconnected")
    billed = (await partner.operator.get(f"/sessions/{session_id}"))["cost"]
    assert billed is not None and (done.final_cost.total.amount, done.final_cost.total_excl_vat.amount,
                                   done.final_cost.vat.amount) == (billed["total"], billed["total_excl_vat"],
                                                                   billed["vat"])
    assert done.final_cost.total.amount == "2.18"    # 7.25 kWh at 0.30, rounded half-up
    assert completed.cursor not in (started.cursor, update.cursor)   # a meter update is no event of the feed
    await stream.nothing_more()
    await stream.close()


async def test_a_partner_that_reconnects_with_its_last_cursor_gets_what_it_missed(pb, channel, partner):
    cp_id = await priced_charge_point(partner, "CP-RESUME")
    first = watch(pb, channel, partner, cp_id)
    opened = await first.opened()
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        one = Charging(cp, partner.operator.id("TAG"))
        await one.start(0, 1_000)
        seen = await first.next()
        await first.close()                               # the partner goes away here
        await one.stop(10, 3_000)
        two = Charging(cp, partner.operator.id("TAG"))
        await two.start(20, 3_000)
        await two.stop(30, 4_000)

    resumed = watch(pb, channel, partner, cp_id, seen.cursor)
    missed = [await resumed.next() for _ in range(3)]
    assert [m.WhichOneof("event") for m in missed] == ["completed", "started", "completed"]
    assert missed[0].completed.session_id == seen.started.session_id
    assert missed[1].started.session_id == missed[2].completed.session_id != seen.started.session_id
    assert missed[0].completed.final_cost.total.amount == "0.60"
    await resumed.nothing_more()
    await resumed.close()

    from_the_start = watch(pb, channel, partner, cp_id, opened)   # the cursor the first stream opened at
    assert [(await from_the_start.next()).WhichOneof("event") for _ in range(4)] == [
        "started", "completed", "started", "completed"]
    await from_the_start.close()
