"""The transactional mail outbox in SQL, and the lease that lets several relays share it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import mail_outbox
from application.pagination import Page, PageRequest
from application.ports.mail import AttachmentRef, EmailMessage, OutboundEmail, OutboundStatus


def email_to_row(email: OutboundEmail) -> dict[str, Any]:
    return {"id": email.id, "recipient": email.message.to, "subject": email.message.subject,
            "body": email.message.text, "created_at": email.created_at, "status": email.status.value,
            "attempts": email.attempts, "next_attempt_at": email.next_attempt_at, "sent_at": email.sent_at,
            "last_error": email.last_error,
            "attachments": [[a.kind, a.organization_id, a.object_id, a.filename, a.content_type]
                            for a in email.attachments]}


def email_from_row(row: Row[Any]) -> OutboundEmail:
    return OutboundEmail(id=row.id, message=EmailMessage(to=row.recipient, subject=row.subject, text=row.body),
                         created_at=row.created_at, status=OutboundStatus(row.status), attempts=row.attempts,
                         next_attempt_at=row.next_attempt_at, sent_at=row.sent_at, last_error=row.last_error,
                         attachments=tuple(AttachmentRef(*ref) for ref in row.attachments or ()))


class SqlOutbox:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, email: OutboundEmail) -> None:
        await insert_or_conflict(self._connection, mail_outbox, email_to_row(email), "email exists")

    async def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[OutboundEmail]:
        t = mail_outbox
        due = (select(t)
               .where(t.c.status == OutboundStatus.PENDING.value,
                      or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now))
               .order_by(t.c.id).limit(limit))
        if self._connection.dialect.name == "postgresql":
            # Rows another relay is claiming right now are skipped rather than waited for; their
            # lease will be committed and they will not be due for us anyway.
            due = due.with_for_update(skip_locked=True)
        # On SQLite the unit of work holds the write lock (BEGIN IMMEDIATE), so the rows read
        # here cannot be claimed by anyone else before the update below.
        emails = [email_from_row(row) for row in await self._connection.execute(due)]
        if emails:
            await self._connection.execute(update(t).where(t.c.id.in_([e.id for e in emails]))
                                           .values(next_attempt_at=lease_until))
        for email in emails:
            email.next_attempt_at = lease_until
        return emails

    async def save(self, email: OutboundEmail) -> None:
        await upsert(self._connection, mail_outbox, email_to_row(email), {"id": email.id}, "email exists")

    async def list(self, page: PageRequest) -> Page[OutboundEmail]:
        return await fetch_page(self._connection, select(mail_outbox), mail_outbox.c.id, page, email_from_row,
                                lambda e: e.id)
