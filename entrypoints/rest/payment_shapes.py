"""Collection's REST shapes: payment methods, refunds, provider webhooks' answers, bank statements, reconciliation.
Money is a decimal string."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from application.bank_statements import ImportResult
from application.ports.payment_records import StatementLine
from application.reconciliation import Reconciliation
from domain.billing.chargebacks import Chargeback
from domain.billing.invoices import Refund
from domain.billing.payment_methods import PaymentMethod
from entrypoints.rest.bodies import MoneyBody
from entrypoints.rest.queries import Query
from entrypoints.rest.shapes import MAX_ID, Body, doc, text

MAX_REASON = 500


def _t(value: Decimal) -> str:
    return format(value, "f")


class PaymentMethodBody(Body):
    """Start saving a payment method for a customer: with Stripe, a card the customer confirms in the browser
    (Stripe.js, with the answered `client_secret`); with bank transfer, a bank account (`iban`)."""

    customer_id: Annotated[str, text(MAX_ID, min_length=1), doc("The customer (`cus_…`).")]
    iban: Annotated[Annotated[str, text(42, min_length=1)] | None, doc(
        "A bank mandate's account (bank_transfer only), checked.", "DE89370400440532013000")] = None
    holder: Annotated[Annotated[str, text(140, min_length=1)] | None, doc("The account holder's name.")] = None


class PortalPaymentMethodBody(Body):
    """Start saving a payment method for the signed-in driver's own account: with Stripe, a card the driver
    confirms in the browser (Stripe.js, with the answered `client_secret`); with bank transfer, a bank account."""

    iban: Annotated[Annotated[str, text(42, min_length=1)] | None, doc(
        "A bank mandate's account (bank_transfer only), checked.", "DE89370400440532013000")] = None
    holder: Annotated[Annotated[str, text(140, min_length=1)] | None, doc("The account holder's name.")] = None


class PaymentMethodQuery(Query):
    customer_id: Annotated[str, text(MAX_ID, min_length=1), doc("Whose methods (`cus_…`).")]


class RefundBody(Body):
    """Money paid back on the invoice's payment, through the provider that took it."""

    amount: Annotated[MoneyBody, doc("At most what was paid and not refunded yet; in the invoice's currency.")]
    reason: Annotated[str, text(MAX_REASON, min_length=1), doc("Why.", "Charging session interrupted")]
    payment_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc(
        "The payment to refund (`pay_…`); default: the latest one that can take it.")] = None


class ReconciliationQuery(Query):
    start: Annotated[date, doc("The first day (organization's time zone).", "2026-01-01")] = msgspec.field(
        name="from")
    end: Annotated[date, doc("The day after the last (exclusive).", "2026-02-01")] = msgspec.field(name="to")


class PaymentMethodOut(msgspec.Struct):
    """A saved payment method. `client_secret` is set while a card waits for its holder (Stripe.js)."""

    id: str
    customer_id: str
    provider: str
    kind: str
    status: Annotated[str, doc("pending (a card being set up), active, or detached.")]
    label: str
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    default: bool
    client_secret: str | None
    created_at: datetime

    @classmethod
    def of(cls, m: PaymentMethod) -> PaymentMethodOut:
        return cls(m.id, m.customer_id, m.provider, m.kind.value, m.status.value, m.label, m.brand, m.last4,
                   m.exp_month, m.exp_year, m.is_default, m.client_secret, m.created_at)


class PaymentMethodListOut(msgspec.Struct):
    data: list[PaymentMethodOut]
    has_more: bool = False
    next_cursor: str | None = None


class RefundOut(msgspec.Struct):
    id: str
    invoice_id: str
    payment_id: str
    amount: str
    currency: str
    reason: str
    method: str
    provider_reference: str | None
    created_at: datetime

    @classmethod
    def of(cls, r: Refund, invoice_id: str, currency: str) -> RefundOut:
        return cls(r.id, invoice_id, r.payment_id, _t(r.amount), currency, r.reason, r.method, r.provider_reference,
                   r.created_at)


class WebhookOut(msgspec.Struct):
    received: bool
    result: Annotated[str, doc("applied, replayed (seen before: nothing changed) or ignored.")]


class StatementLineOut(msgspec.Struct):
    id: str
    booked_on: date
    amount: str
    currency: str
    reference: str | None
    counterparty: str | None
    status: str
    invoice_id: str | None
    payment_id: str | None

    @classmethod
    def of(cls, s: StatementLine) -> StatementLineOut:
        return cls(s.id, s.booked_on, _t(s.amount), s.currency, s.reference, s.counterparty, s.status.value,
                   s.invoice_id, s.payment_id)


class StatementImportOut(msgspec.Struct):
    imported: int
    duplicates: Annotated[int, doc("Lines imported before (by the bank's reference), skipped.")]
    matched: list[StatementLineOut]
    unmatched: list[StatementLineOut]

    @classmethod
    def of(cls, result: ImportResult) -> StatementImportOut:
        return cls(len(result.lines), result.duplicates, [StatementLineOut.of(s) for s in result.matched],
                   [StatementLineOut.of(s) for s in result.unmatched])


class MatchedPaymentOut(msgspec.Struct):
    payment_id: str
    invoice_id: str
    invoice_number: str | None
    customer_id: str
    amount: str
    currency: str
    method: str
    provider_reference: str | None
    received_on: date


class ReconRefundOut(msgspec.Struct):
    refund_id: str
    payment_id: str
    invoice_id: str
    invoice_number: str | None
    customer_id: str
    amount: str
    currency: str
    method: str
    provider_reference: str | None
    created_at: datetime


class ChargebackOut(msgspec.Struct):
    """A card network's dispute of a payment (shown by the disputes workflow with `source: card_network`)."""

    id: str
    source: str
    invoice_id: str
    customer_id: str
    payment_id: str
    provider: str
    provider_reference: str
    amount: str
    currency: str
    reason: str
    status: str
    opened_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, c: Chargeback) -> ChargebackOut:
        return cls(c.id, c.source, c.invoice_id, c.customer_id, c.payment_id, c.provider, c.provider_reference,
                   _t(c.amount), c.currency, c.reason, c.status.value, c.opened_at, c.closed_at)


class OpenBalanceOut(msgspec.Struct):
    customer_id: str
    currency: str
    amount_due: str
    invoices: int


class ReconTotalsOut(msgspec.Struct):
    currency: str
    payments: str
    refunds: str
    chargebacks: str
    chargebacks_won: str
    records: Annotated[str, doc("payments − refunds − chargebacks + chargebacks won, from the records.")]
    ledger: Annotated[str, doc("The movement of `bank` and `payment_clearing` in the ledger.")]
    difference: Annotated[str, doc("ledger − records: 0 when the books agree.")]


class ReconciliationOut(msgspec.Struct):
    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    matched_payments: list[MatchedPaymentOut] = msgspec.field(default_factory=list)
    unmatched_payments: list[StatementLineOut] = msgspec.field(default_factory=list)
    refunds: list[ReconRefundOut] = msgspec.field(default_factory=list)
    chargebacks: list[ChargebackOut] = msgspec.field(default_factory=list)
    open_balances: list[OpenBalanceOut] = msgspec.field(default_factory=list)
    totals: list[ReconTotalsOut] = msgspec.field(default_factory=list)
    difference: dict[str, str] = msgspec.field(default_factory=dict)
    balanced: bool = True

    @classmethod
    def of(cls, r: Reconciliation) -> ReconciliationOut:
        return cls(
            r.start, r.end,
            [MatchedPaymentOut(p.payment_id, p.invoice_id, p.invoice_number, p.customer_id, _t(p.amount), p.currency,
                               p.method, p.provider_reference, p.received_on) for p in r.matched],
            [StatementLineOut.of(s) for s in r.unmatched],
            [ReconRefundOut(f.refund_id, f.payment_id, f.invoice_id, f.invoice_number, f.customer_id, _t(f.amount),
                            f.currency, f.method, f.provider_reference, f.created_at) for f in r.refunds],
            [ChargebackOut.of(c) for c in r.chargebacks],
            [OpenBalanceOut(b.customer_id, b.currency, _t(b.amount_due), b.invoices) for b in r.open_balances],
            [ReconTotalsOut(t.currency, _t(t.payments), _t(t.refunds), _t(t.chargebacks), _t(t.chargebacks_won),
                            _t(t.records), _t(t.ledger), _t(t.difference)) for t in r.totals],
            {c: _t(d) for c, d in r.difference.items()}, r.balanced)


CSV_COLUMNS = ("section", "id", "date", "invoice_id", "invoice_number", "customer_id", "amount", "currency", "method",
               "reference", "detail")


def reconciliation_csv(r: Reconciliation) -> str:
    """One table: a row per payment, unmatched credit, refund, chargeback, open balance and currency total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in r.matched:
        writer.writerow(("payment", p.payment_id, p.received_on, p.invoice_id, p.invoice_number, p.customer_id,
                         _t(p.amount), p.currency, p.method, p.provider_reference or "", ""))
    for s in r.unmatched:
        writer.writerow(("unmatched", s.id, s.booked_on, "", "", "", _t(s.amount), s.currency, "bank_transfer",
                         s.reference or "", s.counterparty or ""))
    for f in r.refunds:
        writer.writerow(("refund", f.refund_id, f.created_at.date(), f.invoice_id, f.invoice_number, f.customer_id,
                         _t(f.amount), f.currency, f.method, f.provider_reference or "", f.reason))
    for c in r.chargebacks:
        writer.writerow(("chargeback", c.id, c.opened_at.date(), c.invoice_id, "", c.customer_id, _t(c.amount),
                         c.currency, c.provider, c.provider_reference, f"{c.status.value}: {c.reason}"))
    for b in r.open_balances:
        writer.writerow(("open_balance", "", "", "", "", b.customer_id, _t(b.amount_due), b.currency, "", "",
                         f"{b.invoices} open invoices"))
    for t in r.totals:
        writer.writerow(("difference", "", "", "", "", "", _t(t.difference), t.currency, "", "",
                         f"ledger {_t(t.ledger)}, records {_t(t.records)}"))
    return out.getvalue()
