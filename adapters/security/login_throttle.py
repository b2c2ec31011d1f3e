"""Failed sign-ins counted per email and per client address in a sliding window, in process memory.

One process holds the counts; a deployment with several API nodes would put them in Redis
behind the same port.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.errors import RateLimited


class InMemoryLoginThrottle:
    SWEEP_ABOVE = 10_000

    def __init__(self, *, max_per_email: int = 5, max_per_address: int = 30, window_seconds: int = 900) -> None:
        self.max_per_email = max_per_email
        self.max_per_address = max_per_address
        self.window = timedelta(seconds=window_seconds)
        self._failures: dict[str, deque[datetime]] = {}

    def _limit(self, key: str) -> int:
        return self.max_per_address if key.startswith("addr:") else self.max_per_email

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    async def check(self, keys: Sequence[str], now: datetime) -> None:
        for key in keys:
            failures = self._recent(key, now)
            if len(failures) >= self._limit(key):
                retry = (failures[0] + self.window - now).total_seconds()
                raise RateLimited("too many failed sign-in attempts; try again later", max(1, math.ceil(retry)))

    async def record_failure(self, keys: Sequence[str], now: datetime) -> None:
        if len(self._failures) > self.SWEEP_ABOVE:
            # A flood of distinct emails must not grow memory without bound: drop stale keys.
            for stale in list(self._failures):
                self._recent(stale, now)
        for key in keys:
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)

    async def reset(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)
