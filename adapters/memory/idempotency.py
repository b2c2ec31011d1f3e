"""In-memory idempotency keys, for tests and the database-less core."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from application.ports.idempotency import StoredResponse
from domain.errors import Conflict


@define
class _Entry:
    fingerprint: str
    created_at: datetime
    response: StoredResponse | None = None


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}

    async def begin(self, scope: str, key: str, fingerprint: str, now: datetime) -> StoredResponse | None:
        entry = self._entries.get((scope, key))
        if entry is None:
            self._entries[(scope, key)] = _Entry(fingerprint, now)
            return None
        if entry.fingerprint != fingerprint:
            raise Conflict("this Idempotency-Key was used with a different request")
        if entry.response is None:
            raise Conflict("a request with this Idempotency-Key is still in progress")
        return entry.response

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        self._entries[(scope, key)].response = response

    async def release(self, scope: str, key: str) -> None:
        self._entries.pop((scope, key), None)

    async def purge_older_than(self, when: datetime) -> int:
        old = [k for k, e in self._entries.items() if e.created_at < when]
        for k in old:
            del self._entries[k]
        return len(old)
