"""Live streams on fakes: a session's start, meter updates with the cost so far, and completion with the final
cost, in order; resuming from a position yields what was missed, once; status changes likewise; only the
organization's, only for those who may read it; and the meter path's hook costs nothing when nobody watches."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application import charge_point_events, live_streams
from application.charge_point_events import StatusReport
from application.event_feed import FeedSequencer
from application.live_sessions import LiveSessions
from application.live_streams import SessionCompletedItem, SessionMeterItem, SessionStartedItem, StatusItem, Watching
from application.transactions import MeterValues, StartTransaction, StopTransaction
from domain.charging import ENERGY_REGISTER, MeterSample
from domain.errors import NotFound
from domain.identity import Role
from tests.unit.application.charging_env import charging_env
from tests.unit.application.helpers import join, organization, user

T = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
WAIT = 2.0


@pytest.fixture
async def net(env):
    world = await charging_env(env)
    world.clock.current = T
    world.live = live = LiveSessions()
    # As in the container: committed events are numbered for the feed, then the watchers are woken.
    env.dispatcher.listen(FeedSequencer(world.store.unit_of_work, [live.events_committed]).request)
    p = functools.partial
    world.meter_values = p(world.meter_values.func, **world.meter_values.keywords, live=live)
    world.watch_sessions = p(live_streams.watch_sessions, uow_factory=world.uow, live=live, clock=world.clock,
                             poll_seconds=0.05)
    world.watch_status = p(live_streams.watch_status, uow_factory=world.uow, live=live, poll_seconds=0.05)
    world.connected = p(charge_point_events.charge_point_connected, uow_factory=world.uow, clock=world.clock)
    tariff = await world.create_tariff({"currency": "GBP", "name": "0.30/kWh", "elements": [{"price_components": [
        {"type": "ENERGY", "price": "0.30", "step_size": 1}]}]}, world.operator, world.org.id)
    await world.assign_cp("CP-1", tariff.id, world.operator, world.org.id)
    return world


class Reader:
    """Reads a stream on a task of its own, as a client would (cancelling a pending ``anext`` would end it);
    ``opened`` is where the stream said it starts (its first item)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.items: asyncio.Queue = asyncio.Queue()
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for item in self.stream:
                if isinstance(item, Watching):
                    self.opened.set_result(item.position)
                    continue
                await self.items.put(item)
        except Exception as exc:
            await self.items.put(exc)

    async def aclose(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def next_item(reader: Reader):
    item = await asyncio.wait_for(reader.items.get(), WAIT)
    if isinstance(item, Exception):
        raise item
    return item


async def nothing_more(reader: Reader, seconds: float = 0.2) -> None:
    await asyncio.sleep(seconds)
    assert reader.items.empty(), reader.items.get_nowait()


def reading(minutes: int, wh: int) -> tuple[MeterSample, ...]:
    return (MeterSample(T + timedelta(minutes=minutes), ENERGY_REGISTER, Decimal(wh), unit="Wh"),)


async def test_a_session_streams_started_meter_updates_and_completed_with_its_final_cost(net):
    stream = Reader(net.watch_sessions(net.operator, net.org.id, None))
    await nothing_more(stream)                        # from now on: nothing has happened yet
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    tx = str(started.transaction_id)
    first = await next_item(stream)
    assert isinstance(first, SessionStartedItem) and first.position > await stream.opened
    assert (first.event.session_id, first.event.driver_id, first.event.connector_id) == (
        started.session_id, net.dana.id, 1)
    net.clock.current = T + timedelta(minutes=30)
    await net.meter_values(MeterValues("CP-1", reading(30, 5_000), tx, 1))
    meter = await next_item(stream)
    assert isinstance(meter, SessionMeterItem) and meter.update.session_id == started.session_id
    assert meter.energy_kwh == Decimal(5) and meter.estimate is not None
    assert (meter.estimate.currency, meter.estimate.total) == ("GBP", Decimal("1.50"))
    assert meter.position >= first.position            # a meter update is no event of the feed: not replayed
    await net.stop(StopTransaction("CP-1", tx, Decimal(10_000), T + timedelta(hours=1), "Local"))
    completed = await next_item(stream)
    assert isinstance(completed, SessionCompletedItem) and completed.event.session_id == started.session_id
    assert completed.position > first.position
    stored = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert completed.final_cost is not None and completed.final_cost == stored.cost   # what it is billed
    assert completed.final_cost.total == Decimal("3.00")
    await nothing_more(stream)
    await stream.aclose()


async def test_a_stream_resumed_from_a_position_gets_what_it_missed_once_in_order(net):
    stream = Reader(net.watch_sessions(net.operator, net.org.id, None))
    await nothing_more(stream)
    one = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    seen = await next_item(stream)
    await stream.aclose()                              # the client goes away after the first start
    await net.stop(StopTransaction("CP-1", str(one.transaction_id), Decimal(2_000), T + timedelta(minutes=5), None))
    two = await net.start(StartTransaction("CP-2", 1, "RFID-ELI", Decimal(0), T + timedelta(minutes=6)))
    resumed = Reader(net.watch_sessions(net.operator, net.org.id, seen.position))
    missed = [await next_item(resumed), await next_item(resumed)]
    assert [(type(i).__name__, i.event.session_id) for i in missed] == [
        ("SessionCompletedItem", one.session_id), ("SessionStartedItem", two.session_id)]
    assert missed[0].final_cost is not None and missed[0].final_cost.total == Decimal("0.60")
    assert missed[0].position < missed[1].position
    await nothing_more(resumed)
    await resumed.aclose()
    again = Reader(net.watch_sessions(net.operator, net.org.id, missed[1].position))
    await nothing_more(again)                          # nothing twice
    await again.aclose()


async def test_a_stream_of_one_charge_point_shows_only_its_sessions(net):
    stream = Reader(net.watch_sessions(net.operator, net.org.id, None, "CP-2"))
    await nothing_more(stream)
    await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    two = await net.start(StartTransaction("CP-2", 1, "RFID-ELI", Decimal(0), T))
    item = await next_item(stream)
    assert item.event.session_id == two.session_id
    await stream.aclose()


async def test_an_unpriced_session_completes_without_a_cost_and_its_updates_need_no_reading(net):
    stream = Reader(net.watch_sessions(net.operator, net.org.id, None, "CP-2"))   # CP-2 has no tariff
    await nothing_more(stream)
    started = await net.start(StartTransaction("CP-2", 1, "RFID-ELI", Decimal(0), T))
    await next_item(stream)
    await net.meter_values(MeterValues("CP-2", reading(10, 1_234), str(started.transaction_id), 1))
    meter = await next_item(stream)
    assert (meter.energy_kwh, meter.estimate) == (Decimal("1.234"), None)
    await net.stop(StopTransaction("CP-2", str(started.transaction_id), Decimal(2_000), T + timedelta(minutes=20),
                                   None))
    completed = await next_item(stream)
    assert isinstance(completed, SessionCompletedItem) and completed.final_cost is None
    await stream.aclose()


async def test_status_changes_stream_and_resume(net):
    stream = Reader(net.watch_status(net.operator, net.org.id, None))
    await nothing_more(stream)
    await net.status_changed(StatusReport("CP-1", 1, 1, "Available", None, T))   # offline: no change yet
    await net.connected("CP-1", "1.6")
    await net.status_changed(StatusReport("CP-1", 1, 1, "Charging", None, T))
    changes = [await next_item(stream), await next_item(stream)]
    assert all(isinstance(c, StatusItem) for c in changes)
    assert [(c.event.charge_point_id, c.event.previous_status, c.event.status) for c in changes] == [
        ("CP-1", "Offline", "Available"), ("CP-1", "Available", "Charging")]
    await stream.aclose()
    resumed = Reader(net.watch_status(net.operator, net.org.id, changes[0].position, "CP-1"))
    assert (await next_item(resumed)).event.status == "Charging"
    await nothing_more(resumed)
    await resumed.aclose()


async def test_only_those_who_may_read_the_organization_watch_it(net):
    stranger = await user(net, "stranger@example.com")
    await organization(net, stranger, "Elsewhere")
    with pytest.raises(NotFound):
        await anext(net.watch_sessions(stranger, net.org.id, None))
    with pytest.raises(NotFound):
        await anext(net.watch_status(stranger, net.org.id, None))
    viewer = await join(net, net.operator, net.org.id, "viewer@example.com", Role.VIEWER)
    stream = Reader(net.watch_sessions(viewer, net.org.id, None))
    await nothing_more(stream)
    await net.remove_member(net.org.id, viewer.user_id, net.operator)
    await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    with pytest.raises(NotFound):                      # removed meanwhile: the next read refuses it
        await next_item(stream)
    assert len(net.live) == 0                          # every watcher above has let go


def test_the_meter_hook_costs_a_lookup_when_nobody_watches_and_a_laggard_keeps_one_update_per_session():
    class Session:
        organization_id, charge_point_id, connector_id, tariff_id, last_event_at = "org_1", "CP-1", 1, None, T

        def __init__(self, id: str, wh: int) -> None:
            self.id, self.energy_wh = id, Decimal(wh)

    live = LiveSessions()
    live.meter_updated(Session("ses_a", 1))            # nobody watches: nothing kept anywhere
    with live.watch("org_1") as watch, live.watch("org_2") as elsewhere:
        for wh in (1, 2, 3):
            live.meter_updated(Session("ses_a", wh))
        live.meter_updated(Session("ses_b", 7))
        live.meter_updated(Session("ses_a", 4))
        assert [(u.session_id, u.energy_wh) for u in watch.take_updates()] == [("ses_b", 7), ("ses_a", 4)]
        assert watch.take_updates() == [] and elsewhere.take_updates() == []
    assert len(live) == 0
