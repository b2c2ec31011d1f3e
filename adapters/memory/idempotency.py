"""In-memory idempotency keys, for tests and the database-less core."""

from __future__ import annotations

from datetime import datetime

from application.ports.idempotency import StoredResponse
from domain.errors import Conflict


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[str, StoredResponse | None]] = {}

    async def begin(self, scope: str, key: str, fingerprint: str, now: datetime) -> StoredResponse | None:
        entry = self._entries.get((scope, key))
        if entry is None:
            self._entries[(scope, key)] = (fingerprint, None)
            return None
        stored_fingerprint, response = entry
        if stored_fingerprint != fingerprint:
            raise Conflict("this Idempotency-Key was used with a different request")
        if response is None:
            raise Conflict("a request with this Idempotency-Key is still in progress")
        return response

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        fingerprint, _ = self._entries[(scope, key)]
        self._entries[(scope, key)] = (fingerprint, response)

    async def release(self, scope: str, key: str) -> None:
        self._entries.pop((scope, key), None)
