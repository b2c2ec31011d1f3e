"""Drivers and their id tags: who may charge on the organization's charge points."""

from __future__ import annotations

from application.drivers import CreateDriver
from application.pagination import Page
from entrypoints.rest.bodies import DriverBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.fleet_shapes import DriverQuery, DriverUpdateBody
from entrypoints.rest.views import DriverOut

TAG = "Drivers"
PATH = "/api/v1/drivers"


def _driver(body: DriverBody, active: bool = True) -> CreateDriver:
    return CreateDriver(name=body.name, email=body.email, fleet_id=body.fleet_id, id_tags=tuple(body.id_tags),
                        customer_id=body.customer_id,
                        policy=body.policy.document() if body.policy is not None else None, active=active)


async def create_driver(call: Call) -> DriverOut:
    driver = await call.use_cases.create_driver(_driver(call.body), call.caller, call.organization_id)
    return DriverOut.of(driver)


async def update_driver(call: Call) -> DriverOut:
    body: DriverUpdateBody = call.body
    driver = await call.use_cases.update_driver(call.ids["driver_id"], _driver(body, body.active), call.caller,
                                                call.organization_id)
    return DriverOut.of(driver)


async def list_drivers(call: Call) -> Page[DriverOut]:
    q: DriverQuery = call.query
    page = await call.use_cases.list_drivers(call.caller, call.organization_id, call.page, q.fleet_id)
    return page.map(DriverOut.of)


async def get_driver(call: Call) -> DriverOut:
    driver = await call.use_cases.get_driver(call.ids["driver_id"], call.caller, call.organization_id)
    return DriverOut.of(driver)


ENDPOINTS = [
    Endpoint("POST", PATH, create_driver, "createDriver", "Create a driver", TAG, status=201, body=DriverBody,
             response=DriverOut, creates=True, tenant=True, errors=(403, 409),
             description="An id tag presented by a charge point authorizes when it belongs to an active driver "
                         "of the charge point's organization and the driver's charging policy (its own, else its "
                         "fleet's) allows it there and then. 409 when one of `id_tags` already belongs to "
                         "another driver of the organization; 422 naming `fleet_id` for a fleet that is not the "
                         "organization's."),
    Endpoint("GET", PATH, list_drivers, "listDrivers", "List drivers", TAG, query=DriverQuery, response=DriverOut,
             paginated=True, tenant=True),
    Endpoint("GET", PATH + "/{driver_id}", get_driver, "getDriver", "Get a driver", TAG, response=DriverOut,
             tenant=True),
    Endpoint("PUT", PATH + "/{driver_id}", update_driver, "updateDriver", "Replace a driver", TAG,
             body=DriverUpdateBody, response=DriverOut, tenant=True, errors=(403, 409),
             description="Replaces its details; `active: false` refuses its tags (Blocked). Moved to another fleet, "
                         "it stops driving its old fleet's vehicle. 422 naming `fleet_id` or `customer_id` for one "
                         "that is not the organization's, and the `policy` fields as for a fleet's."),
]
