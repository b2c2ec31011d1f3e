"""Refunds: money paid back on an invoice's payment, through the provider that took it.

Partial refunds are allowed, never more than the payment less what was refunded of it (422 naming
``amount.amount``). A Stripe refund is made with an idempotency key of its own refund id; if the process dies
before it is recorded, Stripe's ``charge.refunded`` event records it (a refund is known by the provider's
reference, so it is recorded once whichever comes first). A bank-transfer refund is the operator's transfer to
make: it is recorded as made, with the instructions. Each refund posts Dr ``refunds`` Cr ``bank`` or
``payment_clearing`` (``application.billing_postings``).

A dispute settled by a credit note pays back what the note credited of money already paid
(``refund_credit_note``): the same refunds, newest payment first, each marked with the credit note, so that it
posts Dr the customer's receivable (which the note left in their favour) instead of ``refunds``, and counts
against what may still be refunded like any other.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.payment_providers import PaymentProviders
from application.ports import Clock, UnitOfWorkFactory
from application.ports.payments import PaymentStatus
from application.ports.payments import Refund as RefundRequest
from domain.billing.invoices import Invoice, Payment, Refund
from domain.errors import InvalidInput, InvalidState, NotFound
from domain.ids import PREFIXES, new_id
from domain.validation import text_problem

MAX_REASON = 500
log = logging.getLogger("charge.payments")


@frozen
class RefundCommand:
    amount: Decimal
    currency: str
    reason: str
    payment_id: str | None = None


def _payment(invoice: Invoice, cmd: RefundCommand) -> Payment:
    if cmd.payment_id is not None:
        payment = next((p for p in invoice.payments if p.id == cmd.payment_id), None)
        if payment is None:
            raise InvalidInput.field("payment_id", f"is not a payment of invoice {invoice.label}")
        return payment
    # The latest payment that can take the whole refund, else the latest one.
    candidates = [p for p in reversed(invoice.payments) if invoice.refundable(p.id) > 0]
    if not candidates:
        raise InvalidInput.field("amount.amount", f"nothing paid on invoice {invoice.label} is left to refund")
    return next((p for p in candidates if invoice.refundable(p.id) >= cmd.amount), candidates[0])


async def refund_invoice(invoice_id: str, cmd: RefundCommand, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, providers: PaymentProviders, clock: Clock) -> Refund:
    problem = text_problem(cmd.reason, MAX_REASON, lines=True)
    if problem:
        raise InvalidInput.field("reason", problem)
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        invoice = await uow.invoices.get(organization_id, invoice_id)
        organization = await uow.organizations.get(organization_id)
    if invoice is None or organization is None:
        raise NotFound("invoice", invoice_id)
    if cmd.currency != invoice.currency:
        raise InvalidInput.field("amount.currency", f"the invoice is in {invoice.currency}, not {cmd.currency}")
    if not invoice.payments:
        raise InvalidState(f"invoice {invoice.label} has no payment to refund")
    payment = _payment(invoice, cmd)
    left = invoice.refundable(payment.id)
    if cmd.amount <= 0 or cmd.amount > left:
        raise InvalidInput.field("amount.amount", f"must be positive and at most the {left} {invoice.currency} "
                                                  "paid and not refunded yet")
    provider = providers.named(payment.method)
    refund_id = new_id(PREFIXES["refund"])
    result = await provider.refund(RefundRequest(
        organization_id=organization_id, invoice_id=invoice.id, payment_provider_reference=payment.provider_reference,
        amount=cmd.amount, currency=invoice.currency, reason=cmd.reason.strip(), idempotency_key=f"{refund_id}:refund",
        account=PaymentProviders.account(organization.settings.billing, provider)))
    if result.status is PaymentStatus.FAILED:
        raise InvalidState(f"{provider.name} refused the refund")
    now = clock.now()
    refund = Refund(id=refund_id, payment_id=payment.id, amount=cmd.amount, reason=cmd.reason.strip(),
                    method=provider.name, created_at=now,
                    provider_reference=result.provider_reference)
    async with uow_factory() as uow:
        current = await uow.invoices.get(organization_id, invoice_id, for_update=True)
        if current is None:
            raise NotFound("invoice", invoice_id)
        if not current.refund(refund, now):
            # The provider's event recorded it first: the same refund, by its reference.
            return next(r for r in current.refunds if r.provider_reference == refund.provider_reference)
        await uow.invoices.save(current)
        await uow.commit()
    return refund


@frozen
class RefundOutcome:
    """What paying a credit note back came to (a refused or impossible refund leaves the customer's credit)."""

    status: PaymentStatus
    provider: str | None
    provider_reference: str | None = None
    instructions: str | None = None
    error: str | None = None


async def refund_credit_note(*, organization_id: str, invoice_id: str, credit_note_id: str, refund_id: str,
                             amount: Decimal, reason: str, uow_factory: UnitOfWorkFactory,
                             providers: PaymentProviders | None, clock: Clock) -> RefundOutcome:
    """Pay ``amount`` of ``invoice_id``'s payments back for ``credit_note_id``, newest payment first. ``refund_id``
    names the first refund and keys every provider call: calling again refunds nothing twice."""
    async with uow_factory(read_only=True) as uow:
        invoice = await uow.invoices.get(organization_id, invoice_id)
        organization = await uow.organizations.get(organization_id)
    if invoice is None or organization is None:
        raise NotFound("invoice", invoice_id)
    if providers is None:
        return RefundOutcome(PaymentStatus.FAILED, None, error="no payment provider is configured to refund")
    done = {r.id: r for r in invoice.refunds if r.credit_note_id == credit_note_id}
    left = amount - sum((r.amount for r in done.values()), Decimal(0))
    first: RefundOutcome | None = None
    for payment in sorted(invoice.payments, key=lambda p: (p.received_on, p.id), reverse=True):
        part = min(left, invoice.refundable(payment.id))
        if part <= 0:
            continue
        provider = providers.named(payment.method) if providers.has(payment.method) else None
        if provider is None:
            return RefundOutcome(PaymentStatus.FAILED, payment.method,
                                 error=f"the {payment.method} provider is not configured on this server")
        # The first refund this call makes carries ``refund_id`` (unless an earlier call recorded it already).
        this_id = refund_id if first is None and refund_id not in done else new_id(PREFIXES["refund"])
        result = await provider.refund(RefundRequest(
            organization_id=organization_id, invoice_id=invoice.id,
            payment_provider_reference=payment.provider_reference, amount=part, currency=invoice.currency,
            reason=reason, idempotency_key=f"{refund_id}:{payment.id}",
            account=PaymentProviders.account(organization.settings.billing, provider)))
        if result.status is PaymentStatus.FAILED:
            log.warning("a refund was refused", extra={"refund_id": this_id, "payment_id": payment.id})
            return RefundOutcome(PaymentStatus.FAILED, provider.name, result.provider_reference,
                                 error=f"{provider.name} refused the refund")
        now = clock.now()
        async with uow_factory() as uow:
            current = await uow.invoices.get(organization_id, invoice_id, for_update=True)
            if current is None:
                raise NotFound("invoice", invoice_id)
            if current.refund(Refund(id=this_id, payment_id=payment.id, amount=part, reason=reason,
                                     method=provider.name, created_at=now,
                                     provider_reference=result.provider_reference, credit_note_id=credit_note_id),
                              now):
                await uow.invoices.save(current)
                await uow.commit()
        first = first or RefundOutcome(result.status, provider.name, result.provider_reference, result.instructions)
        left -= part
        if left <= 0:
            break
    if first is None or left > 0:
        return RefundOutcome(PaymentStatus.FAILED, first.provider if first else None,
                             error="the invoice's payments do not cover the refund")
    return first
