"""A project's monthly statement: the sessions that ended at its locations in the month, their energy and net
revenue, the credit notes issued in the month on its sessions (a correction to a month already stated lands
on the next statement, never rewriting an issued one), and the owner's share of what that leaves.

``compute_statement`` is pure: the same sessions and credits give the same statement, to the cent."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from attrs import field, frozen

from domain.billing.periods import BillingPeriod
from domain.geography import CURRENCY_EXPONENTS
from domain.site_owners.projects import HUNDRED, Project, ShareBasis

_ZERO = Decimal(0)


class StatementStatus(str, enum.Enum):
    DRAFT = "draft"        # computed now: the month is open or not issued yet
    ISSUED = "issued"      # booked to the site owner's payable; never changes again


@frozen
class StatementSession:
    session_id: str
    location_id: str
    stopped_at: datetime
    energy_kwh: Decimal
    revenue: Decimal           # net of VAT
    currency: str


@frozen
class StatementAdjustment:
    """A credit note line on one of the project's sessions: revenue given back to the driver."""

    credit_note_id: str
    session_id: str
    issued_at: datetime
    amount: Decimal            # net of VAT, positive: what was credited
    currency: str


def _tuple_sessions(items: Sequence[StatementSession]) -> tuple[StatementSession, ...]:
    return tuple(items)


def _tuple_adjustments(items: Sequence[StatementAdjustment]) -> tuple[StatementAdjustment, ...]:
    return tuple(items)


@frozen
class Statement:
    organization_id: str
    project_id: str
    site_owner_id: str
    period: BillingPeriod
    currency: str
    revenue_share_percent: Decimal
    share_basis: ShareBasis
    energy_cost_per_kwh: Decimal | None
    sessions: tuple[StatementSession, ...] = field(converter=_tuple_sessions)
    adjustments: tuple[StatementAdjustment, ...] = field(converter=_tuple_adjustments)
    energy_kwh: Decimal
    revenue: Decimal
    credited: Decimal
    energy_cost: Decimal
    basis_amount: Decimal
    share: Decimal
    status: StatementStatus = StatementStatus.DRAFT
    id: str | None = None
    issued_at: datetime | None = None
    ledger_transaction_id: str | None = None

    def issued(self, *, id: str, at: datetime, ledger_transaction_id: str | None) -> Statement:
        return Statement(self.organization_id, self.project_id, self.site_owner_id, self.period, self.currency,
                         self.revenue_share_percent, self.share_basis, self.energy_cost_per_kwh, self.sessions,
                         self.adjustments, self.energy_kwh, self.revenue, self.credited, self.energy_cost,
                         self.basis_amount, self.share, StatementStatus.ISSUED, id, at, ledger_transaction_id)


def minor(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency]), ROUND_HALF_UP)


def compute_statement(project: Project, period: BillingPeriod, currency: str, sessions: Sequence[StatementSession],
                      adjustments: Sequence[StatementAdjustment]) -> Statement:
    """revenue = Σ sessions' net revenue; credited = Σ credit notes issued in the month; the basis is revenue −
    credited (less the energy cost for an energy_margin share); the share is the project's percentage of the
    basis, rounded once, half-up, to the currency's minor unit (negative when credits outweigh the month)."""
    ordered = sorted(sessions, key=lambda s: (s.stopped_at, s.session_id))
    energy = sum((s.energy_kwh for s in ordered), _ZERO)
    revenue = sum((s.revenue for s in ordered), _ZERO)
    credited = sum((a.amount for a in adjustments), _ZERO)
    energy_cost = _ZERO
    if project.share_basis is ShareBasis.ENERGY_MARGIN and project.energy_cost_per_kwh is not None:
        energy_cost = minor(energy * project.energy_cost_per_kwh, currency)
    basis = revenue - credited - energy_cost
    share = minor(basis * project.revenue_share_percent / HUNDRED, currency)
    return Statement(project.organization_id, project.id, project.site_owner_id, period, currency,
                     project.revenue_share_percent, project.share_basis, project.energy_cost_per_kwh, ordered,
                     sorted(adjustments, key=lambda a: (a.issued_at, a.credit_note_id)), energy, revenue, credited,
                     energy_cost, basis, share)
