"""What happens to invoices and their money, as domain events (see ``domain.events``).

Ledger postings hang on them (``application.billing_postings``), and webhooks will (``invoice.finalized``,
``invoice.paid``).
"""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from domain.events import DomainEvent, event_type


@event_type
@frozen(kw_only=True)
class InvoiceFinalized(DomainEvent):
    """An invoice or a credit note was numbered and issued (``kind`` says which)."""

    name = "invoice.finalized"
    invoice_id: str
    customer_id: str
    kind: str
    number: str
    currency: str
    total_excl_vat: Decimal
    vat: Decimal
    total: Decimal
    corrects: str | None = None      # a credit note: the invoice it corrects


@event_type
@frozen(kw_only=True)
class PaymentRecorded(DomainEvent):
    name = "payment.recorded"
    invoice_id: str
    customer_id: str
    payment_id: str
    amount: Decimal
    currency: str
    method: str


@event_type
@frozen(kw_only=True)
class InvoicePaid(DomainEvent):
    name = "invoice.paid"
    invoice_id: str
    customer_id: str


@event_type
@frozen(kw_only=True)
class InvoiceVoided(DomainEvent):
    name = "invoice.voided"
    invoice_id: str
    customer_id: str


@event_type
@frozen(kw_only=True)
class InvoiceMarkedUncollectible(DomainEvent):
    name = "invoice.uncollectible"
    invoice_id: str
    customer_id: str
    amount: Decimal
    currency: str
