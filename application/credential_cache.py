"""Credentials this process has recently checked, so most requests and charge point messages are
answered without the database: bearer secrets (by hash) to the actor they stand for, charge point
identities (with a hash of the password presented) to the registration, id tags to their driver.

An entry lives until the earlier of its credential's expiry and ``ttl`` after it was checked. Bearer
secrets are kept only when they were good: a wrong one is looked up every time (a flood of them
cannot fill the cache).

Invalidation: a revocation on this node drops the entry at once (``forget``, called by the use case
that revokes, after its commit). Other nodes hold their copy for at most ``ttl``
(``CHARGE_AUTH_CACHE_SECONDS``, 5 s by default), then read the database again: that is the bound on
how long a revoked API key still works elsewhere. A ttl of zero turns the cache off.
The same bound holds for the other credentials; a driver created on this node drops what was
known of its tags here at once (an unknown tag may have been remembered as unknown).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_TTL = timedelta(seconds=5)
MAX_ENTRIES = 10_000


class CredentialCache(Generic[K, V]):
    def __init__(self, ttl: timedelta = DEFAULT_TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[V, datetime]] = OrderedDict()

    def get(self, key: K, now: datetime) -> tuple[V] | None:
        """``(value,)`` while the entry lives (the value itself may be None: "checked, nobody"), else None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, until = entry
        if now >= until:
            del self._entries[key]
            return None
        return (value,)

    def put(self, key: K, value: V, now: datetime, expires_at: datetime | None = None) -> None:
        if self.ttl <= timedelta(0):
            return
        until = now + self.ttl if expires_at is None else min(now + self.ttl, expires_at)
        self._entries[key] = (value, until)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)   # the oldest checked: it is the first to expire anyway

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
