"""Relays the mail outbox to the mailer: lease a batch, send each outside the transaction, record it.

Failures are retried with exponential backoff; after ``MAX_ATTEMPTS`` an email is marked failed.
Once an email is delivered (or given up) its body is dropped from the outbox: bodies carry secrets
(an invitation's token), and no secret is kept at rest in clear longer than it takes to send it.
"""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from application.ports import Clock, Mailer, UnitOfWorkFactory
from application.ports.mail import AttachmentSource, EmailMessage, OutboundEmail, OutboundStatus

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
DROPPED_BODY = "(body removed from the outbox once the email was delivered or given up)"


async def _message(email: OutboundEmail, attachments: AttachmentSource | None) -> EmailMessage:
    """The email as sent: attachments the outbox names are rendered now (see ``AttachmentRef``)."""
    if not email.attachments:
        return email.message
    if attachments is None:
        raise RuntimeError("this relay has no attachment source, and the email names attachments")
    rendered = tuple([await attachments.render(ref) for ref in email.attachments])
    return evolve(email.message, attachments=email.message.attachments + rendered)


async def relay_due_emails(*, uow_factory: UnitOfWorkFactory, mailer: Mailer, clock: Clock,
                           attachments: AttachmentSource | None = None, batch: int = 50) -> int:
    """Send what is due; returns how many were sent."""
    now = clock.now()
    async with uow_factory() as uow:
        due = await uow.outbox.claim_due(now, batch, now + LEASE)
        await uow.commit()
    sent = 0
    for email in due:
        try:
            await mailer.send(await _message(email, attachments))
        except Exception as exc:  # noqa: BLE001  # any delivery failure is retried later; it must not stop the batch
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboundStatus.FAILED
                email.next_attempt_at = None
                email.message = evolve(email.message, text=DROPPED_BODY)
            else:
                email.next_attempt_at = clock.now() + timedelta(seconds=2 ** email.attempts)
        else:
            email.attempts += 1
            email.status = OutboundStatus.SENT
            email.sent_at = clock.now()
            email.next_attempt_at = None
            email.message = evolve(email.message, text=DROPPED_BODY)
            sent += 1
        async with uow_factory() as uow:
            await uow.outbox.save(email)
            await uow.commit()
    return sent
