"""Orphan transactions in SQL: the messages of a transaction whose start was never seen, as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.codecs import messages_from_json, messages_to_json
from adapters.sql.repositories._statements import fetch_page, insert_or_conflict
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import orphan_transactions
from application.pagination import Page, PageRequest
from application.ports.network import OrphanFilter
from domain.charging import OrphanTransaction


def _to_row(orphan: OrphanTransaction) -> dict[str, Any]:
    o = orphan
    return {"id": o.id, "organization_id": o.organization_id, "charge_point_id": o.charge_point_id,
            "transaction_id": o.transaction_id, "first_seen_at": o.first_seen_at, "last_seen_at": o.last_seen_at,
            "messages": messages_to_json(o.messages), "received": o.received, "adopted_by": o.adopted_by}


def _from_row(row: Row[Any]) -> OrphanTransaction:
    return OrphanTransaction(id=row.id, organization_id=row.organization_id, charge_point_id=row.charge_point_id,
                             transaction_id=row.transaction_id, first_seen_at=row.first_seen_at,
                             last_seen_at=row.last_seen_at, messages=messages_from_json(row.messages),
                             received=row.received, adopted_by=row.adopted_by)


class SqlOrphans:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events

    async def add(self, orphan: OrphanTransaction) -> None:
        await insert_or_conflict(self._connection, orphan_transactions, _to_row(orphan), f"orphan {orphan.id} exists")
        await self._events.add(orphan.pull_events())

    async def save(self, orphan: OrphanTransaction) -> None:
        row = _to_row(orphan)
        t = orphan_transactions
        await self._connection.execute(update(t).where(t.c.id == orphan.id)
                                       .values(**{k: v for k, v in row.items() if k != "id"}))
        await self._events.add(orphan.pull_events())

    async def get(self, organization_id: str, orphan_id: str) -> OrphanTransaction | None:
        t = orphan_transactions
        row = (await self._connection.execute(
            select(t).where(t.c.organization_id == organization_id, t.c.id == orphan_id))).first()
        return _from_row(row) if row is not None else None

    async def find(self, charge_point_id: str, transaction_id: str) -> OrphanTransaction | None:
        t = orphan_transactions
        statement = (select(t).where(t.c.charge_point_id == charge_point_id, t.c.transaction_id == transaction_id,
                                     t.c.adopted_by.is_(None)).order_by(t.c.id).limit(1))
        row = (await self._connection.execute(statement)).first()
        return _from_row(row) if row is not None else None

    async def list(self, organization_id: str, filters: OrphanFilter, page: PageRequest) -> Page[OrphanTransaction]:
        t = orphan_transactions
        statement = select(t).where(t.c.organization_id == organization_id)
        if filters.charge_point_id is not None:
            statement = statement.where(t.c.charge_point_id == filters.charge_point_id)
        if filters.adopted is not None:
            statement = statement.where(t.c.adopted_by.is_not(None) if filters.adopted else t.c.adopted_by.is_(None))
        return await fetch_page(self._connection, statement, t.c.id, page, _from_row, lambda o: o.id,
                                newest_first=True)
