"""A payment provider's events (Stripe's webhooks): checked, applied once, each inside one unit of work.

The event's id is stored in the same transaction that applies it: a replay (Stripe sends an event again until
it gets a 2xx, and may send it twice anyway) finds it and changes nothing. Events arrive in any order: one about
a payment Charge has not recorded yet (a refund or a dispute before ``payment_intent.succeeded``) is refused
with ``NotYetKnown`` and nothing is stored, so the provider delivers it again later, when the payment is known
(an event about a payment Charge never asked for is ignored once it is three days old).

==================================== ==========================================================================
event                                effect
==================================== ==========================================================================
payment_intent.succeeded             the payment is recorded on its invoice (once per PaymentIntent)
payment_intent.payment_failed        an open invoice shows the reason (``last_payment_error``)
charge.refunded                      refunds made at Stripe are recorded (ours are known by their ``re_…``)
charge.dispute.created               a chargeback: recorded, posted (Dr chargebacks, Cr payment_clearing)
charge.dispute.closed                the chargeback won (posted back) or lost
setup_intent.succeeded               the card being saved is active (the default if the customer has none)
==================================== ==========================================================================
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from application.collection import record_provider_payment
from application.payment_methods import activated
from application.payment_providers import PaymentProviders
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.payment_records import StatementLine, StatementLineStatus
from application.ports.payments import ProviderEvent, ProviderEventKind, SavedMethod
from domain.billing import postings
from domain.billing.chargebacks import Chargeback, ChargebackStatus
from domain.billing.events import ChargebackClosed, ChargebackOpened
from domain.billing.invoices import Invoice, InvoiceStatus, Refund
from domain.billing.payment_methods import MethodStatus
from domain.errors import Conflict
from domain.ids import PREFIXES, new_id

log = logging.getLogger("charge.payments")
STRIPE = "stripe"
# Stripe retries a delivery for up to three days: an event about a payment still unknown after that is about a
# payment Charge never asked for (another system on the same account), and is ignored rather than refused.
GIVE_UP_DAYS = 3


class NotYetKnown(Conflict):
    """The event is about a payment Charge has not recorded yet: the provider should send it again later."""

    code = "not_yet_known"


class Applied(str, enum.Enum):
    APPLIED = "applied"
    REPLAYED = "replayed"        # seen before: nothing changed
    IGNORED = "ignored"          # authentic, stored, about nothing Charge keeps


async def receive_stripe_event(payload: bytes, headers: Mapping[str, str], *, uow_factory: UnitOfWorkFactory,
                               providers: PaymentProviders, clock: Clock) -> Applied:
    """``POST /api/v1/webhooks/stripe``: ``InvalidInput`` when the signature is bad or stale (nothing changes)."""
    provider = providers.named(STRIPE)
    event = provider.parse_event(payload, headers)
    return await apply_event(event, STRIPE, uow_factory=uow_factory, providers=providers, clock=clock)


async def _saved_method(event: ProviderEvent, provider_name: str, uow_factory: UnitOfWorkFactory,
                        providers: PaymentProviders) -> SavedMethod | None:
    """A saved card's details (brand, last4, expiry), from the provider when the event names only its id."""
    if event.organization_id is None or event.setup_reference is None:
        return None
    async with uow_factory(read_only=True) as uow:
        method = await uow.payment_methods.find_by_setup(event.organization_id, event.setup_reference)
        organization = await uow.organizations.get(event.organization_id)
        known = (await uow.provider_customers.get(event.organization_id, method.customer_id, provider_name)
                 if method is not None else None)
    if method is None or organization is None or method.status is not MethodStatus.PENDING:
        return None
    if event.method is not None:
        return event.method
    provider = providers.named(provider_name)
    return await provider.method_setup(event.setup_reference, known,
                                       PaymentProviders.account(organization.settings.billing, provider))


async def apply_event(event: ProviderEvent, provider_name: str, *, uow_factory: UnitOfWorkFactory,
                      providers: PaymentProviders, clock: Clock) -> Applied:
    saved = (await _saved_method(event, provider_name, uow_factory, providers)
             if event.kind is ProviderEventKind.METHOD_SAVED else None)
    now = clock.now()
    async with uow_factory() as uow:
        if not await uow.provider_events.add(provider_name, event.id, event.type, event.organization_id, now):
            return Applied.REPLAYED
        applied = await _apply(uow, event, provider_name, saved, now)
        await uow.commit()
    return Applied.APPLIED if applied else Applied.IGNORED


async def _apply(uow: UnitOfWork, event: ProviderEvent, provider: str, saved: SavedMethod | None,
                 now: datetime) -> bool:
    kind = event.kind
    if kind is ProviderEventKind.PAYMENT_SUCCEEDED:
        invoice = await _invoice_of_metadata(uow, event)
        if invoice is None:
            return False
        seen = event.provider_reference is not None and invoice.payment_from(event.provider_reference) is not None
        taken = record_provider_payment(invoice, provider, event.provider_reference, event.amount, now)
        if taken:
            invoice.last_payment_error = invoice.next_payment_attempt_at = None
            await uow.invoices.save(invoice)
        if not seen and taken < event.amount:
            await _unmatched(uow, invoice, event, event.amount - taken, provider, now)
        return True
    if kind is ProviderEventKind.PAYMENT_FAILED:
        invoice = await _invoice_of_metadata(uow, event)
        if invoice is None or invoice.status is not InvoiceStatus.OPEN or (
                event.provider_reference and invoice.payment_from(event.provider_reference)):
            return False
        if invoice.last_payment_error is None:     # the attempt's own outcome was lost: keep the reason
            invoice.last_payment_error = event.error
            await uow.invoices.save(invoice)
        return True
    if kind is ProviderEventKind.REFUNDED:
        invoice = await _invoice_of_payment(uow, event, now)
        if invoice is None:
            return False
        payment = invoice.payment_from(event.provider_reference or "")
        assert payment is not None
        changed = False
        known = [r for r in invoice.refunds if r.payment_id == payment.id]
        if event.refunds:
            fresh = [(r.provider_reference, r.amount) for r in event.refunds
                     if all(k.provider_reference != r.provider_reference for k in known)]
        else:   # the provider sends the total refunded only (newer API versions): record what is new
            fresh = [(f"{event.id}", event.amount - sum((k.amount for k in known), Decimal(0)))]
        for reference, amount in fresh:
            amount = min(amount, invoice.refundable(payment.id))
            if amount > 0:
                changed |= invoice.refund(Refund(id=new_id(PREFIXES["refund"]), payment_id=payment.id,
                                                 amount=amount, reason=f"refunded at {provider}", method=provider,
                                                 created_at=now, provider_reference=reference), now)
        if changed:
            await uow.invoices.save(invoice)
        return True
    if kind in (ProviderEventKind.DISPUTE_OPENED, ProviderEventKind.DISPUTE_CLOSED):
        return await _dispute(uow, event, provider, now)
    if kind is ProviderEventKind.METHOD_SAVED:
        if saved is None or event.organization_id is None or event.setup_reference is None:
            return False
        method = await uow.payment_methods.find_by_setup(event.organization_id, event.setup_reference)
        if method is None:
            return False
        await activated(uow, method, saved, now)
        return True
    return False


async def _unmatched(uow: UnitOfWork, invoice: Invoice, event: ProviderEvent, amount: Decimal, provider: str,
                     now: datetime) -> None:
    """Money a provider took that its invoice did not (settled meanwhile by other means): listed unmatched by
    reconciliation, for the operator to refund or apply."""
    await uow.statement_lines.add(StatementLine(
        id=new_id(PREFIXES["statement_line"]), organization_id=invoice.organization_id,
        key=f"{provider}:{event.provider_reference}", booked_on=now.date(), amount=amount,
        currency=event.currency, reference=invoice.number or invoice.id, counterparty=provider,
        status=StatementLineStatus.UNMATCHED, imported_at=now))


async def _invoice_of_metadata(uow: UnitOfWork, event: ProviderEvent) -> Invoice | None:
    """The invoice a PaymentIntent was made for (its metadata names it); None for a payment Charge did not ask."""
    if event.organization_id is None or event.reference is None:
        return None
    invoice = await uow.invoices.get(event.organization_id, event.reference, for_update=True)
    if invoice is None or invoice.currency != event.currency:
        return None
    return invoice


async def _invoice_of_payment(uow: UnitOfWork, event: ProviderEvent, now: datetime) -> Invoice | None:
    """The invoice the event's payment is recorded on. None for a payment Charge never asked for (no PaymentIntent,
    or one still unknown once Stripe's own retries would be over): the event is stored and ignored."""
    if event.provider_reference is None:
        return None
    found = await uow.invoices.find_by_payment(event.provider_reference)
    invoice = await uow.invoices.get(found[0], found[1], for_update=True) if found else None
    if invoice is None:
        if event.received_on is not None and (now.date() - event.received_on).days >= GIVE_UP_DAYS:
            return None
        raise NotYetKnown(f"no payment {event.provider_reference} is recorded yet: send {event.id} again later")
    return invoice


async def _dispute(uow: UnitOfWork, event: ProviderEvent, provider: str, now: datetime) -> bool:
    assert event.dispute_reference is not None
    chargeback = await uow.chargebacks.find(provider, event.dispute_reference)
    if chargeback is None:
        invoice = await _invoice_of_payment(uow, event, now)
        if invoice is None:
            return False
        payment = invoice.payment_from(event.provider_reference or "")
        assert payment is not None
        chargeback = Chargeback(id=new_id(PREFIXES["chargeback"]), organization_id=invoice.organization_id,
                                invoice_id=invoice.id, customer_id=invoice.customer_id, payment_id=payment.id,
                                provider=provider, provider_reference=event.dispute_reference, amount=event.amount,
                                currency=event.currency, reason=event.dispute_reason or "general",
                                status=ChargebackStatus.OPEN, opened_at=now)
        await uow.chargebacks.add(chargeback)
        transaction = postings.chargeback_opened(chargeback, id=new_id(PREFIXES["ledger_transaction"]),
                                                 posted_at=now)
        if transaction is not None:
            await uow.ledger.post(transaction)
        await uow.events.add([ChargebackOpened(organization_id=chargeback.organization_id, occurred_at=now,
                                               chargeback_id=chargeback.id, invoice_id=chargeback.invoice_id,
                                               customer_id=chargeback.customer_id, amount=chargeback.amount,
                                               currency=chargeback.currency)])
    if event.kind is not ProviderEventKind.DISPUTE_CLOSED:
        return True
    status = ChargebackStatus.of_stripe(event.dispute_status or "")
    if not chargeback.close(status, now):
        return True
    await uow.chargebacks.save(chargeback)
    if status is ChargebackStatus.WON:
        transaction = postings.chargeback_won(chargeback, id=new_id(PREFIXES["ledger_transaction"]), posted_at=now)
        if transaction is not None:
            await uow.ledger.post(transaction)
    await uow.events.add([ChargebackClosed(organization_id=chargeback.organization_id, occurred_at=now,
                                           chargeback_id=chargeback.id, invoice_id=chargeback.invoice_id,
                                           customer_id=chargeback.customer_id, status=status.value)])
    return True
