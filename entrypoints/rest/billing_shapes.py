"""Billing's REST shapes (bodies, queries, views) as msgspec Structs: customers, invoices and credit notes,
payments, the ledger's transactions and trial balance, invoice runs. Money is a decimal string."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from application.customers import CustomerBalance
from application.ports.billing import InvoiceRun
from domain.billing.customers import MAX_PAYMENT_TERMS_DAYS, Customer, InvoiceDelivery
from domain.billing.invoices import MAX_REASON, Address, Invoice, InvoiceKind, InvoiceStatus, Party
from domain.billing.ledger import LedgerTransaction, TrialBalance
from entrypoints.rest.bodies import AddressBody, MoneyBody
from entrypoints.rest.queries import Query
from entrypoints.rest.shapes import MAX_ID, Body, Currency, Email, Money, Name, Timestamp, doc, text

MAX_REFERENCE = 140
MONTH = "^[0-9]{4}-(0[1-9]|1[0-2])$"


def _t(value: Decimal) -> str:
    return format(value, "f")


# ---------------------------------------------------------------- bodies


class CustomerBody(Body):
    """A billing account: who pays. A PUT replaces it."""

    name: Annotated[Name, doc("The name invoices are made out to.", "Fleet Co Ltd")]
    email: Annotated[Email, doc("Where invoices are emailed.", "ap@fleet.example")]
    billing_address: Annotated[AddressBody | None, doc("The buyer's address on its invoices.")] = None
    tax_id: Annotated[Annotated[str, text(40, min_length=1)] | None, doc(
        "A VAT number, with its country prefix; checked against its country's format and check digits.",
        "DE136695976")] = None
    currency: Annotated[Currency | None, doc("ISO 4217; default: the organization's.")] = None
    payment_terms_days: Annotated[Annotated[int, Meta(ge=0, le=MAX_PAYMENT_TERMS_DAYS)] | None, doc(
        "Days from issue to due date; default: the organization's (`payment_terms_days`).", 30)] = None
    invoice_delivery: Annotated[InvoiceDelivery, doc(
        "`email`: each finalized invoice is emailed with its PDF; `none`: fetched through the API.")] = \
        InvoiceDelivery.EMAIL


class PaymentBody(Body):
    """A bank transfer received against the invoice."""

    amount: Annotated[MoneyBody, doc("What arrived; in the invoice's currency, at most what is still due.")]
    date: Annotated[date, doc("When it arrived (the value date).", "2026-02-03")]
    reference: Annotated[Annotated[str, text(MAX_REFERENCE, min_length=1)] | None, doc(
        "The reference the payer quoted (the invoice's RF reference).", "RF18539007547034")] = None


class CreditLineBody(Body):
    line: Annotated[int, Meta(ge=0, le=1_000_000), doc("The position of the invoice's line (from 0).", 0)]
    amount: Annotated[Money, doc("The net amount of that line to credit (excl. VAT).", "1.50")]


class CreditNoteBody(Body):
    """A credit note against a finalized invoice: an `amount` (VAT included), or chosen `lines` (net)."""

    reason: Annotated[str, text(MAX_REASON, min_length=1), doc("Why, as the credit note will say.", "Goodwill")]
    amount: Annotated[Money | None, doc("The amount to credit, VAT included.", "5.00")] = None
    lines: Annotated[Annotated[list[CreditLineBody], Meta(min_length=1, max_length=1000)] | None,
                     doc("Lines to credit, net.")] = None


class InvoiceRunBody(Body):
    """A period to invoice: usually a calendar month (`period_end` is exclusive)."""

    period_start: Annotated[date, doc("The first day, in the organization's time zone.", "2026-01-01")]
    period_end: Annotated[date, doc("The day after the last (exclusive).", "2026-02-01")]
    finalize: Annotated[bool, doc("Finalize (number and email) the invoices it makes; default: the "
                                  "organization's `auto_finalize_invoices`.")] = False


# ---------------------------------------------------------------- queries




class InvoiceQuery(Query):
    customer_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                           doc("Only this customer's (`cus_…`).")] = None
    status: Annotated[InvoiceStatus | None, doc("draft, open, paid, void or uncollectible.")] = None
    period: Annotated[Annotated[str, text(7, pattern=MONTH)] | None, doc("Only the invoices of this month.",
                                                                          "2026-01")] = None
    kind: Annotated[InvoiceKind | None, doc("`invoice` or `credit_note`.")] = None


class TransactionQuery(Query):
    customer_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc("The counterparty (`cus_…`).")] = None
    session_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc("A session's posting.")] = None
    invoice_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc(
        "An invoice's postings (finalization, payments, credit notes, void, write-off).")] = None
    account: Annotated[Annotated[str, text(80, min_length=1)] | None, doc(
        "Only transactions with an entry on this account.", "unbilled_receivable")] = None
    posted_from: Annotated[Timestamp | None, doc("Posted at or after.")] = msgspec.field(default=None, name="from")
    posted_to: Annotated[Timestamp | None, doc("Posted before.")] = msgspec.field(default=None, name="to")


class TrialBalanceQuery(Query):
    at: Annotated[Timestamp | None, doc("What was posted at or before this instant (default: everything).")] = None


# ---------------------------------------------------------------- views


class AddressOut(msgspec.Struct):
    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str

    @classmethod
    def of(cls, address: Address | None) -> AddressOut | None:
        if address is None:
            return None
        return cls(address.line1, address.line2, address.postal_code, address.city, address.country)


class CustomerOut(msgspec.Struct):
    """A customer (billing account)."""

    id: str
    name: str
    email: str
    billing_address: AddressOut | None
    tax_id: str | None
    currency: str | None
    payment_terms_days: int | None
    invoice_delivery: InvoiceDelivery
    driver_id: Annotated[str | None, doc("Set on the customer made for a driver that names none.")]
    created_at: datetime
    fleet_id: Annotated[str | None, doc("Set on the customer made for a fleet that names none.")] = None

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(c.id, c.name, c.email, AddressOut.of(c.billing_address), c.tax_id, c.currency,
                   c.payment_terms_days, c.invoice_delivery, c.driver_id, c.created_at, c.fleet_id)


class CurrencyBalanceOut(msgspec.Struct):
    currency: str
    invoiced_outstanding: Annotated[str, doc("Owed on finalized invoices (negative: in credit).")]
    unbilled: Annotated[str, doc("Priced sessions not on a finalized invoice yet, excl. VAT.")]


class BalanceOut(msgspec.Struct):
    """A customer's balance, from the ledger, per currency."""

    customer_id: str
    balances: list[CurrencyBalanceOut]

    @classmethod
    def of(cls, balance: CustomerBalance) -> BalanceOut:
        return cls(balance.customer_id, [CurrencyBalanceOut(b.currency, _t(b.invoiced_outstanding), _t(b.unbilled))
                                         for b in balance.balances])


class EntryOut(msgspec.Struct):
    account: str
    currency: str
    debit: str
    credit: str


class SourceOut(msgspec.Struct):
    kind: str
    id: str


class TransactionOut(msgspec.Struct):
    """A ledger transaction: balanced per currency, never changed (corrections are new transactions)."""

    id: str
    source: Annotated[SourceOut, doc("What it books (posted once per source).")]
    posted_at: datetime
    description: str
    customer_id: str | None
    invoice_id: str | None
    session_id: str | None
    entries: list[EntryOut]

    @classmethod
    def of(cls, t: LedgerTransaction) -> TransactionOut:
        return cls(t.id, SourceOut(t.source.kind.value, t.source.id), t.posted_at, t.description, t.customer_id,
                   t.invoice_id, t.session_id,
                   [EntryOut(e.account, e.currency, _t(e.debit), _t(e.credit)) for e in t.entries])


class AccountBalanceOut(msgspec.Struct):
    account: str
    currency: str
    debits: str
    credits: str
    balance: Annotated[str, doc("On the account's normal side (debit for assets, credit for revenue and VAT).")]


class CurrencyTotalsOut(msgspec.Struct):
    currency: str
    debits: str
    credits: str


class TrialBalanceOut(msgspec.Struct):
    """Per account and currency; the ledger balances when debits equal credits in every currency."""

    at: datetime | None
    accounts: list[AccountBalanceOut]
    totals: list[CurrencyTotalsOut]
    balanced: bool

    @classmethod
    def of(cls, tb: TrialBalance) -> TrialBalanceOut:
        return cls(tb.at, [AccountBalanceOut(r.account, r.currency, _t(r.debits), _t(r.credits), _t(r.balance))
                           for r in tb.accounts],
                   [CurrencyTotalsOut(c, _t(d), _t(cr)) for c, (d, cr) in sorted(tb.totals().items())], tb.balances)


class LineOut(msgspec.Struct):
    kind: str
    description: str
    quantity: str
    unit: str
    unit_code: Annotated[str, doc("UN/ECE Recommendation 20 (KWH, HUR, C62, MON).")]
    unit_price: str
    net_amount: str
    vat_category: Annotated[str, doc("UNTDID 5305: S standard, Z zero, E exempt, O not subject, AE reverse charge…")]
    vat_rate: str
    vat_exemption_reason: str | None
    session_id: str | None
    service_date: date | None


class InvoiceSessionOut(msgspec.Struct):
    session_id: str
    started_at: Annotated[datetime, doc("In the location's time zone.")]
    stopped_at: datetime | None
    location: str
    charge_point_id: str
    energy_kwh: str
    net_amount: str


class VatSubtotalOut(msgspec.Struct):
    category: str
    rate: str
    exemption_reason: str | None
    taxable_amount: str
    vat: str


class PaymentOut(msgspec.Struct):
    id: str
    amount: str
    date: date
    reference: str | None
    method: str
    provider_reference: Annotated[str | None, doc("The provider's id of the payment (Stripe's pi_…).")] = None


class InvoiceRefundOut(msgspec.Struct):
    id: str
    payment_id: str
    amount: str
    reason: str
    method: str
    provider_reference: str | None
    created_at: datetime


class PartyOut(msgspec.Struct):
    name: str
    address: AddressOut | None
    vat_id: str | None
    email: str | None
    iban: str | None
    bic: str | None

    @classmethod
    def of(cls, party: Party | None) -> PartyOut | None:
        if party is None:
            return None
        return cls(party.name, AddressOut.of(party.address), party.vat_id, party.email, party.iban, party.bic)


class InvoiceOut(msgspec.Struct):
    """An invoice or a credit note (`kind`), with its lines, sessions, VAT per category and rate, and totals."""

    id: str
    kind: InvoiceKind
    number: Annotated[str | None, doc("Set when finalized: gap-free per organization and series.")]
    status: InvoiceStatus
    customer_id: str
    period_start: date
    period_end: Annotated[date, doc("Exclusive.")]
    currency: str
    lines: list[LineOut]
    sessions: list[InvoiceSessionOut]
    vat_breakdown: list[VatSubtotalOut]
    total_excl_vat: str
    vat: str
    total: str
    amount_paid: str
    amount_due: str
    credited: str
    issue_date: date | None
    due_date: date | None
    payment_reference: Annotated[str | None, doc("ISO 11649 structured creditor reference (RF…).")]
    seller: PartyOut | None
    buyer: PartyOut | None
    payments: list[PaymentOut]
    corrects: Annotated[str | None, doc("A credit note: the invoice it corrects.")]
    corrects_number: str | None
    reason: str | None
    credit_note_ids: list[str]
    created_at: datetime
    finalized_at: datetime | None
    refunds: list[InvoiceRefundOut] = msgspec.field(default_factory=list)
    amount_refunded: str = "0"
    payment_attempts: Annotated[int, doc("Attempts a card provider made to collect it.")] = 0
    last_payment_error: Annotated[str | None, doc(
        "Why the last attempt failed (a decline code such as `card_declined`, `authentication_required`, "
        "`no_payment_method`); null once paid.")] = None
    next_payment_attempt_at: Annotated[datetime | None, doc("When it is tried again.")] = None

    @classmethod
    def of(cls, i: Invoice, credit_notes: tuple[Invoice, ...] = ()) -> InvoiceOut:
        return cls(
            i.id, i.kind, i.number, i.status, i.customer_id, i.period_start, i.period_end, i.currency,
            [LineOut(line.kind.value, line.description, _t(line.quantity), line.unit, line.unit_code,
                     _t(line.unit_price), _t(line.net_amount), line.vat.category, _t(line.vat.rate),
                     line.vat.exemption_reason, line.session_id, line.service_date) for line in i.lines],
            [InvoiceSessionOut(s.session_id, s.started_at, s.stopped_at, s.location, s.charge_point_id,
                               _t(s.energy_kwh), _t(s.net_amount)) for s in i.sessions],
            [VatSubtotalOut(g.treatment.category, _t(g.treatment.rate), g.treatment.exemption_reason, _t(g.taxable),
                            _t(g.vat)) for g in i.vat_breakdown],
            _t(i.total_excl_vat), _t(i.vat), _t(i.total), _t(i.amount_paid), _t(i.amount_due), _t(i.credited),
            i.issue_date, i.due_date, i.payment_reference, PartyOut.of(i.seller), PartyOut.of(i.buyer),
            [PaymentOut(p.id, _t(p.amount), p.received_on, p.reference, p.method, p.provider_reference)
             for p in i.payments],
            i.corrects, i.corrects_number, i.reason, [n.id for n in credit_notes], i.created_at, i.finalized_at,
            [InvoiceRefundOut(r.id, r.payment_id, _t(r.amount), r.reason, r.method, r.provider_reference,
                              r.created_at) for r in i.refunds],
            _t(i.amount_refunded), i.payment_attempts, i.last_payment_error, i.next_payment_attempt_at)


class RunStatusOut(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class InvoiceRunOut(msgspec.Struct):
    """A run of the batch invoicer over a period, and how far it got."""

    id: str
    status: RunStatusOut
    period_start: date
    period_end: date
    finalize: bool
    customers_total: int
    customers_done: int
    progress: Annotated[str, doc("customers_done / customers_total, from 0 to 1.")]
    invoices_created: int
    invoices_updated: int
    invoices_finalized: int
    sessions_invoiced: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None

    @classmethod
    def of(cls, r: InvoiceRun) -> InvoiceRunOut:
        done = Decimal(r.customers_done) / r.customers_total if r.customers_total else Decimal(
            1 if r.status.value == "completed" else 0)
        return cls(r.id, RunStatusOut(r.status.value), r.period_start, r.period_end, r.finalize, r.customers_total,
                   r.customers_done, _t(min(done, Decimal(1)).quantize(Decimal("0.0001"))), r.invoices_created,
                   r.invoices_updated, r.invoices_finalized, r.sessions_invoiced, r.created_at, r.started_at,
                   r.finished_at, r.error)
