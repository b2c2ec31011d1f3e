"""Fleets and their charging policies, vehicles, which vehicle each driver drives, and the authorization log."""

from __future__ import annotations

from application.fleets import FleetDetails, VehicleDetails
from application.pagination import Page
from application.ports.fleets import AuthorizationFilter
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.fleet_shapes import (
    AuthorizationOut,
    AuthorizationQuery,
    FleetBody,
    FleetOut,
    OdometerReadingBody,
    OdometerReadingOut,
    VehicleAssignmentBody,
    VehicleAssignmentOut,
    VehicleBody,
    VehicleOut,
    VehicleQuery,
)

TAG = "Fleets"
FLEETS = "/api/v1/fleets"
VEHICLES = "/api/v1/vehicles"
ASSIGNMENTS = "/api/v1/drivers/{driver_id}/vehicles"
READINGS = VEHICLES + "/{vehicle_id}/odometer-readings"

_POLICY = ("`policy` (absent fields are no limit; `{}` none at all): 422 names each field at fault by its path — "
           "a location that is not the organization's (`policy.allowed_location_ids[0]`), windows that cover the "
           "same minutes or open and close at the same time (`policy.time_windows[1]`), a spending limit in "
           "another currency than the fleet is billed in (`policy.max_spend_per_month.currency`). 422 naming "
           "`customer_id` for a customer that is not the organization's.")


def _fleet(body: FleetBody) -> FleetDetails:
    return FleetDetails(name=body.name, customer_id=body.customer_id, policy=body.policy.document())


async def create_fleet(call: Call) -> FleetOut:
    return FleetOut.of(await call.use_cases.create_fleet(_fleet(call.body), call.caller, call.organization_id))


async def list_fleets(call: Call) -> Page[FleetOut]:
    page = await call.use_cases.list_fleets(call.caller, call.organization_id, call.page)
    return page.map(FleetOut.of)


async def get_fleet(call: Call) -> FleetOut:
    return FleetOut.of(await call.use_cases.get_fleet(call.ids["fleet_id"], call.caller, call.organization_id))


async def update_fleet(call: Call) -> FleetOut:
    fleet = await call.use_cases.update_fleet(call.ids["fleet_id"], _fleet(call.body), call.caller,
                                              call.organization_id)
    return FleetOut.of(fleet)


async def delete_fleet(call: Call) -> None:
    await call.use_cases.delete_fleet(call.ids["fleet_id"], call.caller, call.organization_id)


def _vehicle(body: VehicleBody) -> VehicleDetails:
    return VehicleDetails(fleet_id=body.fleet_id, vin=body.vin, make=body.make, model=body.model,
                          battery_kwh=body.battery_kwh, connector_types=tuple(body.connector_types),
                          licence_plate=body.licence_plate)


async def create_vehicle(call: Call) -> VehicleOut:
    return VehicleOut.of(await call.use_cases.create_vehicle(_vehicle(call.body), call.caller, call.organization_id))


async def list_vehicles(call: Call) -> Page[VehicleOut]:
    q: VehicleQuery = call.query
    page = await call.use_cases.list_vehicles(call.caller, call.organization_id, call.page, q.fleet_id)
    return page.map(VehicleOut.of)


async def get_vehicle(call: Call) -> VehicleOut:
    return VehicleOut.of(await call.use_cases.get_vehicle(call.ids["vehicle_id"], call.caller,
                                                          call.organization_id))


async def update_vehicle(call: Call) -> VehicleOut:
    vehicle = await call.use_cases.update_vehicle(call.ids["vehicle_id"], _vehicle(call.body), call.caller,
                                                  call.organization_id)
    return VehicleOut.of(vehicle)


async def delete_vehicle(call: Call) -> None:
    await call.use_cases.delete_vehicle(call.ids["vehicle_id"], call.caller, call.organization_id)


async def record_odometer_reading(call: Call) -> OdometerReadingOut:
    body: OdometerReadingBody = call.body
    reading = await call.use_cases.record_odometer_reading(call.ids["vehicle_id"], body.odometer_km, body.read_at,
                                                           call.caller, call.organization_id)
    return OdometerReadingOut.of(reading)


async def list_odometer_readings(call: Call) -> Page[OdometerReadingOut]:
    page = await call.use_cases.list_odometer_readings(call.ids["vehicle_id"], call.caller, call.organization_id,
                                                       call.page)
    return page.map(OdometerReadingOut.of)


async def assign_vehicle(call: Call) -> VehicleAssignmentOut:
    body: VehicleAssignmentBody = call.body
    assignment = await call.use_cases.assign_vehicle(call.ids["driver_id"], body.vehicle_id, call.caller,
                                                     call.organization_id)
    return VehicleAssignmentOut.of(assignment)


async def list_assignments(call: Call) -> Page[VehicleAssignmentOut]:
    page = await call.use_cases.list_vehicle_assignments(call.ids["driver_id"], call.caller, call.organization_id,
                                                         call.page)
    return page.map(VehicleAssignmentOut.of)


async def unassign_vehicle(call: Call) -> None:
    await call.use_cases.unassign_vehicle(call.ids["driver_id"], call.caller, call.organization_id)


async def list_authorizations(call: Call) -> Page[AuthorizationOut]:
    q: AuthorizationQuery = call.query
    filters = AuthorizationFilter(driver_id=q.driver_id, fleet_id=q.fleet_id, charge_point_id=q.charge_point_id,
                                  result=q.result)
    page = await call.use_cases.list_authorizations(call.caller, call.organization_id, filters, call.page)
    return page.map(AuthorizationOut.of)


ENDPOINTS = [
    Endpoint("POST", FLEETS, create_fleet, "createFleet", "Create a fleet", TAG, status=201, body=FleetBody,
             response=FleetOut, creates=True, tenant=True, errors=(403,),
             description="A fleet's drivers charge under its policy, and their sessions are billed to its customer "
                         "(so one invoice a month carries them all). " + _POLICY),
    Endpoint("GET", FLEETS, list_fleets, "listFleets", "List fleets", TAG, response=FleetOut, paginated=True,
             tenant=True),
    Endpoint("GET", FLEETS + "/{fleet_id}", get_fleet, "getFleet", "Get a fleet", TAG, response=FleetOut,
             tenant=True),
    Endpoint("PUT", FLEETS + "/{fleet_id}", update_fleet, "updateFleet", "Replace a fleet", TAG, body=FleetBody,
             response=FleetOut, tenant=True, errors=(403,),
             description="A new policy applies to the next authorization of its drivers. " + _POLICY),
    Endpoint("DELETE", FLEETS + "/{fleet_id}", delete_fleet, "deleteFleet", "Delete a fleet", TAG, status=204,
             tenant=True, errors=(403, 409),
             description="409 while drivers or vehicles belong to it. Its sessions keep its id; its own customer "
                         "and invoices stay."),
    Endpoint("POST", VEHICLES, create_vehicle, "createVehicle", "Create a vehicle", TAG, status=201,
             body=VehicleBody, response=VehicleOut, creates=True, tenant=True, errors=(403, 409),
             description="422 naming `vin` for a VIN of the wrong structure or check digit, `fleet_id` for a "
                         "fleet that is not the organization's; 409 when another vehicle of the organization has "
                         "the VIN."),
    Endpoint("GET", VEHICLES, list_vehicles, "listVehicles", "List vehicles", TAG, query=VehicleQuery,
             response=VehicleOut, paginated=True, tenant=True),
    Endpoint("GET", VEHICLES + "/{vehicle_id}", get_vehicle, "getVehicle", "Get a vehicle", TAG,
             response=VehicleOut, tenant=True),
    Endpoint("PUT", VEHICLES + "/{vehicle_id}", update_vehicle, "updateVehicle", "Replace a vehicle", TAG,
             body=VehicleBody, response=VehicleOut, tenant=True, errors=(403, 409),
             description="As creation; moving a vehicle a driver drives to another fleet is a 409 (end the "
                         "assignment first)."),
    Endpoint("DELETE", VEHICLES + "/{vehicle_id}", delete_vehicle, "deleteVehicle", "Delete a vehicle", TAG,
             status=204, tenant=True, errors=(403, 409),
             description="409 while a driver drives it. Its assignments' history and its sessions keep its id."),
    Endpoint("POST", READINGS, record_odometer_reading, "recordOdometerReading", "Record an odometer reading", TAG,
             status=201, body=OdometerReadingBody, response=OdometerReadingOut, creates=True, tenant=True,
             errors=(403,),
             description="What the vehicle's odometer showed at `read_at`; fleet costs divide by the distances "
                         "readings show (cost per 100 km). Odometers don't roll back: 422 naming `odometer_km` for "
                         "a reading below one read earlier (or at the same instant) or above one read later, "
                         "naming `read_at` for an instant in the future."),
    Endpoint("GET", READINGS, list_odometer_readings, "listOdometerReadings",
             "A vehicle's odometer readings, newest first", TAG, response=OdometerReadingOut, paginated=True,
             tenant=True, description="Ordered by the instant read, newest first."),
    Endpoint("POST", ASSIGNMENTS, assign_vehicle, "assignVehicle", "Assign a vehicle to a driver", TAG, status=201,
             body=VehicleAssignmentBody, response=VehicleAssignmentOut, creates=True, tenant=True, errors=(403,),
             description="The driver drives this vehicle from now on (one at a time): its previous assignment "
                         "ends, and so does the vehicle's with another driver (a hand-over); the history is kept. "
                         "Sessions record the vehicle their driver drives when they start. 422 naming `vehicle_id` "
                         "for a vehicle that is not of the driver's fleet."),
    Endpoint("GET", ASSIGNMENTS, list_assignments, "listVehicleAssignments", "A driver's vehicles, newest first",
             TAG, response=VehicleAssignmentOut, paginated=True, tenant=True),
    Endpoint("DELETE", ASSIGNMENTS + "/current", unassign_vehicle, "unassignVehicle",
             "End a driver's current vehicle assignment", TAG, status=204, tenant=True, errors=(403,)),
    Endpoint("GET", "/api/v1/authorizations", list_authorizations, "listAuthorizations",
             "The authorization log, newest first", TAG, query=AuthorizationQuery, response=AuthorizationOut,
             paginated=True, tenant=True,
             description="Every decision on an id tag: Authorize, a transaction's start (StartTransaction, "
                         "TransactionEvent), the tag that stopped one, an operator's remote start; with the reason "
                         "of each refusal. A refusal also raises the event `authorization.refused`."),
]
