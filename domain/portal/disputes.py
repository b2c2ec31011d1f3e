"""A billing dispute: a driver (or a card network, through a chargeback) contests what a session cost.

States: ``open`` (filed) → ``under_review`` (an operator took it) → ``resolved`` with an outcome
(``accepted``, ``partially_accepted``, ``rejected``), or ``withdrawn`` by the driver while it is not
resolved. ``resolved`` and ``withdrawn`` are terminal. A session has at most one dispute that is not
terminal (the repository's unique rule backs this up).

What a resolution gives back (``refund_amount``, VAT included) is at most what the session was billed.
Settling it is the application's: a credit note on the session's invoice, and the part the customer had
paid already refunded through the provider that took it (``Settlement``).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

from attrs import define, field, frozen

from domain.errors import FieldErrors, InvalidInput, InvalidState
from domain.events import DomainEvent
from domain.money import Money
from domain.portal.events import DisputeChanged, DisputeOpened, DisputeResolved
from domain.validation import text_problem

MAX_DESCRIPTION = 4000
MAX_NOTE = 4000
MAX_COMMENT = 4000
DEFAULT_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3650


class DisputeStatus(str, enum.Enum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"

    @property
    def terminal(self) -> bool:
        return self in (DisputeStatus.RESOLVED, DisputeStatus.WITHDRAWN)


class DisputeOutcome(str, enum.Enum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class DisputeSource(str, enum.Enum):
    DRIVER = "driver"                  # filed through the driver portal
    CARD_NETWORK = "card_network"      # a chargeback the payment provider reported


class Visibility(str, enum.Enum):
    INTERNAL = "internal"              # operators only
    PUBLIC = "public"                  # the driver reads it in the portal (and is emailed)


class SettlementStatus(str, enum.Enum):
    NONE = "none"                          # nothing to give back (rejected, or nothing asked)
    AWAITING_INVOICE = "awaiting_invoice"  # credited once the session's invoice is finalized
    CREDITED = "credited"                  # a credit note lowered what the customer owes; nothing to pay back
    REFUND_DUE = "refund_due"              # credited, and part of it was paid already: a refund is due
    REFUNDED = "refunded"                  # the provider took the refund (done, or instructions to follow)
    REFUND_FAILED = "refund_failed"        # the provider refused: the amount stays as the customer's credit


@frozen
class Settlement:
    status: SettlementStatus = SettlementStatus.NONE
    credit_note_id: str | None = None
    credit_note_number: str | None = None
    credited: Decimal | None = None        # the credit note's total
    refund_amount: Decimal | None = None   # what goes back through the provider
    refund_id: str | None = None
    refund_provider: str | None = None
    refund_reference: str | None = None
    refund_instructions: str | None = None
    error: str | None = None


@frozen
class DisputeComment:
    id: str
    organization_id: str
    dispute_id: str
    author_id: str | None                  # a user or API key of the operator; None for the system
    visibility: Visibility
    body: str
    created_at: datetime

    @staticmethod
    def validate(body: object) -> str:
        problem = text_problem(body, MAX_COMMENT, lines=True)
        if problem:
            raise InvalidInput.field("body", problem)
        assert isinstance(body, str)
        return body.strip()


@define
class Dispute:
    id: str
    organization_id: str
    source: DisputeSource
    description: str
    expected_cost: Money | None
    billed: Money | None                   # what the session (or the charged-back payment) was billed
    created_at: datetime
    updated_at: datetime
    session_id: str | None = None
    driver_id: str | None = None
    invoice_id: str | None = None          # known for a chargeback; a driver's session may not be invoiced yet
    status: DisputeStatus = DisputeStatus.OPEN
    outcome: DisputeOutcome | None = None
    refund_amount: Decimal | None = None   # what the resolution gives back, VAT included
    resolution_note: str | None = None
    assignee_id: str | None = None
    resolved_at: datetime | None = None
    provider_dispute_id: str | None = None  # a chargeback's id at the provider (unique)
    settlement: Settlement = field(factory=Settlement)
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    # ------------------------------------------------------------------ filing

    @classmethod
    def file(cls, *, id: str, organization_id: str, session_id: str, driver_id: str, description: object,
             expected_cost: Money, billed: Money | None, session_ended_at: datetime, window_days: int,
             now: datetime) -> Dispute:
        """A driver's dispute of a completed session, within the organization's filing window."""
        errors = FieldErrors()
        problem = text_problem(description, MAX_DESCRIPTION, lines=True)
        if problem:
            errors.add("description", problem)
        if expected_cost.amount < 0:
            errors.add("expected_cost.amount", "must not be negative")
        if billed is not None and expected_cost.currency != billed.currency:
            errors.add("expected_cost.currency", f"the session was billed in {billed.currency}")
        errors.raise_if_any()
        closes = session_ended_at + timedelta(days=window_days)
        if now > closes:
            raise InvalidInput.field("session_id", f"the {window_days}-day window to dispute this session closed "
                                                   f"on {closes.date().isoformat()}")
        assert isinstance(description, str)
        dispute = cls(id=id, organization_id=organization_id, source=DisputeSource.DRIVER,
                      description=description.strip(), expected_cost=expected_cost, billed=billed, created_at=now,
                      updated_at=now, session_id=session_id, driver_id=driver_id)
        dispute._opened(now)
        return dispute

    @classmethod
    def chargeback(cls, *, id: str, organization_id: str, invoice_id: str, provider_dispute_id: str,
                   amount: Money, billed: Money, reason: str, session_id: str | None, driver_id: str | None,
                   now: datetime) -> Dispute:
        """A card network's chargeback on a payment of ``invoice_id``, as a dispute the operator works."""
        expected = Money(max(billed.amount - amount.amount, Decimal(0)), billed.currency)
        dispute = cls(id=id, organization_id=organization_id, source=DisputeSource.CARD_NETWORK,
                      description=f"Card-network chargeback: {reason}"[:MAX_DESCRIPTION], expected_cost=expected,
                      billed=billed, created_at=now, updated_at=now, session_id=session_id, driver_id=driver_id,
                      invoice_id=invoice_id, provider_dispute_id=provider_dispute_id)
        dispute._opened(now)
        return dispute

    def _opened(self, now: datetime) -> None:
        self.pending_events.append(DisputeOpened(
            organization_id=self.organization_id, occurred_at=now, dispute_id=self.id, session_id=self.session_id,
            driver_id=self.driver_id, source=self.source.value))

    # ------------------------------------------------------------------ transitions

    def _check_active(self, action: str) -> None:
        if self.status.terminal:
            raise InvalidState(f"dispute {self.id} is {self.status.value}: it cannot be {action}")

    def _changed(self, now: datetime) -> None:
        self.updated_at = now
        self.pending_events.append(DisputeChanged(
            organization_id=self.organization_id, occurred_at=now, dispute_id=self.id, status=self.status.value))

    def assign(self, assignee_id: str, now: datetime) -> None:
        """An operator takes the dispute: it is under review from now (reassigning keeps it there)."""
        self._check_active("assigned")
        self.assignee_id = assignee_id
        self.status = DisputeStatus.UNDER_REVIEW
        self._changed(now)

    def review(self, now: datetime) -> None:
        """An operator answered the driver: an open dispute is under review from then on."""
        self._check_active("reviewed")
        if self.status is DisputeStatus.OPEN:
            self.status = DisputeStatus.UNDER_REVIEW
            self._changed(now)

    def withdraw(self, now: datetime) -> None:
        self._check_active("withdrawn")
        self.status = DisputeStatus.WITHDRAWN
        self._changed(now)

    def resolve(self, outcome: DisputeOutcome, refund_amount: Decimal | None, note: object, now: datetime) -> None:
        """Decide it. ``accepted`` without an amount gives back the difference the driver asked for (what was
        billed less ``expected_cost``); ``partially_accepted`` names its amount; ``rejected`` gives nothing."""
        self._check_active("resolved")
        errors = FieldErrors()
        problem = text_problem(note, MAX_NOTE, lines=True)
        if problem:
            errors.add("note", problem)
        billed = self.billed.amount if self.billed is not None else Decimal(0)
        if outcome is DisputeOutcome.REJECTED:
            errors.check("refund_amount", refund_amount is None, "a rejected dispute gives nothing back")
            amount = Decimal(0)
        elif refund_amount is None:
            errors.check("refund_amount", outcome is DisputeOutcome.ACCEPTED,
                         "required when the dispute is partially accepted")
            claimed = self.expected_cost.amount if self.expected_cost is not None else Decimal(0)
            amount = max(billed - claimed, Decimal(0))
        else:
            amount = refund_amount
            errors.check("refund_amount", refund_amount > 0, "must be positive")
            errors.check("refund_amount", refund_amount <= billed,
                         f"is more than the {billed} {self.billed.currency if self.billed else ''} billed".rstrip())
        errors.raise_if_any()
        assert isinstance(note, str)
        self.status, self.outcome = DisputeStatus.RESOLVED, outcome
        self.refund_amount, self.resolution_note, self.resolved_at = amount, note.strip(), now
        self.updated_at = now
        self.pending_events.append(DisputeResolved(
            organization_id=self.organization_id, occurred_at=now, dispute_id=self.id, outcome=outcome.value,
            refund_amount=amount, currency=self.billed.currency if self.billed else None))

    def settle(self, settlement: Settlement, now: datetime) -> None:
        """Record how the resolution was settled (credit note, refund): only after it was resolved."""
        if self.status is not DisputeStatus.RESOLVED:
            raise InvalidState(f"dispute {self.id} is {self.status.value}: only a resolved dispute is settled")
        self.settlement = settlement
        self.updated_at = now

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events
