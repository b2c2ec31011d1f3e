"""ChargePointService: charge points read with their status, sessions started and stopped through the command
port (as REST's remote-start and remote-stop), and status changes watched from a cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from application.commands import remote_start
from application.live_streams import Watching
from application.ports.events import FeedPosition
from domain.errors import InvalidInput
from entrypoints.grpc import messages as m
from entrypoints.grpc.calls import caller
from entrypoints.grpc.generated.charge.v1 import charge_points_pb2, charge_points_pb2_grpc
from entrypoints.grpc.services.base import Door
from entrypoints.rest.inputs import is_identity
from entrypoints.rest.shapes import MAX_CONNECTOR

START = "/charge.v1.ChargePointService/StartSession"
STOP = "/charge.v1.ChargePointService/StopSession"


def _number(request: object, field: str) -> int | None:
    """An optional connector or EVSE number."""
    if not request.HasField(field):  # type: ignore[attr-defined]
        return None
    value: int = getattr(request, field)
    if not 1 <= value <= MAX_CONNECTOR:
        raise InvalidInput.field(field, f"must be between 1 and {MAX_CONNECTOR}")
    return value


class ChargePointService(charge_points_pb2_grpc.ChargePointServiceServicer):
    def __init__(self, door: Door) -> None:
        self.door = door

    async def ListChargePoints(self, request: charge_points_pb2.ListChargePointsRequest,
                               context: grpc.aio.ServicerContext) -> charge_points_pb2.ListChargePointsResponse:
        c = caller()
        found = await self.door.use_cases.list_charge_points(
            c.actor, c.organization_id, m.page(request.page_size, request.page_token, is_identity),
            location_id=m.optional(request.location_id, "location_id"))
        return charge_points_pb2.ListChargePointsResponse(
            charge_points=[m.charge_point(cp, self.door.ocpp_url) for cp in found.items],
            next_page_token=m.next_token(found))

    async def GetChargePoint(self, request: charge_points_pb2.GetChargePointRequest,
                             context: grpc.aio.ServicerContext) -> charge_points_pb2.GetChargePointResponse:
        c = caller()
        found = await self.door.use_cases.get_charge_point(m.charge_point_id(request.charge_point_id), c.actor,
                                                           c.organization_id)
        return charge_points_pb2.GetChargePointResponse(charge_point=m.charge_point(found, self.door.ocpp_url))

    async def StartSession(self, request: charge_points_pb2.StartSessionRequest,
                           context: grpc.aio.ServicerContext) -> charge_points_pb2.StartSessionResponse:
        c = caller()
        charge_point_id = m.charge_point_id(request.charge_point_id)
        command = remote_start(request.id_tag, _number(request, "connector_id"), _number(request, "evse_id"))

        async def start() -> charge_points_pb2.StartSessionResponse:
            result = await self.door.use_cases.send_command(charge_point_id, command, c.actor, c.organization_id)
            return charge_points_pb2.StartSessionResponse(**m.given(status=result.status,
                                                                    data=m.command_data(result)))

        return await self.door.once(START, request, charge_points_pb2.StartSessionResponse, context, start)

    async def StopSession(self, request: charge_points_pb2.StopSessionRequest,
                          context: grpc.aio.ServicerContext) -> charge_points_pb2.StopSessionResponse:
        c = caller()
        charge_point_id = m.charge_point_id(request.charge_point_id)
        session_id = m.required(request.session_id, "session_id")

        async def stop() -> charge_points_pb2.StopSessionResponse:
            result = await self.door.use_cases.stop_session(charge_point_id, session_id, c.actor, c.organization_id)
            return charge_points_pb2.StopSessionResponse(**m.given(status=result.status, data=m.command_data(result)))

        return await self.door.once(STOP, request, charge_points_pb2.StopSessionResponse, context, stop)

    async def WatchStatus(self, request: charge_points_pb2.WatchStatusRequest,
                          context: grpc.aio.ServicerContext) -> AsyncIterator[charge_points_pb2.WatchStatusResponse]:
        c = caller()
        after = FeedPosition.from_token(request.cursor, "cursor") if request.cursor else None
        stream = self.door.use_cases.watch_status(c.actor, c.organization_id, after,
                                                  m.charge_point_filter(request.charge_point_id))
        try:
            async for item in stream:
                if isinstance(item, Watching):
                    await context.send_initial_metadata(m.stream_opened(item))
                else:
                    yield m.status_change(item)
        finally:
            await stream.aclose()
