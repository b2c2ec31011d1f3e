"""The event outbox in SQL: events inserted in the change's transaction, claimed with a lease, marked handled."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Row, bindparam, func, literal, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.codecs import event_from_json, event_to_json
from adapters.sql.repositories._statements import fetch_page, insert_many
from adapters.sql.tables import FEED_SEQUENCE, domain_events
from application.pagination import Page, PageRequest
from application.ports.events import START, EventStatus, FeedPosition, FeedRead, StoredEvent
from domain.events import DomainEvent


def _from_row(row: Row[Any]) -> StoredEvent:
    return StoredEvent(event=event_from_json(row.name, row.payload), recorded_at=row.recorded_at,
                       status=EventStatus(row.status), attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                       handled_at=row.handled_at, last_error=row.last_error,
                       position=FeedPosition(row.seq) if row.seq is not None else None)


# Any constant will do: the sequencers of every node take this advisory lock, so they number one at a time.
_SEQUENCER_LOCK = 0x63686172_6765   # "charge"
# Only events past their handlers: a pending one is the dispatcher's (its claim skips rows another transaction
# holds), and comes once handled, or given up.
_UNSEQUENCED = (select(domain_events.c.id)
                .where(domain_events.c.seq.is_(None), domain_events.c.status != EventStatus.PENDING.value)
                .order_by(domain_events.c.recorded_at, domain_events.c.id).limit(bindparam("limit")))


class SqlEvents:
    def __init__(self, connection: AsyncConnection, now: Callable[[], datetime]) -> None:
        self._connection = connection
        self._now = now
        self.recorded: list[str] = []      # added in this transaction, not committed yet
        self.settled: Callable[[DomainEvent], bool] | None = None

    async def add(self, events: Sequence[DomainEvent]) -> None:
        if not events:
            return
        recorded_at = self._now()
        settled = {e.id for e in events if self.settled is not None and self.settled(e)}
        rows = [{"id": e.id, "organization_id": e.organization_id, "name": e.name, "occurred_at": e.occurred_at,
                 "recorded_at": recorded_at, "payload": event_to_json(e),
                 "status": (EventStatus.HANDLED if e.id in settled else EventStatus.PENDING).value, "attempts": 0,
                 "next_attempt_at": None, "handled_at": recorded_at if e.id in settled else None, "last_error": None}
                for e in events]
        await insert_many(self._connection, domain_events, rows, lambda insert: insert)
        self.recorded.extend(e.id for e in events if e.id not in settled)

    async def claim(self, now: datetime, lease_until: datetime, limit: int,
                    ids: Sequence[str] | None = None) -> list[StoredEvent]:
        t = domain_events
        due = (select(t).where(t.c.status == EventStatus.PENDING.value,
                               or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now))
               .order_by(t.c.id).limit(limit))
        if ids is not None:
            due = due.where(t.c.id.in_(list(ids)))
        if self._connection.dialect.name == "postgresql":
            # Rows another dispatcher is claiming now are skipped, not waited for (their lease decides).
            due = due.with_for_update(skip_locked=True)
        # On SQLite the unit of work holds the write lock (BEGIN IMMEDIATE) from the first statement.
        claimed = [_from_row(row) for row in await self._connection.execute(due)]
        if claimed:
            await self._connection.execute(update(t).where(t.c.id.in_([e.id for e in claimed]))
                                           .values(next_attempt_at=lease_until, attempts=t.c.attempts + 1))
        for stored in claimed:
            stored.next_attempt_at, stored.attempts = lease_until, stored.attempts + 1
        return claimed

    async def save(self, stored: StoredEvent) -> None:
        await self._connection.execute(
            update(domain_events).where(domain_events.c.id == stored.id)
            .values(status=stored.status.value, attempts=stored.attempts, next_attempt_at=stored.next_attempt_at,
                    handled_at=stored.handled_at, last_error=stored.last_error))

    async def get(self, organization_id: str, event_id: str) -> StoredEvent | None:
        t = domain_events
        row = (await self._connection.execute(
            select(t).where(t.c.organization_id == organization_id, t.c.id == event_id))).first()
        return _from_row(row) if row is not None else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[StoredEvent]:
        t = domain_events
        return await fetch_page(self._connection, select(t).where(t.c.organization_id == organization_id), t.c.id,
                                page, _from_row, lambda e: e.id, newest_first=True)

    async def sequence(self, limit: int) -> int:
        t = domain_events
        if self._connection.dialect.name == "postgresql":
            # Held until this transaction ends: the next sequencer's statements see these numbers.
            await self._connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEQUENCER_LOCK})
            ids = list((await self._connection.execute(_UNSEQUENCED, {"limit": limit})).scalars())
            if ids:
                numbers = (await self._connection.execute(
                    text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                    {"sequence": FEED_SEQUENCE, "count": len(ids)})).scalars()
                await self._number(ids, sorted(numbers))
            return len(ids)
        # SQLite: the unit of work holds the write lock from its first statement.
        ids = list((await self._connection.execute(_UNSEQUENCED, {"limit": limit})).scalars())
        if ids:
            last = (await self._connection.execute(select(func.coalesce(func.max(t.c.seq), 0)))).scalar_one()
            await self._number(ids, range(last + 1, last + 1 + len(ids)))
        return len(ids)

    async def _number(self, ids: Sequence[str], numbers: Iterable[int]) -> None:
        await self._connection.execute(
            update(domain_events).where(domain_events.c.id == bindparam("event_id")).values(seq=bindparam("number")),
            [{"event_id": event_id, "number": number} for event_id, number in zip(ids, numbers, strict=True)])

    async def feed(self, organization_id: str, after: FeedPosition, names: Collection[str], limit: int) -> FeedRead:
        t = domain_events
        rows = list(await self._connection.execute(
            select(t).where(t.c.organization_id == organization_id, t.c.seq > literal(after.sequence, BigInteger))
            .order_by(t.c.seq).limit(limit)))
        wanted = set(names)
        return FeedRead([_from_row(row) for row in rows if row.name in wanted],
                        FeedPosition(rows[-1].seq) if rows else after, len(rows) == limit)

    async def feed_head(self, organization_id: str) -> FeedPosition:
        t = domain_events
        found = (await self._connection.execute(
            select(func.max(t.c.seq)).where(t.c.organization_id == organization_id))).scalar_one()
        return FeedPosition(found) if found is not None else START
