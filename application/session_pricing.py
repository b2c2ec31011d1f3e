"""Pricing a session: the tariff (and plan) frozen when it opens, the cost rated once when it completes.

Tariff choice: the charge point's tariff, else its location's, else the organization's default.
A driver subscribed to a plan at the session's start gets the plan's tariff, or the discount.
Rating is total: whatever a charge point reported, it answers a cost or "not priced", never an
exception (readings the register cannot have shown are left out by ``meter_readings``; anything
the engine still cannot compute is logged and left unpriced).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.charging import ChargingSession, SessionStatus
from domain.charging.events import SessionCompleted
from domain.errors import InvalidInput
from domain.network import ChargePoint
from domain.pricing import SessionCost, discounted, meter_readings
from domain.tariffs import CostBreakdown, Tariff, profile_from_meter_values, quote_profile, rate

log = logging.getLogger("charge.pricing")


async def freeze_pricing(uow: UnitOfWork, charge_point: ChargePoint, session: ChargingSession) -> None:
    """Record on a new session which tariff version and plan will price it."""
    started = session.started_at or session.last_event_at
    if started is None:
        return
    tariff_id = charge_point.tariff_id
    if tariff_id is None:
        location = await uow.locations.get(charge_point.organization_id, charge_point.location_id)
        tariff_id = location.tariff_id if location else None
    if tariff_id is None:
        organization = await uow.organizations.get(charge_point.organization_id)
        tariff_id = organization.settings.default_tariff_id if organization else None
    record = await uow.tariffs.get(charge_point.organization_id, tariff_id) if tariff_id else None
    if record is not None:
        session.tariff_id, session.tariff_version = record.id, record.version_at(started).version
    if session.driver_id is not None:
        subscription = await uow.subscriptions.active_for_driver(charge_point.organization_id, session.driver_id,
                                                                 started)
        session.plan_id = subscription.plan_id if subscription else None


async def _tariff_for(uow: UnitOfWork, session: ChargingSession) -> Tariff | None:
    if session.tariff_id is None or session.tariff_version is None:
        return None
    record = await uow.tariffs.get(session.organization_id, session.tariff_id)
    if record is None:
        return None
    tariff = record.version(session.tariff_version).tariff
    if session.plan_id is not None:
        plan = await uow.plans.get(session.organization_id, session.plan_id)
        started = session.started_at or record.created_at
        if plan is not None and plan.tariff_id is not None:
            member = await uow.tariffs.get(session.organization_id, plan.tariff_id)
            if member is not None:
                tariff = member.version_at(started).tariff
        elif plan is not None and plan.discount_percent is not None:
            tariff = discounted(tariff, plan.discount_percent)
    return tariff


async def _timezone(uow: UnitOfWork, session: ChargingSession) -> ZoneInfo:
    charge_point = await uow.charge_points.find(session.charge_point_id)
    location = (await uow.locations.get(session.organization_id, charge_point.location_id)
                if charge_point else None)
    return ZoneInfo(location.timezone if location else "UTC")


async def rate_session(uow: UnitOfWork, session: ChargingSession, until: datetime) -> CostBreakdown | None:
    """The rounded cost of the session up to ``until`` (its end once completed); None when unpriced."""
    tariff = await _tariff_for(uow, session)
    if tariff is None or session.started_at is None:
        return None
    end = session.stopped_at or max(until, session.started_at)
    samples = await uow.sessions.samples(session.organization_id, session.id)
    readings = meter_readings(session, samples, until=end)
    zone = await _timezone(uow, session)
    try:
        if readings:
            profile = profile_from_meter_values(readings, start=min(session.started_at, readings[0][0]),
                                                end=max(end, readings[-1][0]))
        else:
            profile = quote_profile(session.started_at, end, session.energy_kwh)
        return rate(tariff, profile, zone).rounded()
    except InvalidInput as error:   # a span no session can have (a charge point's clock gone wrong)
        log.warning("a session cannot be rated", extra={"session_id": session.id, "reason": error.detail})
        return None
    except (ArithmeticError, ValueError, OverflowError):
        # Readings are range-checked where they enter; this is the last guard, so that no stored value
        # can make a session, its breakdown or a list fail.
        log.exception("a session could not be rated", extra={"session_id": session.id})
        return None


async def billed_cost(uow: UnitOfWork, session: ChargingSession) -> SessionCost | None:
    """What a completed session is billed: its stored cost once priced, else what pricing will store (the
    same rating of the same frozen tariff and stored readings, up to its stop); None when unpriced."""
    if session.cost is not None:
        return session.cost
    if session.status is not SessionStatus.COMPLETED or session.stopped_at is None:
        return None
    breakdown = await rate_session(uow, session, session.stopped_at)
    return SessionCost.of(breakdown) if breakdown is not None else None


async def price_completed_session(event: SessionCompleted, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """The handler of ``SessionCompleted``: rate the session once (idempotent: a priced session is left)."""
    async with uow_factory() as uow:
        session = await uow.sessions.get(event.organization_id, event.session_id, for_update=True)
        if session is None or session.cost is not None:
            return
        cost = await billed_cost(uow, session)
        if cost is None:
            return
        session.priced(cost, clock.now())
        await uow.sessions.save(session)
        await uow.commit()
