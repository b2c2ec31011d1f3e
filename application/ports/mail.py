"""Outgoing email: the message, its outbox record, and the port that delivers it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from attrs import define, frozen


@frozen
class EmailMessage:
    to: str
    subject: str
    text: str


class OutboundStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@define
class OutboundEmail:
    id: str
    message: EmailMessage
    created_at: datetime
    status: OutboundStatus = OutboundStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver or raise; the relay retries whatever raised."""
        ...
