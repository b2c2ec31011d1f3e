"""WatchStatus through the running server: a charge point connecting and charging changes its one-word status;
a partner resuming from a cursor gets the changes it missed. SQLite and PostgreSQL."""

from __future__ import annotations

from ocpp.v16 import call as call16

from entrypoints.simulator import boot, charge_point, now
from tests.e2e.grpc.conftest import Stream


def watch(pb, channel, partner, cp_id: str, cursor: str = "") -> Stream:
    stub = pb.charge_points_grpc.ChargePointServiceStub(channel)
    return Stream(stub.WatchStatus(pb.charge_points.WatchStatusRequest(cursor=cursor, charge_point_id=cp_id),
                                   metadata=partner.key()))


async def test_status_changes_stream_and_a_reconnecting_partner_gets_what_it_missed(pb, channel, partner):
    cp_id = (await partner.operator.charge_point("CP-STATUS"))["id"]
    stream = watch(pb, channel, partner, cp_id)
    await stream.opened()
    s = pb.charge_points
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)                                # connected, then its connector Available
        first = await stream.next()
        assert (first.charge_point_id, first.previous_status) == (cp_id, s.CHARGE_POINT_STATUS_OFFLINE)
        changes = [first]
        while changes[-1].status != s.CHARGE_POINT_STATUS_AVAILABLE:
            changes.append(await stream.next())
        await stream.close()                          # the partner goes away
        await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging",
                                                timestamp=now()))
    resumed = watch(pb, channel, partner, cp_id, changes[-1].cursor)
    charging, offline = await resumed.next(), await resumed.next()
    assert [(c.previous_status, c.status) for c in (charging, offline)] == [
        (s.CHARGE_POINT_STATUS_AVAILABLE, s.CHARGE_POINT_STATUS_CHARGING),
        (s.CHARGE_POINT_STATUS_CHARGING, s.CHARGE_POINT_STATUS_OFFLINE)]
    assert charging.HasField("changed_at") and charging.cursor != offline.cursor
    await resumed.nothing_more()
    await resumed.close()
