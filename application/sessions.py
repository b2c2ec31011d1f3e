"""Charging sessions as operators read them: filtered lists and one session with its meter summary."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.network import SessionFilter
from domain.charging import ChargingSession, MeterSample
from domain.errors import NotFound


@frozen
class SessionDetail:
    session: ChargingSession
    samples: list[MeterSample]


async def list_sessions(actor: Actor, organization_id: str, filters: SessionFilter, page: PageRequest, *,
                        uow_factory: UnitOfWorkFactory) -> Page[ChargingSession]:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.sessions.list(organization_id, filters, page)


async def get_session(session_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory) -> SessionDetail:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        session = await uow.sessions.get(organization_id, session_id)
        if session is None:
            raise NotFound("session", session_id)
        samples = await uow.sessions.samples(organization_id, session_id)
    return SessionDetail(session, samples)
