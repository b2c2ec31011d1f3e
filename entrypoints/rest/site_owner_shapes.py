"""Bodies, queries and views of site owners, projects and statements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from application.site_owners import IssuedSiteOwnerToken
from domain.site_owners import Project, SiteOwner, Statement
from entrypoints.rest.queries import Query
from entrypoints.rest.shapes import MAX_ID, Body, Email, Money, Name, doc, quantity_field, text
from entrypoints.rest.tariff_shapes import PERCENT
from entrypoints.rest.views import MoneyOut

_SHORT = 200
# 0001-01 to 9998-12 (a month whose end is still a date).
_MONTH = "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])$"

# ---------------------------------------------------------------------------------------------- bodies


class SiteOwnerInvitationBody(Body):
    """Whom to invite: the email gets a one-time link to accept."""

    email: Annotated[Email, doc("The site owner's email address.", "facilities@parkhaus.example")]
    name: Annotated[Name, doc("The site owner's name, as the operator knows them.", "Parkhaus Mitte GmbH")]


_Text = Annotated[str, text(_SHORT)]


class SiteOwnerProfileBody(Body):
    """The profile fields to set: an absent field is kept, `null` clears it."""

    legal_name: Annotated[_Text | msgspec.UnsetType | None, doc("Registered name.")] = msgspec.UNSET
    contact_name: Annotated[_Text | msgspec.UnsetType | None, doc("Person to contact.")] = msgspec.UNSET
    phone: Annotated[_Text | msgspec.UnsetType | None, doc("Phone number.", "+49 30 123456")] = msgspec.UNSET
    address: Annotated[_Text | msgspec.UnsetType | None, doc("Street and number.")] = msgspec.UNSET
    postal_code: Annotated[_Text | msgspec.UnsetType | None, doc("Postal code.")] = msgspec.UNSET
    city: Annotated[_Text | msgspec.UnsetType | None, doc("City.")] = msgspec.UNSET
    country: Annotated[_Text | msgspec.UnsetType | None, doc("ISO 3166-1 alpha-2.", "DE")] = msgspec.UNSET
    vat_id: Annotated[_Text | msgspec.UnsetType | None, doc("VAT identification number (optional).")] = msgspec.UNSET

    def given(self) -> dict[str, object]:
        return {name: value for name in self.__struct_fields__
                if (value := getattr(self, name)) is not msgspec.UNSET}


class PayoutDetailsBody(Body):
    """Where the site owner's share is paid."""

    account_holder: Annotated[_Text, doc("The account holder's name.")]
    iban: Annotated[Annotated[str, text(42)], doc("IBAN (spaces allowed); its check digits must match.",
                                                  "DE89 3704 0044 0532 0130 00")]
    bic: Annotated[Annotated[str, text(11)] | None, doc("BIC, 8 or 11 characters (optional).")] = None


class AgreementBody(Body):
    version: Annotated[Annotated[str, text(16)], doc("The agreement version accepted (`GET …/onboarding/status` "
                                                     "names the current one).", "2025-01")]


class ProjectBody(Body):
    """A project: locations of one site owner under one revenue share."""

    site_owner_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)], doc("The site owner (`so_…`).")]
    name: Annotated[Name, doc("The project's name.", "Harbour car park")]
    location_ids: Annotated[list[Annotated[str, text(MAX_ID, min_length=1)]],
                            doc("Its locations (`loc_…`); a location belongs to one project at most.")]
    revenue_share_percent: Annotated[Any, quantity_field(PERCENT, maximum=100, whole_numbers=False), doc(
        "The site owner's share, 0–100 with at most two decimals: a JSON number or a decimal string, read "
        "exactly.", "12.5")]
    share_basis: Annotated[Annotated[str, text(16)], doc(
        "`net_revenue` (the share of what drivers paid, net of VAT) or `energy_margin` (of that revenue less the "
        "energy it cost).")] = "net_revenue"
    energy_cost_per_kwh: Annotated[Money | None, doc(
        "`energy_margin` only: what a kWh costs the operator, net, a decimal string in the organization's "
        "currency.", "0.12")] = None


class IssueStatementBody(Body):
    period: Annotated[Annotated[str, text(7, pattern=_MONTH)],
                      doc("The month, `YYYY-MM`; it must be over.", "2026-03")]


class SiteOwnerQuery(Query):
    site_owner_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                             doc("Only this site owner's (`so_…`).")] = None


class StatementQuery(Query):
    period: Annotated[Annotated[str, text(7, pattern=_MONTH)] | None, doc(
        "A month, `YYYY-MM`: that month's statement (issued, or a draft computed now). Absent: every issued "
        "statement.")] = None


# ---------------------------------------------------------------------------------------------- views


def _money(amount: Decimal, currency: str) -> MoneyOut:
    return MoneyOut(format(amount, "f"), currency)


class PayoutOut(msgspec.Struct):
    account_holder: str
    iban: Annotated[str, doc("Masked: the country, check digits and last four characters.")]
    bic: str | None


class SiteOwnerOut(msgspec.Struct):
    id: str
    name: str
    email: str
    status: Annotated[str, doc("`invited`, `onboarding` or `active`.")]
    onboarding_stage: Annotated[str, doc("`profile`, `payout_details`, `agreement` or `completed`.")]
    profile: dict[str, str | None]
    payout_details: PayoutOut | None
    agreement_version: str | None
    agreement_accepted_at: datetime | None
    onboarded_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, o: SiteOwner) -> SiteOwnerOut:
        p = o.profile
        profile = {name: getattr(p, name) for name in (*p.REQUIRED, "vat_id")}
        payout = PayoutOut(o.payout.account_holder, o.payout.masked_iban, o.payout.bic) if o.payout else None
        return cls(o.id, o.name, o.email, o.status.value, o.current_stage.value, profile, payout,
                   o.agreement_version, o.agreement_accepted_at, o.onboarded_at, o.created_at)


class SiteOwnerTokenOut(msgspec.Struct):
    """The site-owner token accepting an invitation yields: shown once."""

    token: Annotated[str, doc("The bearer secret for `/api/v1/site-owner` (`cso_…`); shown once.")]
    site_owner_id: str
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedSiteOwnerToken) -> SiteOwnerTokenOut:
        return cls(issued.secret, issued.token.site_owner_id, issued.token.expires_at)


class StageOut(msgspec.Struct):
    stage: str
    done: bool
    missing: Annotated[list[str], doc("What the stage still misses (field names).")]


class OnboardingStatusOut(msgspec.Struct):
    status: str
    current_stage: str
    agreement_version: Annotated[str, doc("The agreement version to accept.")]
    stages: list[StageOut]

    @classmethod
    def of(cls, o: SiteOwner, agreement_version: str) -> OnboardingStatusOut:
        return cls(o.status.value, o.current_stage.value, agreement_version,
                   [StageOut(s.stage.value, s.done, list(s.missing)) for s in o.stages()])


class ProjectOut(msgspec.Struct):
    id: str
    site_owner_id: str
    name: str
    location_ids: list[str]
    revenue_share_percent: Annotated[str, doc("A decimal string.")]
    share_basis: str
    energy_cost_per_kwh: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Project) -> ProjectOut:
        return cls(p.id, p.site_owner_id, p.name, list(p.location_ids), format(p.revenue_share_percent, "f"),
                   p.share_basis.value,
                   format(p.energy_cost_per_kwh, "f") if p.energy_cost_per_kwh is not None else None,
                   p.created_at, p.updated_at)


class StatementSessionOut(msgspec.Struct):
    session_id: str
    location_id: str
    stopped_at: datetime
    energy_kwh: str
    revenue: MoneyOut


class StatementAdjustmentOut(msgspec.Struct):
    credit_note_id: str
    session_id: str
    issued_at: datetime
    amount: Annotated[MoneyOut, doc("Net revenue credited back to the driver.")]


class StatementOut(msgspec.Struct):
    id: Annotated[str | None, doc("Null on a draft.")]
    project_id: str
    site_owner_id: str
    period: Annotated[str, doc("`YYYY-MM`, in the organization's time zone.")]
    status: Annotated[str, doc("`draft` (computed now) or `issued` (booked to the site owner's payable).")]
    revenue_share_percent: str
    share_basis: str
    energy_kwh: str
    revenue: Annotated[MoneyOut, doc("Net of VAT, of the sessions that ended in the month.")]
    credited: Annotated[MoneyOut, doc("Credit notes issued in the month on the project's sessions.")]
    energy_cost: MoneyOut
    basis: MoneyOut
    share: Annotated[MoneyOut, doc("The site owner's share: the percentage of the basis, rounded once.")]
    sessions: list[StatementSessionOut]
    adjustments: list[StatementAdjustmentOut]
    issued_at: datetime | None
    ledger_transaction_id: str | None

    @classmethod
    def of(cls, s: Statement) -> StatementOut:
        c = s.currency
        return cls(s.id, s.project_id, s.site_owner_id, s.period.label, s.status.value,
                   format(s.revenue_share_percent, "f"), s.share_basis.value, format(s.energy_kwh, "f"),
                   _money(s.revenue, c), _money(s.credited, c), _money(s.energy_cost, c), _money(s.basis_amount, c),
                   _money(s.share, c),
                   [StatementSessionOut(x.session_id, x.location_id, x.stopped_at, format(x.energy_kwh, "f"),
                                        _money(x.revenue, x.currency)) for x in s.sessions],
                   [StatementAdjustmentOut(a.credit_note_id, a.session_id, a.issued_at, _money(a.amount, a.currency))
                    for a in s.adjustments],
                   s.issued_at, s.ledger_transaction_id)


class StatementListOut(msgspec.Struct):
    """A project's statements (a list like every other; a project has a dozen a year, so one page)."""

    data: list[StatementOut]
    has_more: bool = False
    next_cursor: str | None = None
