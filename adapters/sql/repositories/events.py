"""The event outbox in SQL: events inserted in the change's transaction, claimed with a lease, marked handled."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Row, Text, cast, func, literal, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.codecs import event_from_json, event_to_json
from adapters.sql.repositories._statements import fetch_page, insert_many
from adapters.sql.tables import domain_events
from application.pagination import Page, PageRequest
from application.ports.events import START, EventStatus, FeedPosition, StoredEvent
from domain.events import DomainEvent


def _from_row(row: Row[Any]) -> StoredEvent:
    return StoredEvent(event=event_from_json(row.name, row.payload), recorded_at=row.recorded_at,
                       status=EventStatus(row.status), attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                       handled_at=row.handled_at, last_error=row.last_error, position=FeedPosition(row.txid, row.seq))


def _visible(dialect: str) -> ColumnElement[bool] | None:
    """On PostgreSQL, events of transactions older than every one still running: none of those can still
    commit, so nothing can appear before them later (see ``FeedPosition``). SQLite's writers are serial."""
    if dialect != "postgresql":
        return None
    oldest_running = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    return domain_events.c.txid < oldest_running


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
        if self._connection.dialect.name != "postgresql":
            await self._number(rows)
        await insert_many(self._connection, domain_events, rows, lambda insert: insert)
        self.recorded.extend(e.id for e in events if e.id not in settled)

    async def _number(self, rows: list[dict[str, Any]]) -> None:
        """SQLite: each event the next ``seq`` of its organization. The unit of work holds the write lock
        from its first statement, so no other transaction numbers events until this one commits."""
        t = domain_events
        last: dict[str, int] = {}
        for row in rows:
            organization_id = row["organization_id"]
            if organization_id not in last:
                last[organization_id] = (await self._connection.execute(
                    select(func.coalesce(func.max(t.c.seq), 0)).where(t.c.organization_id == organization_id,
                                                                      t.c.txid == 0))).scalar_one()
            last[organization_id] += 1
            row["seq"] = last[organization_id]

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

    async def feed(self, organization_id: str, after: FeedPosition, names: Collection[str],
                   limit: int) -> Sequence[StoredEvent]:
        t = domain_events
        statement = (select(t).where(t.c.organization_id == organization_id, t.c.name.in_(list(names)),
                                     tuple_(t.c.txid, t.c.seq) > tuple_(literal(after.transaction, BigInteger),
                                                                      literal(after.sequence, BigInteger)))
                     .order_by(t.c.txid, t.c.seq).limit(limit))
        visible = _visible(self._connection.dialect.name)
        if visible is not None:
            statement = statement.where(visible)
        return [_from_row(row) for row in await self._connection.execute(statement)]

    async def feed_head(self, organization_id: str) -> FeedPosition:
        t = domain_events
        statement = (select(t.c.txid, t.c.seq).where(t.c.organization_id == organization_id)
                     .order_by(t.c.txid.desc(), t.c.seq.desc()).limit(1))
        visible = _visible(self._connection.dialect.name)
        if visible is not None:
            statement = statement.where(visible)
        row = (await self._connection.execute(statement)).first()
        return FeedPosition(row.txid, row.seq) if row is not None else START
