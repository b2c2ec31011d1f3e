"""The event dispatcher: committed events reach their handlers once; failures, crashes and leases on the fakes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from adapters.memory import InMemoryStore
from application.events import MAX_ATTEMPTS, EventDispatcher, backoff
from application.ports.events import EventStatus
from domain.charging.events import SessionCompleted, SessionPriced
from domain.network.events import ReservationCreated
from tests.fakes import FakeClock

ORG = "org_01JD0000000000000000000000"


def completed(session_id: str = "ses_1") -> SessionCompleted:
    clock = FakeClock()
    return SessionCompleted(organization_id=ORG, occurred_at=clock.now(), session_id=session_id,
                            charge_point_id="CP-1", started_at=None, stopped_at=None, energy_wh=Decimal(0),
                            stop_reason=None)


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.seen: list[str] = []
        self.fail = fail

    async def __call__(self, event, *, uow_factory) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("handler broke")
        self.seen.append(event.id)


@pytest.fixture
def world():
    clock = FakeClock()
    store = InMemoryStore(now=clock.now)
    recorder = Recorder()
    dispatcher = EventDispatcher(store.unit_of_work, clock, {SessionCompleted: [recorder]})
    return store, clock, recorder, dispatcher


async def _status(store: InMemoryStore, event_id: str):
    async with store.unit_of_work() as uow:
        return await uow.events.get(ORG, event_id)


async def test_committed_events_reach_their_handlers_once_and_are_marked_handled(world):
    store, _, recorder, dispatcher = world
    event, other = completed(), ReservationCreated(organization_id=ORG, occurred_at=FakeClock().now(),
                                                   reservation_id="rsv_1", charge_point_id="CP-1", connector_id=1,
                                                   id_tag="T", expires_at=FakeClock().now())
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([event, other])
        await uow.commit()
        assert recorder.seen == []          # not before the unit of work has closed
    assert recorder.seen == [event.id]
    assert (await _status(store, event.id)).status is EventStatus.HANDLED
    assert (await _status(store, other.id)).status is EventStatus.HANDLED   # no handler: nothing to wait for
    assert await dispatcher.dispatch_pending() == 0
    assert recorder.seen == [event.id]


async def test_a_rolled_back_change_sends_nothing(world):
    _, _, recorder, dispatcher = world
    with pytest.raises(ZeroDivisionError):
        async with dispatcher.unit_of_work() as uow:
            await uow.events.add([completed()])
            raise ZeroDivisionError
    assert recorder.seen == [] and await dispatcher.dispatch_pending() == 0


async def test_a_crash_between_commit_and_handling_is_handled_once_by_the_sweep(world):
    store, _, recorder, dispatcher = world
    event = completed()
    async with store.unit_of_work() as uow:   # committed, and the process died before dispatching
        await uow.events.add([event])
        await uow.commit()
    assert recorder.seen == []
    assert await dispatcher.dispatch_pending() == 1
    assert await dispatcher.dispatch_pending() == 0
    assert recorder.seen == [event.id]


async def test_an_event_leased_by_a_dispatcher_that_died_waits_for_its_lease(world):
    store, clock, recorder, dispatcher = world
    event = completed()
    async with store.unit_of_work() as uow:
        await uow.events.add([event])
        await uow.commit()
    async with store.unit_of_work() as uow:   # another dispatcher claimed it, then died
        await uow.events.claim(clock.now(), clock.now() + timedelta(seconds=60), 10)
        await uow.commit()
    assert await dispatcher.dispatch_pending() == 0
    clock.advance(seconds=61)
    assert await dispatcher.dispatch_pending() == 1 and recorder.seen == [event.id]


async def test_a_failing_handler_leaves_its_event_pending_and_it_is_retried_with_backoff(world):
    store, clock, recorder, dispatcher = world
    recorder.fail = 2
    event = completed()
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([event])
        await uow.commit()
    stored = await _status(store, event.id)
    assert (stored.status, stored.attempts, stored.last_error) == (EventStatus.PENDING, 1,
                                                                  "RuntimeError: handler broke")
    assert await dispatcher.dispatch_pending() == 0            # not due yet
    clock.advance(seconds=backoff(1).total_seconds())
    assert await dispatcher.dispatch_pending() == 1 and recorder.seen == []
    clock.advance(seconds=backoff(2).total_seconds())
    assert await dispatcher.dispatch_pending() == 1 and recorder.seen == [event.id]
    assert (await _status(store, event.id)).status is EventStatus.HANDLED


async def test_an_event_whose_handler_keeps_failing_is_given_up_as_dead(world):
    store, clock, recorder, dispatcher = world
    recorder.fail = 10**6
    event = completed()
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([event])
        await uow.commit()
    for _ in range(MAX_ATTEMPTS + 3):
        clock.advance(hours=2)
        await dispatcher.dispatch_pending()
    stored = await _status(store, event.id)
    assert (stored.status, stored.attempts) == (EventStatus.DEAD, MAX_ATTEMPTS)


async def test_events_a_handler_raises_are_dispatched_in_turn(world):
    store, clock, _, _ = world
    priced: list[str] = []

    async def price(event, *, uow_factory) -> None:
        async with uow_factory() as uow:
            await uow.events.add([SessionPriced(organization_id=ORG, occurred_at=clock.now(),
                                                session_id=event.session_id, currency="EUR",
                                                total_excl_vat=Decimal(1), vat=Decimal(0), total=Decimal(1))])
            await uow.commit()

    async def record_priced(event, *, uow_factory) -> None:
        priced.append(event.session_id)

    dispatcher = EventDispatcher(store.unit_of_work, clock, {SessionCompleted: [price],
                                                             SessionPriced: [record_priced]})
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([completed("ses_9")])
        await uow.commit()
    assert priced == ["ses_9"]


async def test_a_reaction_run_in_the_storing_transaction_fails_the_commit_and_nothing_is_stored():
    clock = FakeClock()
    store = InMemoryStore(now=clock.now)
    ran: list[str] = []

    async def reaction(event, uow) -> None:
        ran.append(event.id)
        if len(ran) == 1:
            raise RuntimeError("reaction broke")

    dispatcher = EventDispatcher(store.unit_of_work, clock, {}, in_transaction={SessionCompleted: reaction})
    first, second = completed("ses_1"), completed("ses_2")
    with pytest.raises(RuntimeError):
        async with dispatcher.unit_of_work() as uow:
            await uow.events.add([first])
            await uow.commit()
    assert await _status(store, first.id) is None          # the change and its event rolled back together
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([second])
        await uow.commit()
    assert ran == [first.id, second.id]
    assert (await _status(store, second.id)).status is EventStatus.HANDLED
    assert await dispatcher.dispatch_pending() == 0
