"""Invoices and credit notes: read, finalize (numbered gap-free in the same transaction, emailed through the
outbox), paid by bank transfer, voided, written off, corrected by credit notes; and their documents.

The EN 16931 XML and the Factur-X PDF come from the ``InvoiceDocuments`` port (``application/ports/documents.py``).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.billing import InvoiceFilter
from application.ports.documents import InvoiceDocuments
from application.ports.mail import Attachment, AttachmentRef, EmailMessage, OutboundEmail
from domain.billing.customers import Customer, InvoiceDelivery
from domain.billing.documents import creditor_reference, document_number
from domain.billing.invoices import Invoice, InvoiceKind, Payment, credit_note_for
from domain.errors import NotFound
from domain.identity import Organization
from domain.ids import PREFIXES, new_id

INVOICE_PDF = "invoice_pdf"


@frozen
class InvoiceDetail:
    invoice: Invoice
    credit_notes: tuple[Invoice, ...] = ()


@frozen
class PaymentReceived:
    amount: Decimal
    currency: str
    received_on: date
    reference: str | None = None


@frozen
class CreditNoteRequest:
    reason: str
    amount: Decimal | None = None
    lines: tuple[tuple[int, Decimal], ...] | None = None


def local_date(instant: datetime, organization: Organization) -> date:
    return instant.astimezone(ZoneInfo(organization.settings.timezone)).date()


def invoice_email(invoice: Invoice, organization: Organization, customer: Customer) -> OutboundEmail:
    """The customer's copy, its PDF named in the outbox and rendered when the relay sends it."""
    seller = invoice.seller.name if invoice.seller else organization.name
    what = "Credit note" if invoice.kind is InvoiceKind.CREDIT_NOTE else "Invoice"
    lines = [f"Dear {customer.name},", "",
             f"{what} {invoice.number} from {seller} is attached ({invoice.total} {invoice.currency}).", ""]
    if invoice.kind is InvoiceKind.INVOICE and invoice.seller is not None and invoice.seller.iban:
        lines += [f"Please pay by {invoice.due_date} by bank transfer to IBAN {invoice.seller.iban}"
                  + (f" (BIC {invoice.seller.bic})" if invoice.seller.bic else "")
                  + f", quoting the reference {invoice.payment_reference}.", ""]
    elif invoice.kind is InvoiceKind.CREDIT_NOTE:
        lines += [f"It credits invoice {invoice.corrects_number}: {invoice.reason}.", ""]
    lines += [f"{seller}"]
    ref = AttachmentRef(INVOICE_PDF, invoice.organization_id, invoice.id, f"{invoice.number}.pdf")
    return OutboundEmail(id=new_id(PREFIXES["email"]), created_at=invoice.finalized_at or invoice.created_at,
                         message=EmailMessage(to=customer.email, subject=f"{what} {invoice.number} from {seller}",
                                              text="\n".join(lines) + "\n"),
                         attachments=(ref,))


async def finalize_in(uow: UnitOfWork, invoice: Invoice, organization: Organization, customer: Customer,
                      now: datetime) -> None:
    """Number (from the series' counter row, locked until this unit of work ends), date and freeze the
    draft, and put its email in the outbox: all in the caller's transaction, so a failure anywhere
    after leaves neither the number used nor the email queued."""
    billing = organization.settings.billing
    seller = billing.seller(organization.name, organization.settings.billing_email)
    invoice.check_finalizable(seller)   # before a number is drawn: a refusal must not consume one
    series = invoice.kind.series
    number = document_number(billing.prefix(series), await uow.counters.next(organization.id, series))
    invoice.finalize(number=number, issue_date=local_date(now, organization),
                     payment_terms_days=customer.payment_terms_days if customer.payment_terms_days is not None
                     else billing.payment_terms_days,
                     seller=seller,
                     buyer=customer.as_party(),
                     payment_reference=creditor_reference(number) if invoice.kind is InvoiceKind.INVOICE else None,
                     now=now)
    if customer.invoice_delivery is InvoiceDelivery.EMAIL:
        await uow.outbox.add(invoice_email(invoice, organization, customer))


async def _load(uow: UnitOfWork, organization_id: str, invoice_id: str, *,
                lock: bool = False) -> tuple[Invoice, Organization, Customer]:
    invoice = await uow.invoices.get(organization_id, invoice_id, for_update=lock)
    if invoice is None:
        raise NotFound("invoice", invoice_id)
    organization = await uow.organizations.get(organization_id)
    customer = await uow.customers.get(organization_id, invoice.customer_id)
    if organization is None or customer is None:
        raise NotFound("invoice", invoice_id)
    return invoice, organization, customer


async def list_invoices(actor: Actor, organization_id: str, filters: InvoiceFilter, page: PageRequest, *,
                        uow_factory: UnitOfWorkFactory) -> Page[Invoice]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        if filters.customer_id is not None and await uow.customers.get(organization_id, filters.customer_id) is None:
            raise NotFound("customer", filters.customer_id)
        return await uow.invoices.list(organization_id, filters, page)


async def get_invoice(invoice_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory) -> InvoiceDetail:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        invoice = await uow.invoices.get(organization_id, invoice_id)
        if invoice is None:
            raise NotFound("invoice", invoice_id)
        notes = await uow.invoices.credit_notes(organization_id, invoice_id)
    return InvoiceDetail(invoice, tuple(notes))


async def finalize_invoice(invoice_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                           clock: Clock) -> InvoiceDetail:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        invoice, organization, customer = await _load(uow, organization_id, invoice_id, lock=True)
        await finalize_in(uow, invoice, organization, customer, clock.now())
        await uow.invoices.save(invoice)
        await uow.commit()
    return InvoiceDetail(invoice)


async def void_invoice(invoice_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                       clock: Clock) -> InvoiceDetail:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        invoice, _, _ = await _load(uow, organization_id, invoice_id, lock=True)
        invoice.void(clock.now())
        await uow.invoices.save(invoice)
        await uow.commit()
    return InvoiceDetail(invoice)


async def mark_uncollectible(invoice_id: str, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory, clock: Clock) -> InvoiceDetail:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        invoice, _, _ = await _load(uow, organization_id, invoice_id, lock=True)
        invoice.mark_uncollectible(clock.now())
        await uow.invoices.save(invoice)
        await uow.commit()
    return InvoiceDetail(invoice)


async def record_payment(invoice_id: str, cmd: PaymentReceived, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock) -> InvoiceDetail:
    """A bank transfer received against the invoice (partial payments allowed, never more than is due)."""
    now = clock.now()
    payment = Payment(id=new_id(PREFIXES["payment"]), amount=cmd.amount, received_on=cmd.received_on,
                      reference=cmd.reference, method="bank_transfer", recorded_at=now)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        invoice, _, _ = await _load(uow, organization_id, invoice_id, lock=True)
        invoice.record_payment(payment, cmd.currency, now)
        await uow.invoices.save(invoice)
        await uow.commit()
    return InvoiceDetail(invoice)


async def issue_credit_note(invoice_id: str, cmd: CreditNoteRequest, actor: Actor, organization_id: str, *,
                            uow_factory: UnitOfWorkFactory, clock: Clock) -> Invoice:
    """A credit note against a finalized invoice, numbered in its own series and issued at once."""
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        invoice, organization, customer = await _load(uow, organization_id, invoice_id, lock=True)
        note = credit_note_for(invoice, id=new_id(PREFIXES["invoice"]), amount=cmd.amount,
                               lines=list(cmd.lines) if cmd.lines is not None else None, reason=cmd.reason, now=now)
        await finalize_in(uow, note, organization, customer, now)
        invoice.credit(note, now)
        await uow.invoices.add(note)
        await uow.invoices.save(invoice)
        await uow.commit()
    return note


async def invoice_document(invoice_id: str, kind: str, actor: Actor, organization_id: str, *,
                           uow_factory: UnitOfWorkFactory, documents: InvoiceDocuments) -> tuple[Invoice, bytes]:
    """The invoice's ``pdf`` (Factur-X, the XML embedded) or ``xml`` (EN 16931 CII)."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        invoice = await uow.invoices.get(organization_id, invoice_id)
    if invoice is None:
        raise NotFound("invoice", invoice_id)
    # Rendering is CPU work (a PDF takes a tenth of a second or more): off the event loop.
    content: bytes = await asyncio.to_thread(documents.pdf if kind == "pdf" else documents.xml, invoice)
    return invoice, content


class InvoiceAttachments:
    """The mail relay's source of attachments: an invoice's PDF, rendered from the stored invoice when sent."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, documents: InvoiceDocuments) -> None:
        self._uow_factory = uow_factory
        self._documents = documents

    async def render(self, ref: AttachmentRef) -> Attachment:
        if ref.kind != INVOICE_PDF:
            raise NotFound("attachment kind", ref.kind)
        async with self._uow_factory(read_only=True) as uow:
            invoice = await uow.invoices.get(ref.organization_id, ref.object_id)
        if invoice is None:
            raise NotFound("invoice", ref.object_id)
        return Attachment(ref.filename, ref.content_type, await asyncio.to_thread(self._documents.pdf, invoice))
