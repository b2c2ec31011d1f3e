"""Reports' side of session events: a completed session's fact, and the revenue the ledger booked for it.

Handlers run after the commit that raised the event (``application.events``), again after a crash: storing
a session's fact replaces the one it had, so each runs any number of times to the same figures. The fact is
written after pricing (``application.event_handlers`` orders them), and takes the session's ledger posting if
it is booked already; the posting's own handler fills it in otherwise. ``rebuild_session_facts`` writes the
facts of sessions completed before reports existed (``charge report rebuild``).
"""

from __future__ import annotations

import logging

from application.pagination import PageRequest
from application.ports import UnitOfWork, UnitOfWorkFactory
from application.ports.network import SessionFilter
from domain.billing.ledger import CHARGING_REVENUE, Source, SourceKind
from domain.charging import ChargingSession, SessionStatus
from domain.charging.events import SessionCompleted, SessionPriced
from domain.pricing import meter_readings
from domain.reports import SessionFact, SessionRevenue, fact_of
from domain.reports.revenue import minor_units

log = logging.getLogger("charge.reports")


async def session_revenue(uow: UnitOfWork, organization_id: str, session_id: str) -> SessionRevenue | None:
    """What the ledger credited to charging revenue for the session (None until its posting is booked)."""
    transaction = await uow.ledger.find_by_source(organization_id, Source(SourceKind.SESSION, session_id))
    if transaction is None:
        return None
    entries = [e for e in transaction.entries if e.account == CHARGING_REVENUE]
    if not entries:
        return None
    currency = entries[0].currency
    net = sum(minor_units(e.credit, currency) - minor_units(e.debit, currency) for e in entries)
    return SessionRevenue(currency, net, transaction.posted_at)


async def session_fact(uow: UnitOfWork, session: ChargingSession) -> SessionFact | None:
    """The fact of a completed session (None while it is not, or its charge point is gone)."""
    if session.status is not SessionStatus.COMPLETED:
        return None
    charge_point = await uow.charge_points.find(session.charge_point_id)
    if charge_point is None or charge_point.organization_id != session.organization_id:
        return None
    location = await uow.locations.get(session.organization_id, charge_point.location_id)
    if location is None:
        return None
    samples = await uow.sessions.samples(session.organization_id, session.id)
    return fact_of(session, location_id=location.id, timezone=location.timezone,
                   readings=meter_readings(session, samples),
                   revenue=await session_revenue(uow, session.organization_id, session.id))


async def record_session_fact(event: SessionCompleted, *, uow_factory: UnitOfWorkFactory) -> None:
    """The handler of ``SessionCompleted``: store the session's fact (its rollups follow, in the same commit)."""
    async with uow_factory() as uow:
        session = await uow.sessions.get(event.organization_id, event.session_id)
        fact = await session_fact(uow, session) if session is not None else None
        if fact is None:
            return
        await uow.session_facts.put(fact)
        await uow.commit()


async def record_session_revenue(event: SessionPriced, *, uow_factory: UnitOfWorkFactory) -> None:
    """The handler of ``SessionPriced``, after the posting's: the session's fact takes what the ledger booked."""
    async with uow_factory() as uow:
        revenue = await session_revenue(uow, event.organization_id, event.session_id)
        if revenue is not None and await uow.session_facts.set_revenue(event.organization_id, event.session_id,
                                                                       revenue):
            await uow.commit()


async def rebuild_session_facts(organization_id: str, *, uow_factory: UnitOfWorkFactory, batch: int = 100) -> int:
    """Write (again) the fact of every completed session of the organization; returns how many were written."""
    written, cursor = 0, None
    while True:
        async with uow_factory() as uow:
            page = await uow.sessions.list(organization_id, SessionFilter(status=SessionStatus.COMPLETED),
                                           PageRequest(limit=batch, after=cursor))
            for session in page.items:
                fact = await session_fact(uow, session)
                if fact is not None:
                    await uow.session_facts.put(fact)
                    written += 1
            await uow.commit()
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    async with uow_factory() as uow:
        await uow.session_facts.reindex(organization_id)
        await uow.commit()
    return written
