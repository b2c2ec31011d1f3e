"""Charge points' own changes, grouped: many in one commit, in order, each failing alone."""

from __future__ import annotations

import asyncio

import pytest

from application import charge_point_events
from application.charge_point_events import Boot
from application.charge_point_writes import ChargePointWrites
from domain.errors import InvalidInput, NotFound
from tests.unit.application.charging_env import charging_env


@pytest.fixture
async def net(env):
    net = await charging_env(env)
    net.writes = ChargePointWrites(net.uow, net.clock)
    yield net
    await net.writes.close()


async def _stored(net, charge_point_id: str):
    async with net.uow(read_only=True) as uow:
        return await uow.charge_points.find(charge_point_id)


async def test_changes_queued_together_share_one_commit_and_each_caller_gets_its_own_result(net):
    commits = net.store.commits
    connected, booted = await asyncio.gather(
        charge_point_events.charge_point_connected("CP-1", "ocpp1.6", uow_factory=net.uow, clock=net.clock,
                                                   writes=net.writes),
        charge_point_events.boot(Boot("CP-2", "Alfen", "Eve"), uow_factory=net.uow, clock=net.clock,
                                 writes=net.writes))
    assert connected is None and booted.current_time == net.clock.now() and booted.status == "Accepted"
    assert net.store.commits == commits + 1 and (net.writes.commits, net.writes.applied) == (1, 2)
    assert (await _stored(net, "CP-1")).online
    cp2 = await _stored(net, "CP-2")
    assert (cp2.vendor, cp2.model, cp2.last_boot_at) == ("Alfen", "Eve", net.clock.now())


async def test_changes_of_one_charge_point_apply_in_the_order_they_were_queued(net):
    # A reconnect: the old connection's close and the new one's open arrive together; the last one wins.
    await asyncio.gather(
        charge_point_events.charge_point_connected("CP-1", "ocpp1.6", uow_factory=net.uow, clock=net.clock,
                                                   writes=net.writes),
        charge_point_events.charge_point_disconnected("CP-1", uow_factory=net.uow, clock=net.clock,
                                                      writes=net.writes),
        charge_point_events.charge_point_connected("CP-1", "ocpp2.0.1", uow_factory=net.uow, clock=net.clock,
                                                   writes=net.writes))
    stored = await _stored(net, "CP-1")
    assert stored.online and stored.ocpp_version == "ocpp2.0.1"
    assert net.writes.commits == 1


async def test_an_unknown_charge_point_fails_alone(net):
    outcomes = await asyncio.gather(
        net.writes.apply("CP-NOBODY", lambda cp, now: cp.heartbeat(now)),
        net.writes.apply("CP-1", lambda cp, now: cp.heartbeat(now) or "beat"), return_exceptions=True)
    assert isinstance(outcomes[0], NotFound) and outcomes[1] == "beat"
    assert net.writes.commits == 1
    assert (await _stored(net, "CP-1")).last_heartbeat_at == net.clock.now()


async def test_a_failing_change_fails_alone_and_leaves_nothing_half_written(net):
    def refuse(charge_point, now):
        charge_point.heartbeat(now)   # changed in memory, then refused: must not be stored
        raise InvalidInput.field("vendor", "refused")

    before = await _stored(net, "CP-2")
    outcomes = await asyncio.gather(
        net.writes.apply("CP-2", refuse),
        net.writes.apply("CP-1", lambda cp, now: cp.connected("ocpp1.6", now)), return_exceptions=True)
    assert isinstance(outcomes[0], InvalidInput) and outcomes[1] is None
    assert await _stored(net, "CP-2") == before
    assert (await _stored(net, "CP-1")).online


async def test_close_writes_what_is_queued_and_the_next_change_starts_again(net):
    pending = asyncio.ensure_future(net.writes.apply("CP-1", lambda cp, now: cp.connected("ocpp1.6", now)))
    await asyncio.sleep(0)
    await net.writes.close()
    assert pending.done() and pending.result() is None
    assert (await _stored(net, "CP-1")).online
    await net.writes.apply("CP-1", lambda cp, now: cp.disconnected(now))
    assert not (await _stored(net, "CP-1")).online


async def test_a_batch_is_never_larger_than_its_limit(net):
    writes = ChargePointWrites(net.uow, net.clock, max_batch=2)
    await asyncio.gather(*(writes.apply(cp, lambda c, now: c.heartbeat(now)) for cp in ("CP-1", "CP-2") * 3))
    assert (writes.commits, writes.applied) == (3, 6)
    await writes.close()
