"""Test doubles that behave (a clock you move, a fast reversible-free hasher, a mailer that keeps mail)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from application.ports.mail import EmailMessage


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FastHasher:
    """Salted SHA-256: as a hasher must, it never verifies a wrong password; it is only fast."""

    async def hash(self, password: str) -> str:
        return "fake$" + hashlib.sha256(("salt:" + password).encode()).hexdigest()

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == await self.hash(password)


class CapturingMailer:
    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[EmailMessage] = []
        self.fail_times = fail_times

    async def send(self, message: EmailMessage) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("mail server unavailable")
        self.sent.append(message)
