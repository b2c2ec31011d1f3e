"""Outgoing email: the message, its outbox record, and the port that delivers it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from attrs import define, frozen


@frozen
class Attachment:
    filename: str
    content_type: str                # application/pdf
    content: bytes


@frozen
class EmailMessage:
    to: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


@frozen
class AttachmentRef:
    """An attachment the outbox names rather than holds: the relay renders it when it sends (an invoice's
    PDF, made from the finalized invoice, which never changes), so outbox rows stay small."""

    kind: str                        # what renders it: "invoice_pdf"
    organization_id: str
    object_id: str
    filename: str
    content_type: str = "application/pdf"


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
    attachments: tuple[AttachmentRef, ...] = ()


class AttachmentSource(Protocol):
    async def render(self, ref: AttachmentRef) -> Attachment:
        """The attachment's bytes, made now; ``NotFound`` when what it names is gone."""
        ...


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver or raise; the relay retries whatever raised."""
        ...
