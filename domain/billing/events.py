"""What happens to invoices and their money, as domain events (see ``domain.events``).

Ledger postings hang on them (``application.billing_postings``), and webhooks will (``invoice.finalized``,
``invoice.paid``).
"""

from __future__ import annotations

from datetime import datetime
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


@event_type
@frozen(kw_only=True)
class InvoicePaymentFailed(DomainEvent):
    """A provider declined to collect an invoice (a declined card, authentication it cannot do off-session)."""

    name = "payment.failed"
    invoice_id: str
    customer_id: str
    attempt: int
    error: str
    next_attempt_at: datetime | None = None


@event_type
@frozen(kw_only=True)
class RefundRecorded(DomainEvent):
    name = "refund.recorded"
    invoice_id: str
    customer_id: str
    refund_id: str
    payment_id: str
    amount: Decimal
    currency: str
    method: str


@event_type
@frozen(kw_only=True)
class ChargebackOpened(DomainEvent):
    """A card holder's bank disputed a payment (see ``domain.billing.chargebacks``)."""

    name = "chargeback.opened"
    chargeback_id: str
    invoice_id: str
    customer_id: str
    amount: Decimal
    currency: str


@event_type
@frozen(kw_only=True)
class ChargebackClosed(DomainEvent):
    name = "chargeback.closed"
    chargeback_id: str
    invoice_id: str
    customer_id: str
    status: str                     # won | lost


@event_type
@frozen(kw_only=True)
class DefaultPaymentMethodChanged(DomainEvent):
    """A customer has a new default payment method: invoices a failed attempt left open are tried again."""

    name = "payment_method.default_changed"
    customer_id: str
    payment_method_id: str
