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


class FakeChargePoints:
    """The ChargePointCommands port as a set of charge points that answer as scripted.

    ``answers`` maps a command class name to the status the charge point replies with;
    a charge point not in ``online`` is offline (``Unavailable``).
    """

    def __init__(self, online: set[str] | None = None, answers: dict[str, str] | None = None) -> None:
        self.online = online if online is not None else set()
        self.answers = answers or {}
        self.sent: list[tuple[str, object]] = []

    async def send(self, charge_point_id: str, command: object):
        from application.ports.charge_point_commands import CommandResult
        from domain.errors import Unavailable

        if charge_point_id not in self.online:
            raise Unavailable(f"charge point {charge_point_id} is not connected")
        self.sent.append((charge_point_id, command))
        return CommandResult(self.answers.get(type(command).__name__, "Accepted"))
