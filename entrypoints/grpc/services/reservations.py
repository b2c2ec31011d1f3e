"""ReservationService: a connector held for an id tag, as over REST (the charge point is asked first)."""

from __future__ import annotations

import grpc

from application.ports.network import ReservationFilter
from application.reservations import CreateReservation
from domain.errors import InvalidInput
from entrypoints.grpc import messages as m
from entrypoints.grpc.calls import caller
from entrypoints.grpc.generated.charge.v1 import reservations_pb2, reservations_pb2_grpc
from entrypoints.grpc.services.base import Door
from entrypoints.rest.inputs import is_identity

CREATE = "/charge.v1.ReservationService/CreateReservation"


class ReservationService(reservations_pb2_grpc.ReservationServiceServicer):
    def __init__(self, door: Door) -> None:
        self.door = door

    async def CreateReservation(self, request: reservations_pb2.CreateReservationRequest,
                                context: grpc.aio.ServicerContext) -> reservations_pb2.CreateReservationResponse:
        c = caller()
        charge_point_id = m.required(request.charge_point_id, "charge_point_id", m.MAX_IDENTITY)
        if not is_identity(charge_point_id):
            raise InvalidInput.field("charge_point_id", "no such charge point in this organization")
        cmd = CreateReservation(charge_point_id=charge_point_id, connector_id=request.connector_id,
                                expires_at=m.required_instant(request, "expires_at"), id_tag=request.id_tag)

        async def create() -> reservations_pb2.CreateReservationResponse:
            made = await self.door.use_cases.create_reservation(cmd, c.actor, c.organization_id)
            return reservations_pb2.CreateReservationResponse(reservation=m.reservation(made, self.door.now()))

        return await self.door.once(CREATE, request, reservations_pb2.CreateReservationResponse, context, create)

    async def ListReservations(self, request: reservations_pb2.ListReservationsRequest,
                               context: grpc.aio.ServicerContext) -> reservations_pb2.ListReservationsResponse:
        c = caller()
        filters = ReservationFilter(charge_point_id=m.charge_point_filter(request.charge_point_id),
                                    status=m.enum_value(request.status, m.RESERVATION_STATUSES, "status"))
        found = await self.door.use_cases.list_reservations(c.actor, c.organization_id, filters,
                                                            m.page(request.page_size, request.page_token))
        now = self.door.now()
        return reservations_pb2.ListReservationsResponse(reservations=[m.reservation(r, now) for r in found.items],
                                                         next_page_token=m.next_token(found))

    async def CancelReservation(self, request: reservations_pb2.CancelReservationRequest,
                                context: grpc.aio.ServicerContext) -> reservations_pb2.CancelReservationResponse:
        c = caller()
        reservation_id = m.object_id(request.reservation_id, "reservation_id", "rsv", "reservation")
        await self.door.use_cases.cancel_reservation(reservation_id, c.actor, c.organization_id)
        return reservations_pb2.CancelReservationResponse()
