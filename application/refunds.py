"""Paying money back: the one place that refunds through a payment provider.

A refund goes back through the provider that took the payment (a card refund to the card, a bank transfer
back to the account), newest payment first, each call with an idempotency key derived from the refund, so
a retried refund never pays twice. What a provider took (``succeeded``, or ``pending`` with instructions
for the operator, as a bank transfer is sent by people) is posted to the ledger once, on the refund's id:
Dr the customer's receivable (which the credit note had left in their favour), Cr bank. A provider that
refuses leaves the amount as the customer's credit balance; the outcome says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from attrs import frozen

from application.ports import Clock, UnitOfWorkFactory
from application.ports.payments import PaymentProvider, PaymentStatus, Refund
from domain.billing import postings
from domain.billing.ledger import Source, SourceKind
from domain.errors import NotFound, Unavailable
from domain.ids import PREFIXES, new_id

log = logging.getLogger("charge.payments")


@frozen
class RefundOutcome:
    status: PaymentStatus
    provider: str | None
    provider_reference: str | None = None
    instructions: str | None = None
    error: str | None = None


async def refund_payments(*, organization_id: str, invoice_id: str, refund_id: str, amount: Decimal, reason: str,
                          uow_factory: UnitOfWorkFactory, providers: Mapping[str, PaymentProvider],
                          clock: Clock) -> RefundOutcome:
    """Pay ``amount`` of ``invoice_id``'s payments back (``refund_id`` names this refund: calling again with
    it does not refund again) and book it."""
    async with uow_factory(read_only=True) as uow:
        invoice = await uow.invoices.get(organization_id, invoice_id)
        booked = await uow.ledger.find_by_source(organization_id, Source(SourceKind.REFUND, refund_id))
    if invoice is None:
        raise NotFound("invoice", invoice_id)
    left = amount
    first: RefundOutcome | None = None
    for payment in sorted(invoice.payments, key=lambda p: (p.received_on, p.id), reverse=True):
        if left <= 0:
            break
        part = min(left, payment.amount)
        provider = providers.get(payment.method)
        if provider is None:
            raise Unavailable(f"no payment provider {payment.method!r} is configured to refund payment {payment.id}")
        result = await provider.refund(Refund(
            organization_id=organization_id, invoice_id=invoice_id,
            payment_provider_reference=payment.provider_reference, amount=part, currency=invoice.currency,
            reason=reason, idempotency_key=f"{refund_id}:{payment.id}"))
        outcome = RefundOutcome(result.status, provider.name, result.provider_reference, result.instructions)
        if result.status is PaymentStatus.FAILED:
            log.warning("a refund was refused", extra={"refund_id": refund_id, "payment_id": payment.id})
            return RefundOutcome(PaymentStatus.FAILED, provider.name, result.provider_reference,
                                 error=f"{provider.name} refused the refund")
        first = first or outcome
        left -= part
    if first is None or left > 0:
        return RefundOutcome(PaymentStatus.FAILED, None, error="the invoice's payments do not cover the refund")
    if booked is None:
        async with uow_factory() as uow:
            transaction = postings.refund_paid(
                organization_id=organization_id, customer_id=invoice.customer_id, invoice_id=invoice.id,
                refund_id=refund_id, amount=amount, currency=invoice.currency,
                description=f"Refund {refund_id} on {invoice.label}: {reason}"[:200],
                id=new_id(PREFIXES["ledger_transaction"]), posted_at=clock.now())
            if transaction is not None:
                await uow.ledger.post(transaction)
                await uow.commit()
    return first
