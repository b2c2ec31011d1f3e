"""The event feed: committed events read back in commit order from a position, by name and tenant, so a
stream that resumes from its last position misses nothing and sees nothing twice. Memory, SQLite and
PostgreSQL behave the same; on PostgreSQL an event of a transaction still running holds back the events of
transactions that began after it (they could otherwise be read, and passed, before it commits)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.sql.database import Database
from application.ports import UnitOfWorkFactory
from application.ports.events import START, FeedPosition
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


async def _commit(uow_factory: UnitOfWorkFactory, *events: DomainEvent) -> None:
    async with uow_factory() as uow:
        await uow.events.add(list(events))
        await uow.commit()


class TestEventFeed:
    async def test_events_read_back_in_commit_order_by_name_and_tenant(self, uow_factory: UnitOfWorkFactory) -> None:
        mine, theirs = new_id(PREFIXES["organization"]), new_id(PREFIXES["organization"])
        first, second, third = completed(mine), status(mine), status(mine, "Charging")
        await _commit(uow_factory, first, cancelled(mine), status(theirs))
        await _commit(uow_factory, second)
        await _commit(uow_factory, third)
        async with uow_factory(read_only=True) as uow:
            feed = await uow.events.feed(mine, START, NAMES, 10)
            assert [s.event for s in feed] == [first, second, third]
            positions = [s.position for s in feed]
            assert all(p is not None for p in positions) and positions == sorted(set(positions))
            assert await uow.events.feed_head(mine) >= positions[-1]
            assert [s.event for s in await uow.events.feed(mine, positions[0], NAMES, 1)] == [second]
            assert [s.event for s in await uow.events.feed(mine, positions[0], ["session.completed"], 10)] == []
            assert await uow.events.feed(mine, positions[-1], NAMES, 10) == []
            assert [s.event.organization_id for s in await uow.events.feed(theirs, START, NAMES, 10)] == [theirs]
            assert await uow.events.feed_head(new_id(PREFIXES["organization"])) == START

    async def test_reading_from_the_head_yields_only_what_comes_after(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = new_id(PREFIXES["organization"])
        await _commit(uow_factory, status(organization))
        async with uow_factory(read_only=True) as uow:
            head = await uow.events.feed_head(organization)
            assert head != START
        later = completed(organization)
        await _commit(uow_factory, later)
        async with uow_factory(read_only=True) as uow:
            assert [s.event for s in await uow.events.feed(organization, head, NAMES, 10)] == [later]

    async def test_a_rolled_back_event_never_appears(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = new_id(PREFIXES["organization"])
        kept_before, dropped, kept_after = status(organization), completed(organization), completed(organization)
        await _commit(uow_factory, kept_before)
        async with uow_factory() as uow:
            await uow.events.add([dropped])
            await uow.rollback()
        await _commit(uow_factory, kept_after)
        async with uow_factory(read_only=True) as uow:
            assert [s.event for s in await uow.events.feed(organization, START, NAMES, 10)] == [kept_before,
                                                                                              kept_after]


@pytest.mark.postgres_only   # SQLite's writers are serial: a second writer waits for the first to commit
async def test_an_open_transaction_holds_back_the_events_of_newer_ones(database_url: str) -> None:
    database = Database(database_url)
    try:
        organization = new_id(PREFIXES["organization"])
        older, newer = completed(organization), status(organization)
        async with database.unit_of_work() as running:
            await running.events.add([older])                 # takes the older transaction id
            await _commit(database.unit_of_work, newer)       # a newer transaction commits first
            async with database.unit_of_work(read_only=True) as uow:
                assert await uow.events.feed(organization, START, NAMES, 10) == []
                assert await uow.events.feed_head(organization) == START
            await running.commit()
        async with database.unit_of_work(read_only=True) as uow:
            feed = await uow.events.feed(organization, START, NAMES, 10)
        assert [s.event for s in feed] == [older, newer]      # in the order a reader could first see them
    finally:
        await database.dispose()


@pytest.mark.parametrize("position", [START, FeedPosition(123456789012, 42), FeedPosition(2**63 - 1, 2**63 - 1)])
def test_a_position_travels_as_an_opaque_cursor(position: FeedPosition) -> None:
    assert FeedPosition.from_token(position.token()) == position


@pytest.mark.parametrize("token", ["", "abc", "MS4y!", "x" * 61, "bm90IGEgY3Vyc29y", "MS4y\u00e9",
                                   FeedPosition(2**63, 1).token()])
def test_a_cursor_it_did_not_make_is_invalid_input(token: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        FeedPosition.from_token(token, "cursor")
    assert [e.field for e in refused.value.errors] == ["cursor"]
