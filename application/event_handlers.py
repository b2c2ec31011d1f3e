"""Which handlers each domain event goes to: the one place the reactions of the core are wired."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from application import billing_postings, collection, disputes
from application.events import Handler, InTransaction
from application.payment_providers import PaymentProviders
from application.ports import Clock
from application.session_facts import record_session_fact, record_session_revenue
from application.session_pricing import price_completed_session
from application.webhook_events import SUBSCRIBABLE
from application.webhooks import fan_out, fan_out_within
from domain.billing.events import (
    ChargebackOpened,
    DefaultPaymentMethodChanged,
    InvoiceFinalized,
    InvoiceMarkedUncollectible,
    InvoiceVoided,
    PaymentRecorded,
    RefundRecorded,
)
from domain.charging.events import SessionCompleted, SessionPriced
from domain.events import DomainEvent, event_types
from domain.fleets import events as _fleet_events  # noqa: F401  (registers authorization.refused)
from domain.network import events as _network_events  # noqa: F401  (registers the network's event types)
from domain.portal.events import DisputeResolved


def handlers(clock: Clock, payments: PaymentProviders | None = None) -> dict[type[DomainEvent], Sequence[Handler]]:
    finalized: list[Handler] = [billing_postings.post_invoice_finalized, disputes.settle_awaiting_disputes]
    retries: list[Handler] = []
    if payments is not None:
        finalized.append(functools.partial(collection.collect_invoice, providers=payments, clock=clock))
        retries.append(functools.partial(collection.retry_after_new_method, providers=payments, clock=clock))
    wired: dict[type[DomainEvent], list[Handler]] = {
        # Reports' facts after pricing, so that a failure of theirs never holds a session's bill back.
        SessionCompleted: [functools.partial(price_completed_session, clock=clock), record_session_fact],
        # Billing: every money event posts once to the ledger (application/billing_postings.py).
        SessionPriced: [functools.partial(billing_postings.book_priced_session, clock=clock), record_session_revenue],
        InvoiceFinalized: finalized,
        PaymentRecorded: [billing_postings.post_payment],
        InvoiceVoided: [billing_postings.post_void],
        InvoiceMarkedUncollectible: [billing_postings.post_write_off],
        # Collection (application/collection.py): refunds post too; a new default card retries failed invoices.
        RefundRecorded: [billing_postings.post_refund],
        DefaultPaymentMethodChanged: retries,
        # Disputes: what a resolution credited of money paid already goes back through its provider.
        DisputeResolved: [functools.partial(disputes.refund_resolved_dispute, providers=payments, clock=clock)],
        # A card network's chargeback shows in the disputes workflow.
        ChargebackOpened: [functools.partial(disputes.dispute_from_chargeback, clock=clock)],
    }
    # Webhooks: every subscribable event is fanned out into deliveries to the endpoints subscribed to it
    # (first: a failing reaction after it does not hold its webhooks back; the fan-out is idempotent).
    known = event_types()
    for name in sorted(SUBSCRIBABLE):
        if name in known:
            wired.setdefault(known[name], []).insert(0, functools.partial(fan_out, clock=clock))
    return {event: list(reactions) for event, reactions in wired.items()}


def in_transaction(clock: Clock, payments: PaymentProviders | None = None) -> dict[type[DomainEvent], InTransaction]:
    """The webhook fan-out of events that have no other reaction runs inside the unit of work that stores them
    (``application.events``): their deliveries commit with the change, and the event is stored handled. A
    charge point's connection (a status change) then costs no transaction after its commit, where claiming,
    fanning out and settling its event took three. Give it the ``payments`` given to ``handlers``."""
    within = functools.partial(fan_out_within, clock=clock)
    # The same wiring as the dispatcher's (``payments`` adds reactions): an event with any other reaction, or
    # with none at all, is left to the dispatcher.
    return {event: within for event, reactions in handlers(clock, payments).items()
            if reactions and all(getattr(reaction, "func", None) is fan_out for reaction in reactions)}
