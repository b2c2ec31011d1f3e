"""Idempotency keys: the first response to a creating POST is kept and replayed for the same key."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen


@frozen
class StoredResponse:
    status: int
    body: bytes
    content_type: str


class IdempotencyStore(Protocol):
    async def begin(self, scope: str, key: str, fingerprint: str, now: datetime) -> StoredResponse | None:
        """Reserve the key. Returns the stored response to replay, or None when this request is first.

        Raises ``Conflict`` when the key was used with another fingerprint, or is still in flight.
        """
        ...
    async def complete(self, scope: str, key: str, response: StoredResponse) -> None: ...
    async def release(self, scope: str, key: str) -> None:
        """Forget a reservation whose request failed, so the client may retry with the same key."""
        ...
    async def purge_older_than(self, when: datetime) -> int:
        """Forget keys first used before ``when`` (clients retry within hours, not days)."""
        ...
