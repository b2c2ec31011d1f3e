"""Judging a driver's charging policy when a charge point asks: the facts the pure checks need, gathered here.

The policy is the driver's own, else its fleet's (read fresh, so a change applies at once). What the driver
charged today and spent this month is read only when the policy limits them: most authorizations cost one
read of the fleet and one of the location. Spending counts completed sessions at their billed cost and
running (or not yet priced) ones at their estimate so far, in the limit's currency.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from application.ports import UnitOfWork
from application.session_pricing import rate_session
from domain.charging import ChargingSession, SessionStatus
from domain.fleets import ChargingContext, ChargingPolicy, EnergyCap, Verdict
from domain.fleets.policies import ACCEPTED, energy_cap, judge
from domain.money import Money
from domain.network import ChargePoint


@frozen
class PolicyHolder:
    """Who a policy may govern: a driver, its fleet and its own policy (None: the fleet's applies)."""

    driver_id: str
    fleet_id: str | None
    policy: ChargingPolicy | None


@frozen
class PolicyJudgement:
    verdict: Verdict
    cap: EnergyCap | None = None       # the most a session starting now may deliver


NO_POLICY = PolicyJudgement(ACCEPTED)


async def policy_of(uow: UnitOfWork, organization_id: str, holder: PolicyHolder) -> ChargingPolicy | None:
    if holder.policy is not None:
        return holder.policy
    if holder.fleet_id is None:
        return None
    fleet = await uow.fleets.get(organization_id, holder.fleet_id)
    return fleet.policy if fleet is not None else None


def connector_type(charge_point: ChargePoint, connector_id: int | None, evse_id: int | None) -> str | None:
    """The type of the connector a transaction uses, if the operator registered it (2.0.1 may name only the
    EVSE: its type then, when all its connectors share one)."""
    if connector_id is None and evse_id is None:
        return None
    candidates = [c for c in charge_point.connectors if (evse_id is None or c.evse_id == evse_id)
                  and (connector_id is None or c.connector_id == connector_id)]
    types = {c.type for c in candidates}
    return types.pop() if len(types) == 1 else None


def _local_midnight(day: datetime, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), time(0), zone).astimezone(UTC)


async def judge_charging(uow: UnitOfWork, charge_point: ChargePoint, holder: PolicyHolder, now: datetime, *,
                         connector_id: int | None = None, evse_id: int | None = None) -> PolicyJudgement:
    organization_id = charge_point.organization_id
    policy = await policy_of(uow, organization_id, holder)
    if policy is None or policy.is_empty:
        return NO_POLICY
    location = await uow.locations.get(organization_id, charge_point.location_id)
    zone = ZoneInfo(location.timezone) if location is not None else ZoneInfo("UTC")
    energy_today, spent = Decimal(0), None
    if policy.limits_day_or_month:
        organization = await uow.organizations.get(organization_id)
        home = ZoneInfo(organization.settings.timezone) if organization is not None else ZoneInfo("UTC")
        local_now = now.astimezone(home)
        day_start = _local_midnight(local_now, home)
        month_start = _local_midnight(local_now.replace(day=1), home)
        sessions = await uow.sessions.of_driver_since(organization_id, holder.driver_id, min(day_start, month_start))
        energy_today = sum((s.energy_kwh for s in sessions if s.started_at is not None and s.started_at >= day_start),
                           Decimal(0))
        if policy.max_spend_per_month is not None:
            spent = await _spent(uow, sessions, policy.max_spend_per_month.currency, now)
    context = ChargingContext(at=now, zone=zone, location_id=charge_point.location_id,
                              connector_type=connector_type(charge_point, connector_id, evse_id),
                              energy_today_kwh=energy_today, spent_this_month=spent)
    verdict = judge(policy, context)
    return PolicyJudgement(verdict, energy_cap(policy, energy_today) if verdict.accepted else None)


async def _spent(uow: UnitOfWork, sessions: list[ChargingSession], currency: str, now: datetime) -> Money:
    total = Money.zero(currency)
    for session in sessions:
        if session.status is SessionStatus.COMPLETED and session.cost is not None:
            if session.cost.currency == currency:
                total += Money(session.cost.total, currency)
            continue
        estimate = await rate_session(uow, session, now)
        if estimate is not None and estimate.currency == currency:
            total += Money(estimate.total, currency)
    return total


