"""Which handlers each domain event goes to: the one place the reactions of the core are wired."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from application import billing_postings
from application.collection import collect_invoice
from application.events import Handler
from application.ports import Clock
from application.ports.payments import PaymentProvider
from application.session_pricing import price_completed_session
from application.webhook_events import SUBSCRIBABLE
from application.webhooks import fan_out
from domain.billing.events import InvoiceFinalized, InvoiceMarkedUncollectible, InvoiceVoided, PaymentRecorded
from domain.charging.events import SessionCompleted, SessionPriced
from domain.events import DomainEvent, event_types
from domain.network import events as _network_events  # noqa: F401  (registers the network's event types)


def handlers(clock: Clock, payments: PaymentProvider | None = None) -> dict[type[DomainEvent], Sequence[Handler]]:
    finalized: list[Handler] = [billing_postings.post_invoice_finalized]
    if payments is not None:
        finalized.append(functools.partial(collect_invoice, provider=payments, clock=clock))
    wired: dict[type[DomainEvent], list[Handler]] = {
        SessionCompleted: [functools.partial(price_completed_session, clock=clock)],
        # Billing: every money event posts once to the ledger (application/billing_postings.py).
        SessionPriced: [functools.partial(billing_postings.book_priced_session, clock=clock)],
        InvoiceFinalized: finalized,
        PaymentRecorded: [billing_postings.post_payment],
        InvoiceVoided: [billing_postings.post_void],
        InvoiceMarkedUncollectible: [billing_postings.post_write_off],
    }
    # Webhooks: every subscribable event is fanned out into deliveries to the endpoints subscribed to it
    # (first: a failing reaction after it does not hold its webhooks back; the fan-out is idempotent).
    known = event_types()
    for name in sorted(SUBSCRIBABLE):
        if name in known:
            wired.setdefault(known[name], []).insert(0, functools.partial(fan_out, clock=clock))
    return {event: list(reactions) for event, reactions in wired.items()}
