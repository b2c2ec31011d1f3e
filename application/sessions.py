"""Charging sessions as operators read them: filtered lists, one session with its meter summary, its cost,
and the orphan transactions charge points reported without a start."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from application.ports.network import OrphanFilter, SessionFilter
from application.session_pricing import rate_session
from domain.charging import Anomaly, ChargingSession, MeterSample, OrphanTransaction, SessionStatus
from domain.errors import DomainError, InvalidInput, NotFound
from domain.tariffs import CostBreakdown


class NotPriced(NotFound):
    """No tariff prices the session, so it has no cost (nor breakdown) to show."""

    code = "not_priced"

    def __init__(self, session_id: str) -> None:
        DomainError.__init__(self, "no tariff prices this session, so it has no cost breakdown")
        self.kind, self.object_id = "cost", session_id


@frozen
class SessionDetail:
    session: ChargingSession
    samples: list[MeterSample]
    estimate: CostBreakdown | None = None     # a running session's cost so far (not billed)
    anomalies: tuple[Anomaly, ...] = ()       # readings the session did not count


@frozen
class SessionCostView:
    """A session's cost: as billed once it completed, else the cost so far (``estimate``)."""

    breakdown: CostBreakdown
    estimate: bool


async def list_sessions(actor: Actor, organization_id: str, filters: SessionFilter, page: PageRequest, *,
                        uow_factory: UnitOfWorkFactory) -> Page[ChargingSession]:
    if filters.started_from is not None and filters.started_to is not None \
            and filters.started_to <= filters.started_from:
        raise InvalidInput.field("to", "must be later than `from`")
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.sessions.list(organization_id, filters, page)


async def get_session(session_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory, clock: Clock) -> SessionDetail:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        session = await uow.sessions.get(organization_id, session_id)
        if session is None:
            raise NotFound("session", session_id)
        samples = await uow.sessions.samples(organization_id, session_id)
        anomalies = await uow.sessions.anomalies(organization_id, session_id) if session.flagged else []
        estimate = None
        if session.status is not SessionStatus.COMPLETED:
            estimate = await rate_session(uow, session, clock.now())
    return SessionDetail(session, samples, estimate, tuple(anomalies))


async def session_cost(session_id: str, actor: Actor, organization_id: str, *,
                       uow_factory: UnitOfWorkFactory, clock: Clock) -> SessionCostView:
    """The stored cost of a completed session, the live estimate of a running one, or ``NotPriced``."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        session = await uow.sessions.get(organization_id, session_id)
        if session is None:
            raise NotFound("session", session_id)
        if session.status is SessionStatus.COMPLETED:
            if session.cost is None:
                raise NotPriced(session_id)
            return SessionCostView(session.cost.breakdown, estimate=False)
        estimate = await rate_session(uow, session, clock.now())
    if estimate is None:
        raise NotPriced(session_id)
    return SessionCostView(estimate, estimate=True)


async def list_orphan_transactions(actor: Actor, organization_id: str, filters: OrphanFilter, page: PageRequest, *,
                                   uow_factory: UnitOfWorkFactory) -> Page[OrphanTransaction]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.orphans.list(organization_id, filters, page)
