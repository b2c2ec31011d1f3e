"""SessionService: sessions listed and read as over REST, and watched live from a cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from application.live_streams import Watching
from application.ports.events import FeedPosition
from application.ports.network import SessionFilter
from entrypoints.grpc import messages as m
from entrypoints.grpc.calls import caller
from entrypoints.grpc.errors import fields_named
from entrypoints.grpc.generated.charge.v1 import sessions_pb2, sessions_pb2_grpc
from entrypoints.grpc.services.base import Door

# The list's filters as the use case names them, and as the request does.
_FILTER_FIELDS = {"from": "started_from", "to": "started_to"}


class SessionService(sessions_pb2_grpc.SessionServiceServicer):
    def __init__(self, door: Door) -> None:
        self.door = door

    async def ListSessions(self, request: sessions_pb2.ListSessionsRequest,
                           context: grpc.aio.ServicerContext) -> sessions_pb2.ListSessionsResponse:
        c = caller()
        filters = SessionFilter(
            charge_point_id=m.charge_point_filter(request.charge_point_id),
            driver_id=m.optional(request.driver_id, "driver_id"), fleet_id=m.optional(request.fleet_id, "fleet_id"),
            status=m.enum_value(request.status, m.SESSION_STATUSES, "status"),
            started_from=m.instant(request, "started_from"), started_to=m.instant(request, "started_to"))
        with fields_named(_FILTER_FIELDS):
            found = await self.door.use_cases.list_sessions(c.actor, c.organization_id, filters,
                                                            m.page(request.page_size, request.page_token))
        return sessions_pb2.ListSessionsResponse(sessions=[m.session(s) for s in found.items],
                                                 next_page_token=m.next_token(found))

    async def GetSession(self, request: sessions_pb2.GetSessionRequest,
                         context: grpc.aio.ServicerContext) -> sessions_pb2.GetSessionResponse:
        c = caller()
        session_id = m.object_id(request.session_id, "session_id", "ses", "session")
        return m.session_detail(await self.door.use_cases.get_session(session_id, c.actor, c.organization_id))

    async def GetCostBreakdown(self, request: sessions_pb2.GetCostBreakdownRequest,
                               context: grpc.aio.ServicerContext) -> sessions_pb2.GetCostBreakdownResponse:
        c = caller()
        session_id = m.object_id(request.session_id, "session_id", "ses", "session")
        cost = await self.door.use_cases.session_cost(session_id, c.actor, c.organization_id)
        return sessions_pb2.GetCostBreakdownResponse(
            breakdown=m.cost_breakdown(cost.breakdown.to_json(), estimate=cost.estimate))

    async def WatchSessions(self, request: sessions_pb2.WatchSessionsRequest,
                            context: grpc.aio.ServicerContext) -> AsyncIterator[sessions_pb2.WatchSessionsResponse]:
        c = caller()
        after = FeedPosition.from_token(request.cursor, "cursor") if request.cursor else None
        stream = self.door.use_cases.watch_sessions(c.actor, c.organization_id, after,
                                                    m.charge_point_filter(request.charge_point_id))
        try:
            async for item in stream:
                if isinstance(item, Watching):
                    await context.send_initial_metadata(m.stream_opened(item))
                else:
                    yield m.session_event(item)
        finally:
            await stream.aclose()
