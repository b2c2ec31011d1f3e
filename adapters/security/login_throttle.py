"""Failed sign-ins counted in a sliding window, in process memory, so that nobody can lock an account.

Three counts, each in the window:
- per email *and* client address: after ``max_per_email`` failures that address may not try that
  email again until the window has passed (the guesser is stopped);
- per client address, across emails: after ``max_per_address`` it may not try any (a sprayer is stopped);
- per email, across addresses: past ``max_per_email`` every further attempt on that email waits a
  little longer (up to ``MAX_DELAY``), but is never refused, so a correct password from an address that
  did not fail keeps working: a stranger's failures cannot lock the owner out.

One process holds the counts; a deployment with several API nodes would put them in Redis behind the
same port.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

from domain.errors import RateLimited

BASE_DELAY = timedelta(milliseconds=500)
MAX_DELAY = timedelta(seconds=8)


class InMemoryLoginThrottle:
    SWEEP_ABOVE = 10_000

    def __init__(self, *, max_per_email: int = 5, max_per_address: int = 30, window_seconds: int = 900) -> None:
        self.max_per_email = max_per_email
        self.max_per_address = max_per_address
        self.window = timedelta(seconds=window_seconds)
        self._failures: dict[str, deque[datetime]] = {}

    @staticmethod
    def _keys(email: str, address: str | None) -> tuple[str, str, str]:
        place = address or "unknown"
        return f"pair:{email}|{place}", f"addr:{place}", f"email:{email}"

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def _refuse_if_spent(self, failures: deque[datetime], limit: int, now: datetime) -> None:
        if len(failures) >= limit:
            retry = (failures[0] + self.window - now).total_seconds()
            raise RateLimited("too many failed sign-in attempts; try again later", max(1, math.ceil(retry)))

    async def check(self, email: str, address: str | None, now: datetime) -> timedelta:
        """Raise ``RateLimited`` when this address has used up its attempts (on this email, or on any);
        otherwise the delay this attempt should wait (zero until the email's own limit is passed)."""
        pair, place, account = self._keys(email, address)
        self._refuse_if_spent(self._recent(pair, now), self.max_per_email, now)
        self._refuse_if_spent(self._recent(place, now), self.max_per_address, now)
        excess = len(self._recent(account, now)) - self.max_per_email
        if excess < 0:
            return timedelta(0)
        return min(BASE_DELAY * 2 ** min(excess, 16), MAX_DELAY)

    async def record_failure(self, email: str, address: str | None, now: datetime) -> None:
        if len(self._failures) > self.SWEEP_ABOVE:
            # A flood of distinct emails must not grow memory without bound: drop stale keys.
            for stale in list(self._failures):
                self._recent(stale, now)
        for key in self._keys(email, address):
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)

    async def reset(self, email: str, address: str | None) -> None:
        """A correct password: this address starts afresh on this email (the others' counts stay)."""
        self._failures.pop(self._keys(email, address)[0], None)
