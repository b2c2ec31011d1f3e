"""Charging sessions as operators read them: filtered, newest first, and one with its meter summary."""

from __future__ import annotations

from application.pagination import Page
from application.ports.network import OrphanFilter, SessionFilter
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.queries import OrphanQuery, OrphanStatus, SessionQuery
from entrypoints.rest.views import SESSION_STATUS, CostBreakdownOut, OrphanTransactionOut, SessionDetailOut, SessionOut

TAG = "Sessions"
PATH = "/api/v1/sessions"


async def list_sessions(call: Call) -> Page[SessionOut]:
    q: SessionQuery = call.query
    filters = SessionFilter(charge_point_id=q.charge_point_id, driver_id=q.driver_id, fleet_id=q.fleet_id,
                            status=q.status, started_from=q.started_from, started_to=q.started_to)
    page = await call.use_cases.list_sessions(call.caller, call.organization_id, filters, call.page)
    return page.map(SessionOut.of)


async def get_session(call: Call) -> SessionDetailOut:
    detail = await call.use_cases.get_session(call.ids["session_id"], call.caller, call.organization_id)
    return SessionDetailOut.of_detail(detail)


async def get_cost_breakdown(call: Call) -> CostBreakdownOut:
    cost = await call.use_cases.session_cost(call.ids["session_id"], call.caller, call.organization_id)
    return CostBreakdownOut.of(cost.breakdown.to_json(), estimate=cost.estimate)


async def list_orphan_transactions(call: Call) -> Page[OrphanTransactionOut]:
    q: OrphanQuery = call.query
    page = await call.use_cases.list_orphan_transactions(
        call.caller, call.organization_id,
        OrphanFilter(charge_point_id=q.charge_point_id,
                     adopted=None if q.status is None else q.status is OrphanStatus.ADOPTED), call.page)
    return page.map(OrphanTransactionOut.of)


ENDPOINTS = [
    Endpoint("GET", PATH, list_sessions, "listSessions", "List sessions", TAG, query=SessionQuery,
             response=SessionOut, paginated=True, tenant=True,
             description="Newest first. `from`/`to` bound `started_at` (from inclusive, to exclusive). "
                         + SESSION_STATUS + " `cost` is set once a session priced by a tariff completes."),
    Endpoint("GET", PATH + "/{session_id}", get_session, "getSession", "Get a session", TAG,
             response=SessionDetailOut, tenant=True,
             description="The session with a summary of its meter data (`meter`)."),
    Endpoint("GET", PATH + "/{session_id}/cost-breakdown", get_cost_breakdown, "getSessionCostBreakdown",
             "Get a session's cost breakdown", TAG, response=CostBreakdownOut, tenant=True,
             description="A completed session's cost, line by line (the lines add up to the totals), with the "
                         "periods and the tariff elements that applied; for a running session, the cost so far "
                         "(`estimate: true`). 404 `not_priced` when no tariff prices the session."),
    Endpoint("GET", "/api/v1/orphan-transactions", list_orphan_transactions, "listOrphanTransactions",
             "List orphan transactions", TAG, query=OrphanQuery, response=OrphanTransactionOut, paginated=True,
             tenant=True,
             description="Newest first. A StopTransaction or TransactionEvent of a transaction whose start was never "
                         "seen is answered (so the charge point can empty its queue) but opens no billable session: "
                         "its messages are kept here for the operator. A 2.0.1 `Started` arriving later adopts them "
                         "into a session (`adopted_by`)."),
]
