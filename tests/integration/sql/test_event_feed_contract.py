"""The event feed: committed events, numbered after their commit by one sequencer at a time, read back from a
position by tenant in that order, so a stream that resumes from its last position misses nothing and sees
nothing twice. Memory, SQLite and PostgreSQL behave the same; on PostgreSQL an event committed after a newer
transaction's is numbered after it (never behind a position a reader has passed), and sequencers wait for
each other."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.sql.database import Database
from application.event_feed import FeedSequencer
from application.ports import UnitOfWorkFactory
from application.ports.events import START, EventStatus, FeedPosition
from domain.errors import InvalidInput
from domain.events import DomainEvent
from domain.ids import PREFIXES, new_id
from domain.network.events import ChargePointStatusChanged, ReservationCancelled
from tests.integration.sql.builders import NOW
from tests.integration.sql.test_event_outbox_contract import completed

NAMES = ("session.completed", "charge_point.status_changed")


def status(organization_id: str, status: str = "Available") -> ChargePointStatusChanged:
    return ChargePointStatusChanged(organization_id=organization_id, occurred_at=NOW, charge_point_id="CP-1",
                                    status=status, previous_status="Offline")


def cancelled(organization_id: str) -> ReservationCancelled:
    return ReservationCancelled(organization_id=organization_id, occurred_at=NOW + timedelta(seconds=1),
                                reservation_id="rsv_1", charge_point_id="CP-1")


async def sequence(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        numbered = await uow.events.sequence(500)
        await uow.commit()
    return numbered


async def store(uow_factory: UnitOfWorkFactory, *events: DomainEvent) -> None:
    """Store and commit events no handler waits for (handled as they are stored, as the dispatcher has them)."""
    async with uow_factory() as uow:
        uow.events.settled = lambda event: True
        await uow.events.add(list(events))
        await uow.commit()


async def commit(uow_factory: UnitOfWorkFactory, *events: DomainEvent) -> None:
    """Store and commit the events, then number them as the sequencer does after a commit."""
    await store(uow_factory, *events)
    await sequence(uow_factory)


class TestEventFeed:
    async def test_events_read_back_in_order_by_tenant(self, uow_factory: UnitOfWorkFactory) -> None:
        mine, theirs = new_id(PREFIXES["organization"]), new_id(PREFIXES["organization"])
        first, second, third = completed(mine), status(mine), status(mine, "Charging")
        await commit(uow_factory, first)
        await commit(uow_factory, cancelled(mine), status(theirs))
        await commit(uow_factory, second)
        await commit(uow_factory, third)
        async with uow_factory(read_only=True) as uow:
            read = await uow.events.feed(mine, START, NAMES, 10)
            assert [s.event for s in read.events] == [first, second, third] and not read.full
            positions = [s.position for s in read.events]
            assert all(p is not None for p in positions) and positions == sorted(set(positions))
            assert read.through == positions[-1] == await uow.events.feed_head(mine)
            after_first = await uow.events.feed(mine, positions[0], NAMES, 2)
            assert [s.event for s in after_first.events] == [second] and after_first.full   # read 2: cancelled too
            assert (await uow.events.feed(mine, positions[-1], NAMES, 10)).events == []
            assert [s.event.organization_id for s in (await uow.events.feed(theirs, START, NAMES, 10)).events] == [
                theirs]
            assert await uow.events.feed_head(new_id(PREFIXES["organization"])) == START

    async def test_a_read_moves_past_events_of_other_names(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = new_id(PREFIXES["organization"])
        await commit(uow_factory, *(cancelled(organization) for _ in range(3)))
        async with uow_factory(read_only=True) as uow:
            head = await uow.events.feed_head(organization)
            read = await uow.events.feed(organization, START, NAMES, 10)
        assert (read.events, read.through) == ([], head)      # nothing named, but read through to the head

    async def test_reading_from_the_head_yields_only_what_comes_after(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = new_id(PREFIXES["organization"])
        await commit(uow_factory, status(organization))
        async with uow_factory(read_only=True) as uow:
            head = await uow.events.feed_head(organization)
            assert head != START
        later = completed(organization)
        await commit(uow_factory, later)
        async with uow_factory(read_only=True) as uow:
            assert [s.event for s in (await uow.events.feed(organization, head, NAMES, 10)).events] == [later]

    async def test_a_pending_event_takes_its_place_once_handled(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = new_id(PREFIXES["organization"])
        pending, later = completed(organization), status(organization)
        async with uow_factory() as uow:
            await uow.events.add([pending])                   # a handler waits for it
            await uow.commit()
        await commit(uow_factory, later)
        async with uow_factory(read_only=True) as uow:
            first = await uow.events.feed(organization, START, NAMES, 10)
        assert [s.event for s in first.events] == [later]     # the dispatcher's, until handled
        async with uow_factory() as uow:
            [claimed] = await uow.events.claim(NOW, NOW + timedelta(minutes=1), 10, ids=[pending.id])
            claimed.status, claimed.handled_at = EventStatus.HANDLED, NOW
            await uow.events.save(claimed)
            await uow.commit()
        await sequence(uow_factory)
        async with uow_factory(read_only=True) as uow:
            assert [s.event for s in (await uow.events.feed(organization, first.through, NAMES, 10)).events] == [
                pending]

    async def test_a_rolled_back_event_never_appears(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = new_id(PREFIXES["organization"])
        kept_before, dropped, kept_after = status(organization), completed(organization), completed(organization)
        await commit(uow_factory, kept_before)
        async with uow_factory() as uow:
            await uow.events.add([dropped])
            await uow.rollback()
        await commit(uow_factory, kept_after)
        async with uow_factory(read_only=True) as uow:
            read = await uow.events.feed(organization, START, NAMES, 10)
        assert [s.event for s in read.events] == [kept_before, kept_after]


async def test_events_are_numbered_once_and_only_once_committed(database_url: str) -> None:
    database = Database(database_url)
    try:
        organization = new_id(PREFIXES["organization"])
        await store(database.unit_of_work, status(organization), completed(organization))
        async with database.unit_of_work(read_only=True) as uow:
            assert (await uow.events.feed(organization, START, NAMES, 10)).events == []   # not numbered yet
        assert await sequence(database.unit_of_work) >= 2
        assert await sequence(database.unit_of_work) == 0
        async with database.unit_of_work(read_only=True) as uow:
            assert len((await uow.events.feed(organization, START, NAMES, 10)).events) == 2
    finally:
        await database.dispose()


async def test_the_sequencer_numbers_in_the_background_and_then_wakes_the_watchers(database_url: str) -> None:
    database = Database(database_url)
    woken: list[str] = []
    sequencer = FeedSequencer(database.unit_of_work, [lambda: woken.append("woken")])
    try:
        organization = new_id(PREFIXES["organization"])
        await store(database.unit_of_work, status(organization))
        sequencer.request()                                   # what the dispatcher does after a commit
        sequencer.request()                                   # coalesced with the first
        await sequencer.close()
        assert woken == ["woken"]
        async with database.unit_of_work(read_only=True) as uow:
            assert len((await uow.events.feed(organization, START, NAMES, 10)).events) == 1
        await store(database.unit_of_work, completed(organization))   # a process stopped before numbering it
        assert await sequencer.sequence_pending() == 1        # the server's sweep
        assert await sequencer.sequence_pending() == 0
        assert woken == ["woken", "woken"]
    finally:
        await database.dispose()


@pytest.mark.postgres_only   # SQLite's writers are serial: a second writer waits for the first to commit
async def test_an_event_committed_late_is_numbered_after_what_a_reader_has_passed(database_url: str) -> None:
    database = Database(database_url)
    try:
        organization = new_id(PREFIXES["organization"])
        older, newer = completed(organization), status(organization)
        async with database.unit_of_work() as running:
            running.events.settled = lambda event: True
            await running.events.add([older])                 # stored first, committed last
            await commit(database.unit_of_work, newer)
            async with database.unit_of_work(read_only=True) as uow:
                passed = await uow.events.feed(organization, START, NAMES, 10)
            assert [s.event for s in passed.events] == [newer]
            await running.commit()
        await sequence(database.unit_of_work)
        async with database.unit_of_work(read_only=True) as uow:
            assert [s.event for s in (await uow.events.feed(organization, passed.through, NAMES, 10)).events] == [
                older]                                        # after the position passed, not behind it
    finally:
        await database.dispose()


@pytest.mark.postgres_only   # on SQLite the write lock alone keeps sequencers apart
async def test_sequencers_on_several_nodes_number_one_at_a_time(database_url: str) -> None:
    database = Database(database_url)
    try:
        organization = new_id(PREFIXES["organization"])
        await store(database.unit_of_work, status(organization))
        async with database.unit_of_work() as first:
            assert await first.events.sequence(500) >= 1
            await store(database.unit_of_work, completed(organization))
            second = asyncio.ensure_future(sequence(database.unit_of_work))
            await asyncio.sleep(0.3)
            assert not second.done()                          # waits for the first sequencer's transaction
            await first.commit()
        assert await asyncio.wait_for(second, 10) >= 1
        async with database.unit_of_work(read_only=True) as uow:
            read = await uow.events.feed(organization, START, NAMES, 10)
        assert [s.event.name for s in read.events] == ["charge_point.status_changed", "session.completed"]
    finally:
        await database.dispose()


@pytest.mark.parametrize("position", [START, FeedPosition(42), FeedPosition(2**63 - 1)])
def test_a_position_travels_as_an_opaque_cursor(position: FeedPosition) -> None:
    assert FeedPosition.from_token(position.token()) == position


@pytest.mark.parametrize("token", ["", "abc", "ZmVlZC4y!", "x" * 61, "bm90IGEgY3Vyc29y", "ZmVlZC4y\u00e9",
                                   FeedPosition(2**63).token()])
def test_a_cursor_it_did_not_make_is_invalid_input(token: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        FeedPosition.from_token(token, "cursor")
    assert [e.field for e in refused.value.errors] == ["cursor"]
