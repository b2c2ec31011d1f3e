"""Idempotency keys in SQL, so a replayed POST is answered the same by every API node.

Each call is its own short transaction, apart from the use case's unit of work: the reservation
must be visible to a concurrent duplicate before the use case has finished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.database import Database
from adapters.sql.repositories._statements import dialect_insert
from adapters.sql.tables import idempotency_keys
from application.ports.idempotency import StoredResponse
from domain.errors import Conflict

_DIFFERENT_REQUEST = "this Idempotency-Key was used with a different request"
_IN_PROGRESS = "a request with this Idempotency-Key is still in progress"
# A reservation can vanish between our failed insert and our read (its request failed and
# released it); then we try to reserve again, a bounded number of times.
_ATTEMPTS = 3


class SqlIdempotencyStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def begin(self, scope: str, key: str, fingerprint: str, now: datetime) -> StoredResponse | None:
        for _ in range(_ATTEMPTS):
            async with self._database.engine.begin() as connection:
                if await _reserve(connection, scope, key, fingerprint, now):
                    return None
                row = await _find(connection, scope, key)
            if row is not None:
                return _replay(row, fingerprint)
        raise Conflict(_IN_PROGRESS)

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        t = idempotency_keys
        async with self._database.engine.begin() as connection:
            result = await connection.execute(
                update(t).where(t.c.scope == scope, t.c.key == key)
                .values(response_status=response.status, response_body=response.body,
                        response_content_type=response.content_type))
        if result.rowcount == 0:
            raise KeyError(f"no reservation for Idempotency-Key {key!r} in {scope!r}")

    async def release(self, scope: str, key: str) -> None:
        t = idempotency_keys
        async with self._database.engine.begin() as connection:
            await connection.execute(delete(t).where(t.c.scope == scope, t.c.key == key))

    async def purge_older_than(self, when: datetime) -> int:
        """Forget keys reserved before ``when`` (clients retry within hours, not weeks); returns how many."""
        async with self._database.engine.begin() as connection:
            result = await connection.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < when))
        return int(result.rowcount)


async def _reserve(connection: AsyncConnection, scope: str, key: str, fingerprint: str, now: datetime) -> bool:
    # ON CONFLICT DO NOTHING: on PostgreSQL it also waits for a concurrent reservation of the
    # same key to commit or roll back, so exactly one of two simultaneous requests proceeds.
    statement = (dialect_insert(connection, idempotency_keys)
                 .values(scope=scope, key=key, fingerprint=fingerprint, created_at=now)
                 .on_conflict_do_nothing())
    return (await connection.execute(statement)).rowcount == 1


async def _find(connection: AsyncConnection, scope: str, key: str) -> Row[Any, Any, Any, Any] | None:
    t = idempotency_keys
    statement = (select(t.c.fingerprint, t.c.response_status, t.c.response_body, t.c.response_content_type)
                 .where(t.c.scope == scope, t.c.key == key))
    return (await connection.execute(statement)).first()


def _replay(row: Row[Any, Any, Any, Any], fingerprint: str) -> StoredResponse:
    if row.fingerprint != fingerprint:
        raise Conflict(_DIFFERENT_REQUEST)
    if row.response_status is None:
        raise Conflict(_IN_PROGRESS)
    return StoredResponse(status=row.response_status, body=bytes(row.response_body),
                          content_type=row.response_content_type)
