"""Charging sessions as operators read them: filtered lists and one session with its meter summary."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from application.session_pricing import rate_session
from application.ports.network import SessionFilter
from domain.charging import ChargingSession, MeterSample, SessionStatus
from domain.tariffs import CostBreakdown
from domain.errors import NotFound


@frozen
class SessionDetail:
    session: ChargingSession
    samples: list[MeterSample]
    estimate: CostBreakdown | None = None     # a running session's cost so far (not billed)


async def list_sessions(actor: Actor, organization_id: str, filters: SessionFilter, page: PageRequest, *,
                        uow_factory: UnitOfWorkFactory) -> Page[ChargingSession]:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.sessions.list(organization_id, filters, page)


async def get_session(session_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory, clock: Clock) -> SessionDetail:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        session = await uow.sessions.get(organization_id, session_id)
        if session is None:
            raise NotFound("session", session_id)
        samples = await uow.sessions.samples(organization_id, session_id)
        estimate = None
        if session.status is not SessionStatus.COMPLETED:
            estimate = await rate_session(uow, session, clock.now())
    return SessionDetail(session, samples, estimate)
