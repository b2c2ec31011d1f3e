"""Charging sessions as operators read them: filtered, newest first, and one with its meter summary."""

from __future__ import annotations

from application.pagination import Page
from application.ports.network import SessionFilter
from domain.errors import InvalidInput
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.queries import SessionQuery
from entrypoints.rest.views import SESSION_STATUS, SessionDetailOut, SessionOut

TAG = "Sessions"
PATH = "/api/v1/sessions"


async def list_sessions(call: Call) -> Page[SessionOut]:
    q: SessionQuery = call.query
    if q.started_from is not None and q.started_to is not None and q.started_to <= q.started_from:
        raise InvalidInput.field("to", "must be later than `from`")
    filters = SessionFilter(charge_point_id=q.charge_point_id, driver_id=q.driver_id, fleet_id=q.fleet_id,
                            status=q.status, started_from=q.started_from, started_to=q.started_to)
    page = await call.use_cases.list_sessions(call.caller, call.organization_id, filters, call.page)
    return page.map(SessionOut.of)


async def get_session(call: Call) -> SessionDetailOut:
    detail = await call.use_cases.get_session(call.ids["session_id"], call.caller, call.organization_id)
    return SessionDetailOut.of_detail(detail)


ENDPOINTS = [
    Endpoint("GET", PATH, list_sessions, "listSessions", "List sessions", TAG, query=SessionQuery,
             response=SessionOut, paginated=True, tenant=True,
             description="Newest first. `from`/`to` bound `started_at` (from inclusive, to exclusive). "
                         + SESSION_STATUS + " `cost` and `tariff_id` are null until sessions are rated."),
    Endpoint("GET", PATH + "/{session_id}", get_session, "getSession", "Get a session", TAG,
             response=SessionDetailOut, tenant=True,
             description="The session with a summary of its meter data (`meter`)."),
]
