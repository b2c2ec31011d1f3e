"""Bodies, queries and views of the driver portal and of billing disputes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from application.disputes import DisputeDetail, DisputeView, Evidence
from application.portal_access import IssuedPortalToken
from application.ports.portal import OcppFrame
from domain.errors import FieldError, InvalidInput
from domain.money import Money
from domain.portal import Dispute, DisputeComment, DisputeStatus, PortalToken, Settlement
from domain.portal.disputes import MAX_COMMENT, MAX_DESCRIPTION, MAX_NOTE, DisputeOutcome, Visibility
from entrypoints.rest.billing_shapes import InvoiceOut, TransactionOut
from entrypoints.rest.bodies import MoneyBody
from entrypoints.rest.queries import Query
from entrypoints.rest.shapes import MAX_ID, MAX_TOKEN, Body, Email, Timestamp, doc, text
from entrypoints.rest.views import AnomalyOut, CostBreakdownOut, MeterSummaryOut, MoneyOut, SessionOut, TariffOut


def money_of(body: MoneyBody, field: str) -> Money:
    """The body's money, a refusal naming ``field.amount`` or ``field.currency``."""
    try:
        return Money(body.amount, body.currency)
    except InvalidInput as exc:
        raise InvalidInput([FieldError(f"{field}.{e.field}", e.message) for e in exc.errors]) from None


def _money(amount: Decimal | None, currency: str | None) -> MoneyOut | None:
    if amount is None or currency is None:
        return None
    return MoneyOut(format(amount, "f"), currency)


# ---------------------------------------------------------------------------------------------- bodies


class MagicLinkBody(Body):
    """Where to send a sign-in link."""

    email: Annotated[Email, doc("The driver's email address, as the operator knows it.", "grace@example.com")]


class MagicLinkExchangeBody(Body):
    """The secret of a sign-in link (the last part of its URL)."""

    token: Annotated[str, text(MAX_TOKEN, min_length=1), doc("The link's one-time secret (`cml_…`).")]


class DisputeBody(Body):
    """A billing dispute of a session."""

    description: Annotated[str, text(MAX_DESCRIPTION, min_length=1), doc(
        "Description of the issue with the charge.", "The charger stopped after 10 minutes but I was billed an hour.")]
    expected_cost: Annotated[MoneyBody, doc("What the driver believes the correct cost should be.")]


class ResolveBody(Body):
    """The decision on a dispute."""

    outcome: Annotated[DisputeOutcome, doc("`accepted`, `partially_accepted` or `rejected`.")]
    note: Annotated[str, text(MAX_NOTE, min_length=1), doc("Why; the driver reads it.")]
    refund_amount: Annotated[MoneyBody | None, doc(
        "What is given back, VAT included, at most what was billed. Required when partially accepted; "
        "accepted without it gives back what was billed less `expected_cost`; refused when rejected.")] = None


class CommentBody(Body):
    body: Annotated[str, text(MAX_COMMENT, min_length=1), doc("The comment.")]
    visibility: Annotated[Visibility, doc("`internal` (operators only) or `public` (the driver reads it in the "
                                          "portal and is emailed).")] = Visibility.INTERNAL


class AssignBody(Body):
    assignee_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc(
        "A member of the organization (`usr_…`); absent: the caller.")] = None


# ---------------------------------------------------------------------------------------------- queries


class PortalSessionQuery(Query):
    started_from: Annotated[Timestamp | None, doc(
        "Start of date range (ISO 8601): sessions started at or after it.", "2026-01-01T00:00:00Z")] = \
        msgspec.field(default=None, name="from")
    started_to: Annotated[Timestamp | None, doc(
        "End of date range (ISO 8601): sessions started before it.", "2026-02-01T00:00:00Z")] = \
        msgspec.field(default=None, name="to")


class DisputeQuery(Query):
    status: Annotated[DisputeStatus | None, doc("`open`, `under_review`, `resolved` or `withdrawn`.")] = None
    session_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc("Only this session's.")] = None
    driver_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None, doc("Only this driver's.")] = None
    older_than: Annotated[Timestamp | None, doc("Only disputes filed before this instant (ISO 8601).")] = None


# ---------------------------------------------------------------------------------------------- views


class PortalTokenCreatedOut(msgspec.Struct):
    """A portal token: the secret is shown once."""

    id: str
    token: Annotated[str, doc("The bearer secret for the driver portal (`cpt_…`); shown once.")]
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedPortalToken) -> PortalTokenCreatedOut:
        return cls(issued.token.id, issued.secret, issued.token.expires_at)


class PortalTokenOut(msgspec.Struct):
    id: str
    driver_id: str
    source: Annotated[str, doc("`operator` or `magic_link`.")]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, t: PortalToken) -> PortalTokenOut:
        return cls(t.id, t.driver_id, t.source.value, t.created_at, t.expires_at, t.revoked_at)


class LinkSentOut(msgspec.Struct):
    status: Annotated[str, doc("Always `sent`: the answer says nothing about whether the email is known.")]


class SettlementOut(msgspec.Struct):
    status: Annotated[str, doc("none, awaiting_invoice, credited, refund_due, refunded or refund_failed.")]
    credit_note_id: str | None
    credit_note_number: str | None
    credited: str | None
    refund_amount: str | None
    refund_provider: str | None
    refund_reference: str | None
    refund_instructions: str | None
    error: str | None

    @classmethod
    def of(cls, s: Settlement) -> SettlementOut:
        def text_of(value: Decimal | None) -> str | None:
            return None if value is None else format(value, "f")

        return cls(s.status.value, s.credit_note_id, s.credit_note_number, text_of(s.credited),
                   text_of(s.refund_amount), s.refund_provider, s.refund_reference, s.refund_instructions, s.error)


class CommentOut(msgspec.Struct):
    id: str
    author_id: str | None
    visibility: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, c: DisputeComment) -> CommentOut:
        return cls(c.id, c.author_id, c.visibility.value, c.body, c.created_at)


class DisputeOut(msgspec.Struct):
    """A billing dispute."""

    id: str
    session_id: str | None
    status: Annotated[str, doc("`open`, `under_review`, `resolved` or `withdrawn`.")]
    description: str
    expected_cost: Annotated[MoneyOut | None, doc("What the driver believes the correct cost should be.")]
    source: Annotated[str, doc("`driver` (filed in the portal) or `card_network` (a chargeback).")]
    billed: Annotated[MoneyOut | None, doc("What the session was billed, VAT included.")]
    outcome: str | None
    refund_amount: MoneyOut | None
    resolution_note: str | None
    driver_id: str | None
    invoice_id: str | None
    assignee_id: str | None
    settlement: SettlementOut
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None

    @classmethod
    def fields_of(cls, d: Dispute) -> tuple[object, ...]:
        currency = d.billed.currency if d.billed else (d.expected_cost.currency if d.expected_cost else None)
        return (d.id, d.session_id, d.status.value, d.description,
                _money(d.expected_cost.amount, d.expected_cost.currency) if d.expected_cost else None, d.source.value,
                _money(d.billed.amount, d.billed.currency) if d.billed else None,
                d.outcome.value if d.outcome else None, _money(d.refund_amount, currency), d.resolution_note,
                d.driver_id, d.invoice_id, d.assignee_id, SettlementOut.of(d.settlement), d.created_at, d.updated_at,
                d.resolved_at)

    @classmethod
    def of(cls, d: Dispute) -> DisputeOut:
        return cls(*cls.fields_of(d))  # type: ignore[arg-type]


class DriverDisputeOut(DisputeOut):
    """A dispute as its driver reads it, with the operator's public replies."""

    replies: list[CommentOut] = msgspec.field(default_factory=list)

    @classmethod
    def of_view(cls, view: DisputeView) -> DriverDisputeOut:
        return cls(*DisputeOut.fields_of(view.dispute), [CommentOut.of(c) for c in view.comments])  # type: ignore[arg-type, call-arg]


class FrameOut(msgspec.Struct):
    at: datetime
    direction: Annotated[str, doc("`in`: as the charge point sent it; `out`: our answer.")]
    action: str
    message: Annotated[str, doc("The OCPP-J frame, exactly as it crossed the wire.")]

    @classmethod
    def of(cls, f: OcppFrame) -> FrameOut:
        return cls(f.at, f.direction, f.action, f.message)


class SampleOut(msgspec.Struct):
    timestamp: datetime
    measurand: str
    value: str
    unit: str | None
    phase: str | None


class EvidenceOut(msgspec.Struct):
    """What the core kept of the disputed session, assembled for the operator."""

    session: SessionOut | None
    ocpp_messages: Annotated[list[FrameOut], doc("The transaction's OCPP frames as received and answered.")]
    meter: MeterSummaryOut | None
    meter_samples: list[SampleOut]
    anomalies: list[AnomalyOut]
    tariff: Annotated[TariffOut | None, doc("The tariff in the version that priced the session.")]
    cost_breakdown: Annotated[CostBreakdownOut | None, doc(
        "The rating: lines, and per period the element and restrictions that priced it (`applied[].reason`).")]
    invoice: InvoiceOut | None
    credit_notes: list[InvoiceOut]
    payments: Annotated[list[MoneyOut], doc("What was paid on the invoice.")]
    ledger: Annotated[list[TransactionOut], doc("The ledger transactions of the session and its invoice.")]

    @classmethod
    def of(cls, e: Evidence) -> EvidenceOut:
        session = e.session
        cost = session.cost if session is not None else None
        invoice = e.invoice
        return cls(
            SessionOut.of(session) if session is not None else None, [FrameOut.of(f) for f in e.frames],
            MeterSummaryOut.of(list(e.samples)) if session is not None else None,
            [SampleOut(s.timestamp, s.measurand, format(s.value, "f"), s.unit, s.phase) for s in e.samples],
            [AnomalyOut.of(a) for a in e.anomalies], TariffOut.of(e.tariff) if e.tariff is not None else None,
            CostBreakdownOut.of(cost.breakdown.to_json()) if cost is not None else None,
            InvoiceOut.of(invoice, e.credit_notes) if invoice is not None else None,
            [InvoiceOut.of(n) for n in e.credit_notes],
            [MoneyOut(format(p.amount, "f"), invoice.currency) for p in invoice.payments] if invoice else [],
            [TransactionOut.of(t) for t in e.transactions])


class DisputeDetailOut(DisputeOut):
    """A dispute with its comments (internal and public) and its evidence."""

    comments: list[CommentOut] = msgspec.field(default_factory=list)
    evidence: EvidenceOut | None = None

    @classmethod
    def of_detail(cls, detail: DisputeDetail) -> DisputeDetailOut:
        return cls(*DisputeOut.fields_of(detail.view.dispute),  # type: ignore[arg-type, call-arg]
                   [CommentOut.of(c) for c in detail.view.comments], EvidenceOut.of(detail.evidence))


class DriverOut(msgspec.Struct):
    """The signed-in driver."""

    id: str
    name: str
    email: str | None
    organization_id: str
    organization_name: str
