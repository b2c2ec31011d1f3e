"""Collecting a finalized invoice through the organization's payment provider (the port in
``application/ports/payments.py``): bank transfer answers the instructions and waits for the money; a card
provider (Stripe) charges the customer's default method off-session.

An attempt's idempotency key is derived from the invoice and the attempt's number (``inv…:collect:2``), and
the number only moves when the attempt's outcome commits. So a process that dies between the provider's answer
and that commit asks again with the same key on its next try, and the provider answers the first outcome
instead of charging twice; a payment it took meanwhile is found by its webhook too (recorded once: a payment is
known by the provider's reference).

A decline (or a card that needs its holder to authenticate, which cannot happen off-session) leaves the invoice
open with ``last_payment_error``, emails the customer, and sets the next attempt by the organization's
``payment_retry_days`` (1, 3 and 7 days by default); the server's scheduler and ``charge payments retry`` run
the attempts due. When none is left the invoice stays open, or is written off when the organization's
``uncollectible_after_retries`` says so. A new default payment method tries the customer's failed invoices at
once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from attrs import frozen

from application.payment_providers import BANK_TRANSFER, PaymentProviders
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.mail import EmailMessage, OutboundEmail
from application.ports.payments import Collection, CollectionResult, CustomerProfile, PaymentStatus
from domain.billing.customers import Customer
from domain.billing.events import DefaultPaymentMethodChanged, InvoiceFinalized
from domain.billing.invoices import Invoice, InvoiceKind, InvoiceStatus, Payment
from domain.billing.payment_methods import PaymentMethod
from domain.identity import Organization
from domain.ids import PREFIXES, new_id

log = logging.getLogger("charge.payments")
NO_PAYMENT_METHOD = "no_payment_method"


@frozen
class AttemptOutcome:
    invoice_id: str
    status: InvoiceStatus
    error: str | None


def idempotency_key(invoice_id: str, attempt: int) -> str:
    return f"{invoice_id}:collect:{attempt}"


async def default_method(uow: UnitOfWork, organization_id: str, customer_id: str,
                         provider: str) -> PaymentMethod | None:
    methods = await uow.payment_methods.for_customer(organization_id, customer_id)
    return next((m for m in methods if m.is_default and m.usable and m.provider == provider), None)


async def provider_customer(uow_factory: UnitOfWorkFactory, providers: PaymentProviders,
                            organization: Organization, customer: Customer) -> str | None:
    """The customer's id at the organization's provider, made there (and kept here) the first time."""
    provider = providers.of(organization.settings.billing)
    async with uow_factory(read_only=True) as uow:
        known = await uow.provider_customers.get(organization.id, customer.id, provider.name)
    if known is not None:
        return known
    made = await provider.ensure_customer(CustomerProfile(
        organization.id, customer.id, customer.name, customer.email,
        PaymentProviders.account(organization.settings.billing, provider)), None)
    if made is not None:
        async with uow_factory() as uow:
            if await uow.provider_customers.get(organization.id, customer.id, provider.name) is None:
                await uow.provider_customers.add(organization.id, customer.id, provider.name, made)
                await uow.commit()
            else:   # another request made one meanwhile: the idempotency key made it the same one
                made = await uow.provider_customers.get(organization.id, customer.id, provider.name)
    return made


def _retry_at(organization: Organization, failures: int, now: datetime) -> datetime | None:
    schedule = organization.settings.billing.payment_retry_days
    return now + timedelta(days=schedule[failures - 1]) if failures <= len(schedule) else None


def _failure_email(invoice: Invoice, customer: Customer, organization: Organization, error: str,
                   retry_at: datetime | None, now: datetime) -> OutboundEmail:
    seller = invoice.seller.name if invoice.seller else organization.name
    reason = ("no card is saved for automatic payment" if error == NO_PAYMENT_METHOD
              else f"the card was declined ({error})")
    lines = [f"Dear {customer.name},", "",
             f"We could not collect the {invoice.amount_due} {invoice.currency} due on invoice {invoice.number}: "
             f"{reason}.", ""]
    if retry_at is not None:
        lines.append(f"We will try again on {retry_at.date().isoformat()}. To pay sooner, save another card: it "
                     "is charged as soon as it is saved.")
    else:
        lines.append("Please save another card or pay the invoice by bank transfer.")
    lines += ["", seller]
    return OutboundEmail(id=new_id(PREFIXES["email"]), created_at=now, message=EmailMessage(
        to=customer.email, subject=f"Payment of invoice {invoice.number} failed", text="\n".join(lines) + "\n"))


async def collect_invoice(event: InvoiceFinalized, *, uow_factory: UnitOfWorkFactory, providers: PaymentProviders,
                          clock: Clock) -> None:
    """An invoice was finalized: its first attempt (skipped when it was made already: the event handled again)."""
    if event.kind != InvoiceKind.INVOICE.value or event.total <= 0:
        return
    await attempt_collection(event.organization_id, event.invoice_id, uow_factory=uow_factory, providers=providers,
                             clock=clock, first=True)


async def attempt_collection(organization_id: str, invoice_id: str, *, uow_factory: UnitOfWorkFactory,
                             providers: PaymentProviders, clock: Clock, first: bool = False) -> AttemptOutcome | None:
    """One attempt at an open invoice's money; None when there was nothing to attempt."""
    async with uow_factory(read_only=True) as uow:
        invoice = await uow.invoices.get(organization_id, invoice_id)
        organization = await uow.organizations.get(organization_id)
        customer = await uow.customers.get(organization_id, invoice.customer_id) if invoice else None
        if (invoice is None or organization is None or customer is None or invoice.kind is not InvoiceKind.INVOICE
                or invoice.status is not InvoiceStatus.OPEN or invoice.number is None or invoice.amount_due <= 0
                or (first and invoice.payment_attempts > 0)):
            return None
        provider = providers.of(organization.settings.billing)
        method = (await default_method(uow, organization_id, customer.id, provider.name)
                  if provider.name != BANK_TRANSFER else None)
    attempts = invoice.payment_attempts
    seller = invoice.seller
    result: CollectionResult
    if provider.name != BANK_TRANSFER and method is None:
        result = CollectionResult(PaymentStatus.FAILED, provider.name, error=NO_PAYMENT_METHOD)
    else:
        result = await provider.collect(Collection(
            organization_id=organization_id, invoice_id=invoice.id, invoice_number=invoice.number,
            customer_id=customer.id, amount=invoice.amount_due, currency=invoice.currency,
            idempotency_key=idempotency_key(invoice.id, attempts + 1),
            payment_method_id=method.provider_reference if method else None,
            payment_reference=invoice.payment_reference, payee_iban=seller.iban if seller else None,
            payee_bic=seller.bic if seller else None,
            provider_customer=await provider_customer(uow_factory, providers, organization, customer)
            if method else None,
            account=PaymentProviders.account(organization.settings.billing, provider), attempt=attempts + 1))
    if provider.name == BANK_TRANSFER:
        return None         # the customer pays by transfer: the invoice (and its email) shows how
    now = clock.now()
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(organization_id, invoice_id, for_update=True)
        if invoice is None or invoice.payment_attempts != attempts:
            return None     # another attempt committed first
        error = (result.error or "failed") if result.status is PaymentStatus.FAILED else None
        if result.status is PaymentStatus.SUCCEEDED and invoice.status is InvoiceStatus.OPEN:
            record_provider_payment(invoice, result.provider, result.provider_reference,
                                    result.amount or invoice.amount_due, now)
        if invoice.status is InvoiceStatus.OPEN or result.status is PaymentStatus.SUCCEEDED:
            retry_at = _retry_at(organization, attempts + 1, now) if error is not None else None
            invoice.collection_attempted(now, error=error, retry_at=retry_at)
            if error is not None and invoice.status is InvoiceStatus.OPEN:
                await uow.outbox.add(_failure_email(invoice, customer, organization, error, retry_at, now))
                if retry_at is None and organization.settings.billing.uncollectible_after_retries:
                    invoice.mark_uncollectible(now)
        await uow.invoices.save(invoice)
        await uow.commit()
    if error is not None:
        log.warning("collecting an invoice failed", extra={"invoice_id": invoice_id, "reason": error})
    return AttemptOutcome(invoice_id, invoice.status, error)


def record_provider_payment(invoice: Invoice, provider: str, provider_reference: str | None, amount: Decimal,
                            now: datetime) -> Decimal:
    """A provider's payment on an open invoice, once per provider reference: what it took (0 when it was recorded
    already, or the invoice takes no payment). What it did not take (an invoice settled meanwhile by other means)
    is for reconciliation to show."""
    if invoice.status is not InvoiceStatus.OPEN:
        return Decimal(0)
    if provider_reference is not None and invoice.payment_from(provider_reference) is not None:
        return Decimal(0)
    take = min(amount, invoice.amount_due)
    if take <= 0:
        return Decimal(0)
    invoice.record_payment(Payment(id=new_id(PREFIXES["payment"]), amount=take, received_on=now.date(),
                                   reference=invoice.payment_reference, method=provider,
                                   provider_reference=provider_reference, recorded_at=now), invoice.currency, now)
    return take


async def retry_due_collections(*, uow_factory: UnitOfWorkFactory, providers: PaymentProviders, clock: Clock,
                                limit: int = 100) -> list[AttemptOutcome]:
    """The retries whose time has come, of every organization (the scheduler and ``charge payments retry``)."""
    async with uow_factory(read_only=True) as uow:
        due = await uow.invoices.due_for_collection(clock.now(), limit)
    outcomes = []
    for organization_id, invoice_id in due:
        try:
            outcome = await attempt_collection(organization_id, invoice_id, uow_factory=uow_factory,
                                               providers=providers, clock=clock)
        except Exception:  # one organization's provider failing must not stop the others' retries
            log.exception("a payment retry failed", extra={"invoice_id": invoice_id})
            continue
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def retry_after_new_method(event: DefaultPaymentMethodChanged, *, uow_factory: UnitOfWorkFactory,
                                 providers: PaymentProviders, clock: Clock) -> None:
    """A customer saved (or chose) another default method: its invoices a failed attempt left open are tried now."""
    async with uow_factory(read_only=True) as uow:
        failed = await uow.invoices.failed_collections(event.organization_id, event.customer_id)
    for invoice_id in failed:
        await attempt_collection(event.organization_id, invoice_id, uow_factory=uow_factory, providers=providers,
                                 clock=clock)
