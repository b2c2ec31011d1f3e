"""Bearer secrets this process has recently checked, so most requests authenticate without the database.

An entry maps a secret's hash (never the secret) to the actor it stood for, and lives until the
earlier of its token's expiry and ``ttl`` after it was checked. Only successes are kept: a wrong
secret is looked up every time (a flood of them cannot fill the cache).

Invalidation: a revocation on this node drops the entry at once (``forget``, called by the use case
that revokes, after its commit). Other nodes hold their copy for at most ``ttl``
(``CHARGE_AUTH_CACHE_SECONDS``, 5 s by default), then read the database again: that is the bound on
how long a revoked API key still works elsewhere. A ttl of zero turns the cache off.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from application.authorization import Actor

DEFAULT_TTL = timedelta(seconds=5)
MAX_ENTRIES = 10_000


class CredentialCache:
    def __init__(self, ttl: timedelta = DEFAULT_TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[Actor, datetime]] = OrderedDict()

    def get(self, secret_hash: str, now: datetime) -> Actor | None:
        entry = self._entries.get(secret_hash)
        if entry is None:
            return None
        actor, until = entry
        if now >= until:
            del self._entries[secret_hash]
            return None
        return actor

    def put(self, secret_hash: str, actor: Actor, now: datetime, expires_at: datetime | None = None) -> None:
        if self.ttl <= timedelta(0):
            return
        until = now + self.ttl if expires_at is None else min(now + self.ttl, expires_at)
        self._entries[secret_hash] = (actor, until)
        self._entries.move_to_end(secret_hash)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)   # the oldest checked: it is the first to expire anyway

    def forget(self, secret_hash: str) -> None:
        self._entries.pop(secret_hash, None)

    def __len__(self) -> int:
        return len(self._entries)
