"""Security ports: the password KDF and the failed-login throttle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...
    async def verify(self, password_hash: str, password: str) -> bool: ...


class LoginThrottle(Protocol):
    """Counts failed sign-ins by email and client address in a sliding window; never locks an account."""

    async def check(self, email: str, address: str | None, now: datetime) -> timedelta:
        """Raise ``RateLimited`` if this address may not try (this email, or any) for now; else return how
        long this attempt should wait first (an email under attack slows down, but never refuses)."""
        ...
    async def record_failure(self, email: str, address: str | None, now: datetime) -> None: ...
    async def reset(self, email: str, address: str | None) -> None: ...
