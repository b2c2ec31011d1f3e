"""Invoices and credit notes: lines from priced sessions and plan fees, VAT as EN 16931 does it, states.

An invoice is a ``draft`` while runs assemble it, ``open`` once finalized (numbered, dated, its
seller and buyer frozen: it never changes again), then ``paid`` when payments (and credit notes)
cover it, ``void`` (only while nothing was paid or credited) or ``uncollectible`` (written off).
Corrections are credit notes: documents of their own number series that reference the invoice and
credit part (or all) of it; a credit note is issued (``open``) at once and is settled by the
invoice it corrects, so it is ``paid`` from the start.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from attrs import define, field, frozen

from domain.billing.events import (
    InvoiceFinalized,
    InvoiceMarkedUncollectible,
    InvoicePaid,
    InvoicePaymentFailed,
    InvoiceVoided,
    PaymentRecorded,
    RefundRecorded,
)
from domain.billing.vat import VatSubtotal, VatTreatment, breakdown, round_minor
from domain.errors import FieldError, InvalidInput, InvalidState
from domain.events import DomainEvent
from domain.geography import CURRENCY_EXPONENTS
from domain.validation import text_problem

_ZERO = Decimal(0)
MAX_REASON = 500


class InvoiceKind(str, enum.Enum):
    INVOICE = "invoice"              # UNTDID 1001 code 380
    CREDIT_NOTE = "credit_note"      # code 381

    @property
    def type_code(self) -> str:
        return "380" if self is InvoiceKind.INVOICE else "381"

    @property
    def series(self) -> str:
        """The number series a document of this kind is numbered in (gap-free, per organization)."""
        return self.value


class InvoiceStatus(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


FINALIZED = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE})


class LineKind(str, enum.Enum):
    ENERGY = "energy"
    TIME = "time"
    PARKING = "parking"
    FLAT = "flat"
    RESERVATION = "reservation"
    PRICE_BOUND = "price_bound"      # a tariff's min or max price brought the session to its bound
    PLAN_FEE = "plan_fee"
    CREDIT = "credit"                # a credit note's line


# UN/ECE Recommendation 20 unit codes, as CII wants them.
UNIT_CODES = {"kWh": "KWH", "h": "HUR", "flat": "C62", "month": "MON"}


@frozen
class Address:
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str | None = None


@frozen
class Party:
    """A seller or buyer as the invoice names them, frozen when it is finalized.

    A buyer may have no ``address`` (a driver billed as a customer of its own, whose address is not
    known): the documents then name the seller's country for it, as a consumer's invoice may."""

    name: str
    address: Address | None
    vat_id: str | None = None
    email: str | None = None
    iban: str | None = None          # the seller's account, for payment by bank transfer
    bic: str | None = None
    legal_id: str | None = None      # a company registration number (EN 16931 BT-30 seller, BT-47 buyer)


@frozen
class InvoiceSession:
    """A charging session an invoice bills: what the sessions table of the document shows."""

    session_id: str
    started_at: datetime             # in the location's time zone, as the driver saw it
    stopped_at: datetime | None
    location: str
    charge_point_id: str
    energy_kwh: Decimal
    net_amount: Decimal


@frozen
class InvoiceLine:
    kind: LineKind
    description: str
    quantity: Decimal
    unit: str                        # kWh, h, flat, month
    unit_price: Decimal              # net, up to 6 decimals
    net_amount: Decimal              # in the currency's minor unit
    vat: VatTreatment
    session_id: str | None = None
    service_date: date | None = None

    @property
    def unit_code(self) -> str:
        return UNIT_CODES.get(self.unit, "C62")


@frozen
class Charge:
    """What an invoice bills: a priced session (its lines and its row of the sessions table), or a membership
    plan's fee for the days of a month (``session`` None). Made once, unique on ``id`` (the session's id, or
    ``sub_…/YYYY-MM`` for a fee), it waits for an invoice and goes on one, ever."""

    id: str
    organization_id: str
    customer_id: str | None          # None: a session without a driver, so nobody to bill (never invoiced)
    currency: str
    started_at: datetime             # a session's start; a fee's first covered instant
    lines: tuple[InvoiceLine, ...]
    session: InvoiceSession | None = None
    invoice_id: str | None = None

    @property
    def session_id(self) -> str | None:
        return self.session.session_id if self.session is not None else None

    @property
    def net_amount(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), _ZERO)

    @property
    def order(self) -> tuple[datetime, str]:
        """Where it stands on its invoice: by start, then id (the same whenever the invoice is read)."""
        return (self.started_at, self.id)

    def on(self, invoice_id: str) -> Charge:
        """This charge, put on ``invoice_id`` (made directly: a run does this a million times)."""
        return Charge(self.id, self.organization_id, self.customer_id, self.currency, self.started_at, self.lines,
                      self.session, invoice_id)


@frozen
class Payment:
    id: str
    amount: Decimal
    received_on: date
    reference: str | None
    method: str                      # bank_transfer, card…
    provider_reference: str | None = None
    recorded_at: datetime | None = None


@frozen
class Refund:
    """Money paid back on an invoice's payment, through the provider that took it (never more than was paid)."""

    id: str
    payment_id: str
    amount: Decimal
    reason: str
    method: str                      # the provider: bank_transfer, stripe
    created_at: datetime
    provider_reference: str | None = None   # Stripe's re_…
    # The credit note whose credit this pays back (a dispute settled): the credit note reversed the sale, so the
    # refund settles the customer's receivable, not the refunds account.
    credit_note_id: str | None = None


@define
class Invoice:
    id: str
    organization_id: str
    customer_id: str
    kind: InvoiceKind
    currency: str
    period_start: date
    period_end: date                 # exclusive
    created_at: datetime
    status: InvoiceStatus = InvoiceStatus.DRAFT
    lines: list[InvoiceLine] = field(factory=list)      # an invoice: its charges' lines; a credit note: its own
    sessions: list[InvoiceSession] = field(factory=list)
    charges: list[Charge] = field(factory=list)       # an invoice's, in order (see ``Charge.order``)
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    seller: Party | None = None
    buyer: Party | None = None
    payment_reference: str | None = None
    payments: list[Payment] = field(factory=list)
    credited: Decimal = _ZERO        # the total of the credit notes issued against this invoice
    corrects: str | None = None      # a credit note: the invoice it corrects (id)
    corrects_number: str | None = None
    reason: str | None = None        # a credit note: why
    buyer_reference: str | None = None  # the buyer's own reference for it (EN 16931 BT-10: a PO, a routing id)
    finalized_at: datetime | None = None
    closed_at: datetime | None = None
    written_off: Decimal = _ZERO     # what was still due when it was marked uncollectible
    refunds: list[Refund] = field(factory=list)
    # Collection by a card provider: attempts made, why the last one failed, when the next one is due.
    payment_attempts: int = 0
    last_payment_error: str | None = None
    next_payment_attempt_at: datetime | None = None
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)
    # The VAT breakdown of the lines as they were when it was last computed (lines only ever grow).
    _breakdown: tuple[int, tuple[VatSubtotal, ...]] | None = field(default=None, init=False, eq=False, repr=False)

    # ------------------------------------------------------------------ amounts

    @property
    def label(self) -> str:
        return self.number or self.id

    @property
    def vat_breakdown(self) -> tuple[VatSubtotal, ...]:
        if self._breakdown is None or self._breakdown[0] != len(self.lines):
            self._breakdown = (len(self.lines), breakdown(((line.net_amount, line.vat) for line in self.lines),
                                                          self.currency))
        return self._breakdown[1]

    @property
    def total_excl_vat(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), _ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((s.vat for s in self.vat_breakdown), _ZERO)

    @property
    def total(self) -> Decimal:
        return self.total_excl_vat + self.vat

    @property
    def amount_paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), _ZERO)

    @property
    def amount_due(self) -> Decimal:
        """What the customer still owes on it (nothing on a draft, a void, a written-off invoice or a
        credit note)."""
        if self.kind is InvoiceKind.CREDIT_NOTE or self.status not in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
            return _ZERO
        return max(self.total - self.amount_paid - self.credited, _ZERO)

    @property
    def amount_refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), _ZERO)

    def refundable(self, payment_id: str | None = None) -> Decimal:
        """What may still be paid back: of one payment, or of all of them."""
        paid = sum((p.amount for p in self.payments if payment_id in (None, p.id)), _ZERO)
        back = sum((r.amount for r in self.refunds if payment_id in (None, r.payment_id)), _ZERO)
        return paid - back

    def payment_from(self, provider_reference: str) -> Payment | None:
        """The payment a provider's attempt (a PaymentIntent) made, if it was recorded."""
        return next((p for p in self.payments if p.provider_reference == provider_reference), None)

    @property
    def creditable(self) -> Decimal:
        """How much more credit notes may credit (the total, less what earlier ones credited)."""
        return self.total - self.credited

    @property
    def is_finalized(self) -> bool:
        return self.status in FINALIZED

    # ------------------------------------------------------------------ assembling a draft

    def add_charges(self, charges: Sequence[Charge]) -> int:
        """Bill these charges on the draft (those on it already are skipped); how many were added."""
        self._check_draft()
        if self.kind is not InvoiceKind.INVOICE:
            raise InvalidState("a credit note bills no charges: its lines are its own")
        known = {c.id for c in self.charges}
        fresh = [c for c in charges if c.id not in known]
        if len(fresh) != len({c.id for c in fresh}) or any(
                (c.customer_id, c.currency) != (self.customer_id, self.currency) for c in fresh):
            raise InvalidState(f"charges of another customer or currency, or twice, for invoice {self.label}")
        if not fresh:
            return 0
        merged = self.charges + fresh
        if self.charges and min(c.order for c in fresh) < self.charges[-1].order:
            merged.sort(key=lambda c: c.order)     # a late session, started before ones billed already
            self.lines = [line for c in merged for line in c.lines]
            self.sessions = [c.session for c in merged if c.session is not None]
        else:
            self.lines.extend(line for c in fresh for line in c.lines)
            self.sessions.extend(c.session for c in fresh if c.session is not None)
        self.charges = merged
        return len(fresh)

    def add(self, lines: Sequence[InvoiceLine]) -> None:
        """A credit note's own lines."""
        self._check_draft()
        if self.kind is not InvoiceKind.CREDIT_NOTE:
            raise InvalidState("an invoice's lines are its charges' (add_charges)")
        self.lines.extend(lines)

    def _check_draft(self) -> None:
        if self.status is not InvoiceStatus.DRAFT:
            raise InvalidState(f"invoice {self.label} is {self.status.value}: it never changes")

    # ------------------------------------------------------------------ transitions

    def finalize(self, *, number: str, issue_date: date, payment_terms_days: int, seller: Party, buyer: Party,
                 payment_reference: str | None, now: datetime) -> None:
        """Number, date and freeze it; it is ``open`` from now on and never changes.

        EN 16931 needs the seller's VAT identifier on a document with standard-rated lines (BR-S-02)."""
        self.check_finalizable(seller)
        self.number, self.issue_date = number, issue_date
        self.due_date = issue_date + timedelta(days=payment_terms_days)
        self.seller, self.buyer, self.payment_reference = seller, buyer, payment_reference
        self.status, self.finalized_at = InvoiceStatus.OPEN, now
        self.pending_events.append(InvoiceFinalized(
            organization_id=self.organization_id, occurred_at=now, invoice_id=self.id, customer_id=self.customer_id,
            kind=self.kind.value, number=number, currency=self.currency, total_excl_vat=self.total_excl_vat,
            vat=self.vat, total=self.total, corrects=self.corrects))
        if self.kind is InvoiceKind.CREDIT_NOTE:
            self.status, self.closed_at = InvoiceStatus.PAID, now   # settled by the invoice it corrects
        elif self.total <= 0:
            self._settle(now)

    def check_finalizable(self, seller: Party) -> None:
        """Whether ``finalize`` would succeed with this seller (checked before a number is drawn)."""
        if self.status is not InvoiceStatus.DRAFT:
            raise InvalidState(f"invoice {self.label} is {self.status.value}, not a draft")
        if not self.lines:
            raise InvalidState("an invoice without lines cannot be finalized")
        if seller.vat_id is None and any(line.vat.is_taxed for line in self.lines):
            raise InvalidState("the organization's VAT id is not set (settings.vat_id): an invoice with VAT "
                               "must name it")
        if seller.address is None:
            raise InvalidState("the organization's billing address is not set (settings.billing_address)")

    def record_payment(self, payment: Payment, currency: str, now: datetime) -> None:
        if any(p.id == payment.id for p in self.payments):
            return
        if self.kind is not InvoiceKind.INVOICE or self.status is not InvoiceStatus.OPEN:
            raise InvalidState(f"invoice {self.label} is {self.status.value}: it takes no payment")
        if currency != self.currency:
            raise InvalidInput.field("amount.currency", f"the invoice is in {self.currency}, not {currency}")
        if payment.amount <= 0 or payment.amount != round_minor(payment.amount, self.currency):
            raise InvalidInput.field("amount.amount", f"must be positive, in {self.currency}'s minor unit")
        if payment.amount > self.amount_due:
            raise InvalidInput.field("amount.amount", f"is more than the {self.amount_due} {self.currency} "
                                                      "still due")
        self.payments.append(payment)
        self.pending_events.append(PaymentRecorded(
            organization_id=self.organization_id, occurred_at=now, invoice_id=self.id, customer_id=self.customer_id,
            payment_id=payment.id, amount=payment.amount, currency=self.currency, method=payment.method))
        if self.amount_due == 0:
            self._settle(now)

    def collection_attempted(self, now: datetime, *, error: str | None = None,
                             retry_at: datetime | None = None) -> None:
        """A provider was asked for the money: counted (the next attempt has a key of its own). A failure keeps the
        invoice open with its reason and, while the schedule has one, the time of the next attempt."""
        self.payment_attempts += 1
        self.last_payment_error, self.next_payment_attempt_at = error, retry_at if error is not None else None
        if error is not None:
            self.pending_events.append(InvoicePaymentFailed(
                organization_id=self.organization_id, occurred_at=now, invoice_id=self.id,
                customer_id=self.customer_id, attempt=self.payment_attempts, error=error,
                next_attempt_at=self.next_payment_attempt_at))

    def refund(self, refund: Refund, now: datetime) -> bool:
        """Record money paid back on one of its payments; False when it was recorded already (same id or provider
        reference: a provider's event seen twice)."""
        if any(r.id == refund.id or (refund.provider_reference is not None
                                     and r.provider_reference == refund.provider_reference) for r in self.refunds):
            return False
        if self.kind is not InvoiceKind.INVOICE or not self.payments:
            raise InvalidState(f"invoice {self.label} has no payment to refund")
        if refund.amount <= 0 or refund.amount != round_minor(refund.amount, self.currency):
            raise InvalidInput.field("amount", f"must be positive, in {self.currency}'s minor unit")
        if not any(p.id == refund.payment_id for p in self.payments):
            raise InvalidInput.field("payment_id", f"is not a payment of invoice {self.label}")
        left = self.refundable(refund.payment_id)
        if refund.amount > left:
            raise InvalidInput.field("amount", f"is more than the {left} {self.currency} paid and not refunded yet")
        self.refunds.append(refund)
        self.pending_events.append(RefundRecorded(
            organization_id=self.organization_id, occurred_at=now, invoice_id=self.id, customer_id=self.customer_id,
            refund_id=refund.id, payment_id=refund.payment_id, amount=refund.amount, currency=self.currency,
            method=refund.method))
        return True

    def check_creditable(self) -> None:
        if self.kind is not InvoiceKind.INVOICE or self.status not in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
            raise InvalidState(f"invoice {self.label} is {self.status.value}: only an open or paid invoice can "
                               "be credited")

    def credit(self, note: Invoice, now: datetime) -> None:
        """``note``, a finalized credit note against this invoice, was issued: it credits its total."""
        self.check_creditable()
        if note.kind is not InvoiceKind.CREDIT_NOTE or note.corrects != self.id:
            raise InvalidState(f"{note.label} is not a credit note of {self.label}")
        if note.total > self.creditable:
            raise InvalidInput.field("amount", f"is more than the {self.creditable} {self.currency} still "
                                               "creditable on this invoice")
        self.credited += note.total
        if self.status is InvoiceStatus.OPEN and self.amount_due == 0:
            self._settle(now)

    def void(self, now: datetime) -> None:
        if self.kind is not InvoiceKind.INVOICE or self.status is not InvoiceStatus.OPEN:
            raise InvalidState(f"invoice {self.label} is {self.status.value}: only an open invoice can be voided")
        if self.payments or self.credited:
            raise InvalidState(f"invoice {self.label} has payments or credit notes: credit it instead")
        self.status, self.closed_at = InvoiceStatus.VOID, now
        self.pending_events.append(InvoiceVoided(organization_id=self.organization_id, occurred_at=now,
                                                 invoice_id=self.id, customer_id=self.customer_id))

    def mark_uncollectible(self, now: datetime) -> None:
        if self.kind is not InvoiceKind.INVOICE or self.status is not InvoiceStatus.OPEN:
            raise InvalidState(f"invoice {self.label} is {self.status.value}: only an open invoice can be marked "
                               "uncollectible")
        self.written_off = self.amount_due
        self.status, self.closed_at = InvoiceStatus.UNCOLLECTIBLE, now
        self.pending_events.append(InvoiceMarkedUncollectible(
            organization_id=self.organization_id, occurred_at=now, invoice_id=self.id, customer_id=self.customer_id,
            amount=self.written_off, currency=self.currency))

    def _settle(self, now: datetime) -> None:
        self.status, self.closed_at = InvoiceStatus.PAID, now
        self.pending_events.append(InvoicePaid(organization_id=self.organization_id, occurred_at=now,
                                               invoice_id=self.id, customer_id=self.customer_id))

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events


def credit_note_for(invoice: Invoice, *, id: str, amount: Decimal | None,
                    lines: Sequence[tuple[int, Decimal]] | None, reason: str, now: datetime) -> Invoice:
    """A draft credit note against ``invoice`` (to be finalized at once): see ``credit_note_lines``."""
    problem = text_problem(reason, MAX_REASON, lines=True)
    if problem:
        raise InvalidInput.field("reason", problem)
    reason = reason.strip()
    invoice.check_creditable()
    note = Invoice(id=id, organization_id=invoice.organization_id, customer_id=invoice.customer_id,
                   kind=InvoiceKind.CREDIT_NOTE, currency=invoice.currency, period_start=invoice.period_start,
                   period_end=invoice.period_end, created_at=now, corrects=invoice.id,
                   corrects_number=invoice.number, reason=reason)
    note.add(credit_note_lines(invoice, amount=amount, lines=lines, reason=reason))
    if note.total <= 0:
        raise InvalidInput.field("amount", "credits nothing once VAT is rounded")
    if note.total > invoice.creditable:
        raise InvalidInput.field("amount", f"is more than the {invoice.creditable} {invoice.currency} still "
                                           "creditable on this invoice")
    return note


def credit_note_lines(invoice: Invoice, *, amount: Decimal | None, lines: Sequence[tuple[int, Decimal]] | None,
                      reason: str) -> list[InvoiceLine]:
    """The lines of a credit note against ``invoice``: either ``amount`` (VAT included) spread over the
    invoice's VAT groups in proportion, or the net amounts of chosen ``lines`` (by position), at their VAT.

    With ``amount``, each group's net is the largest whose total with its VAT (rounded once, BR-CO-17)
    does not pass the group's share; the credit note's total is then ``amount``, or up to a minor unit
    less per group where no net amount reaches it exactly (VAT rounding skips some totals).
    """
    currency = invoice.currency
    if (amount is None) == (lines is None):
        raise InvalidInput.field("amount", "give either an amount or lines to credit")
    if lines is not None:
        if not lines:
            raise InvalidInput.field("lines", "name at least one line to credit")
        out: list[InvoiceLine] = []
        problems: list[FieldError] = []
        for i, (position, net) in enumerate(lines):
            if not 0 <= position < len(invoice.lines):
                problems.append(FieldError(f"lines[{i}].line", f"the invoice has lines 0 to {len(invoice.lines) - 1}"))
                continue
            original = invoice.lines[position]
            if net <= 0 or net != round_minor(net, currency) or net > original.net_amount:
                problems.append(FieldError(f"lines[{i}].amount", f"must be positive, in {currency}'s minor unit, at "
                                                                 f"most the line's {original.net_amount}"))
                continue
            out.append(InvoiceLine(LineKind.CREDIT, f"{reason}: {original.description}", Decimal(1), "flat", net,
                                   net, original.vat, original.session_id, original.service_date))
        if problems:
            raise InvalidInput(problems)
        return out
    assert amount is not None
    if amount <= 0 or amount != round_minor(amount, currency):
        raise InvalidInput.field("amount", f"must be positive, in {currency}'s minor unit")
    if amount > invoice.creditable:
        raise InvalidInput.field("amount", f"is more than the {invoice.creditable} {currency} still creditable "
                                           "on this invoice")
    groups = [g for g in invoice.vat_breakdown if g.taxable + g.vat > 0]
    gross_total = sum((g.taxable + g.vat for g in groups), _ZERO)
    if not groups or gross_total <= 0:
        raise InvalidInput.field("amount", "the invoice has nothing to credit")
    out, left = [], amount
    for index, group in enumerate(groups):
        share = left if index == len(groups) - 1 else round_minor(amount * (group.taxable + group.vat) / gross_total,
                                                                  currency)
        left -= share
        net = net_for_gross(share, group.treatment, currency)
        if net > 0:
            out.append(InvoiceLine(LineKind.CREDIT, reason, Decimal(1), "flat", net, net, group.treatment))
    return out


def net_for_gross(gross: Decimal, treatment: VatTreatment, currency: str) -> Decimal:
    """The largest net amount whose total with its VAT does not pass ``gross`` (0 when none does)."""
    if gross <= 0:
        return _ZERO
    minor = Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency])
    guess = round_minor(gross * 100 / (100 + treatment.rate), currency)

    def total(net: Decimal) -> Decimal:
        return net + round_minor(net * treatment.rate / 100, currency)

    net = guess + 2 * minor
    while net > 0 and total(net) > gross:
        net -= minor
    return max(net, _ZERO)
