"""Charge points: registered by operators before they first connect, then read with their live status."""

from __future__ import annotations

from application.network import RegisterChargePoint
from application.pagination import Page
from entrypoints.rest.bodies import ChargePointBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.inputs import is_identity
from entrypoints.rest.queries import ChargePointQuery
from entrypoints.rest.views import STATUS_DESCRIPTION, ChargePointOut

TAG = "Charge points"
PATH = "/api/v1/charge-points"


async def register_charge_point(call: Call) -> ChargePointOut:
    body: ChargePointBody = call.body
    cmd = RegisterChargePoint(
        id=body.id, location_id=body.location_id, ocpp_password=body.ocpp_password,
        evses=tuple((e.evse_id, tuple(c.connector_id for c in e.connectors)) for e in body.evses),
        connector_types=tuple(((e.evse_id, c.connector_id), c.type) for e in body.evses for c in e.connectors
                              if c.type is not None),
        validation_mode=body.validation_mode)
    charge_point = await call.use_cases.register_charge_point(cmd, call.caller, call.organization_id)
    return ChargePointOut.of(charge_point, call.ocpp_url)


async def list_charge_points(call: Call) -> Page[ChargePointOut]:
    query: ChargePointQuery = call.query
    page = await call.use_cases.list_charge_points(call.caller, call.organization_id, call.page,
                                                   location_id=query.location_id)
    return page.map(lambda charge_point: ChargePointOut.of(charge_point, call.ocpp_url))


async def get_charge_point(call: Call) -> ChargePointOut:
    charge_point = await call.use_cases.get_charge_point(call.ids["charge_point_id"], call.caller,
                                                         call.organization_id)
    return ChargePointOut.of(charge_point, call.ocpp_url)


ENDPOINTS = [
    Endpoint("POST", PATH, register_charge_point, "registerChargePoint", "Register a charge point", TAG,
             status=201, body=ChargePointBody, response=ChargePointOut, creates=True, tenant=True,
             errors=(403, 409),
             description="Registers a charge point under its OCPP identity; it then connects at `ocpp_url`. "
                         "A charge point registered with `ocpp_password` must authenticate with HTTP Basic "
                         "(`{id}:{password}`); the password is stored hashed and never shown. 409 when the "
                         "identity is already registered (in any organization); 422 naming `location_id` "
                         "when the location is not the organization's."),
    Endpoint("GET", PATH, list_charge_points, "listChargePoints", "List charge points", TAG,
             query=ChargePointQuery, response=ChargePointOut, paginated=True, cursor_key=is_identity, tenant=True,
             description="Ordered by identity. " + STATUS_DESCRIPTION),
    Endpoint("GET", PATH + "/{charge_point_id}", get_charge_point, "getChargePoint", "Get a charge point", TAG,
             response=ChargePointOut, tenant=True, description=STATUS_DESCRIPTION),
]
