"""Reservations: hold a connector for one id tag; the charge point is asked (ReserveNow) before it counts."""

from __future__ import annotations

from application.pagination import Page
from application.ports.network import ReservationFilter
from application.reservations import CreateReservation
from entrypoints.rest.bodies import ReservationBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.queries import ReservationQuery
from entrypoints.rest.views import ReservationOut

TAG = "Reservations"
PATH = "/api/v1/reservations"


async def create_reservation(call: Call) -> ReservationOut:
    body: ReservationBody = call.body
    cmd = CreateReservation(charge_point_id=body.charge_point_id, connector_id=body.connector_id,
                            expires_at=body.expires_at, id_tag=body.id_tag)
    reservation = await call.use_cases.create_reservation(cmd, call.caller, call.organization_id)
    return ReservationOut.of(reservation, call.now())


async def list_reservations(call: Call) -> Page[ReservationOut]:
    q: ReservationQuery = call.query
    page = await call.use_cases.list_reservations(call.caller, call.organization_id,
                                                  ReservationFilter(charge_point_id=q.charge_point_id,
                                                                    status=q.status), call.page)
    now = call.now()
    return page.map(lambda reservation: ReservationOut.of(reservation, now))


async def cancel_reservation(call: Call) -> None:
    await call.use_cases.cancel_reservation(call.ids["reservation_id"], call.caller, call.organization_id)


ENDPOINTS = [
    Endpoint("POST", PATH, create_reservation, "createReservation", "Create a reservation", TAG, status=201,
             body=ReservationBody, response=ReservationOut, creates=True, tenant=True, errors=(403, 409, 504),
             description="Reservations let drivers hold a connector before they arrive. The charge point is "
                         "asked first (ReserveNow): 409 `reservation_rejected` when it refuses (the detail "
                         "names its answer: Occupied, Faulted, Rejected, Unavailable), 409 `unavailable` when "
                         "it is offline, 409 `conflict` when the connector is already reserved, 504 when it "
                         "does not answer in time. 422 naming `charge_point_id` for a charge point that is not "
                         "the organization's."),
    Endpoint("GET", PATH, list_reservations, "listReservations", "List reservations", TAG, query=ReservationQuery,
             response=ReservationOut, paginated=True, tenant=True),
    Endpoint("DELETE", PATH + "/{reservation_id}", cancel_reservation, "cancelReservation", "Cancel a reservation",
             TAG, status=204, tenant=True, errors=(403, 409, 504),
             description="204 No Content on success. Cancellation sends a CancelReservation command to the charge "
                         "point via OCPP. 409 `invalid_state` when the reservation is no longer active, 409 "
                         "`unavailable` when the charge point is offline (the reservation stays active)."),
]
