"""Collecting a finalized invoice through the organization's payment provider (the port in
``application/ports/payments.py``): bank transfer answers the instructions and waits for the money;
a card provider charges, and a success is recorded as the invoice's payment."""

from __future__ import annotations

import logging

from application.ports import Clock, UnitOfWorkFactory
from application.ports.payments import Collection, PaymentProvider, PaymentStatus
from domain.billing.events import InvoiceFinalized
from domain.billing.invoices import InvoiceKind, InvoiceStatus, Payment
from domain.ids import PREFIXES, new_id

log = logging.getLogger("charge.payments")


async def collect_invoice(event: InvoiceFinalized, *, uow_factory: UnitOfWorkFactory, provider: PaymentProvider,
                          clock: Clock) -> None:
    if event.kind != InvoiceKind.INVOICE.value or event.total <= 0:
        return
    async with uow_factory(read_only=True) as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
    if invoice is None or invoice.status is not InvoiceStatus.OPEN or invoice.number is None:
        return
    seller = invoice.seller
    result = await provider.collect(Collection(
        organization_id=invoice.organization_id, invoice_id=invoice.id, invoice_number=invoice.number,
        customer_id=invoice.customer_id, amount=invoice.amount_due, currency=invoice.currency,
        idempotency_key=f"{invoice.id}:collect:1", payment_reference=invoice.payment_reference,
        payee_iban=seller.iban if seller else None, payee_bic=seller.bic if seller else None))
    if result.status is not PaymentStatus.SUCCEEDED:
        if result.status is PaymentStatus.FAILED:
            log.warning("collecting an invoice failed", extra={"invoice_id": invoice.id, "reason": result.error})
        return
    now = clock.now()
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id, for_update=True)
        if invoice is None or invoice.status is not InvoiceStatus.OPEN:
            return
        invoice.record_payment(Payment(id=new_id(PREFIXES["payment"]), amount=invoice.amount_due,
                                       received_on=now.date(), reference=invoice.payment_reference,
                                       method=result.provider, provider_reference=result.provider_reference,
                                       recorded_at=now), invoice.currency, now)
        await uow.invoices.save(invoice)
        await uow.commit()
