"""Security ports: the password KDF and the failed-login throttle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...
    async def verify(self, password_hash: str, password: str) -> bool: ...


class LoginThrottle(Protocol):
    """Counts failed sign-ins per key (an email, a client address) in a sliding window."""

    async def check(self, keys: Sequence[str], now: datetime) -> None:
        """Raise ``RateLimited`` if any key has used up its failures."""
        ...
    async def record_failure(self, keys: Sequence[str], now: datetime) -> None: ...
    async def reset(self, keys: Sequence[str]) -> None: ...
