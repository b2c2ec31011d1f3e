"""Drivers and their id tags: who may charge on the organization's charge points."""

from __future__ import annotations

from application.drivers import CreateDriver
from application.pagination import Page
from entrypoints.rest.bodies import DriverBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import DriverOut

TAG = "Drivers"
PATH = "/api/v1/drivers"


async def create_driver(call: Call) -> DriverOut:
    body: DriverBody = call.body
    cmd = CreateDriver(name=body.name, email=body.email, fleet_id=body.fleet_id, id_tags=tuple(body.id_tags),
                       customer_id=body.customer_id)
    driver = await call.use_cases.create_driver(cmd, call.caller, call.organization_id)
    return DriverOut.of(driver)


async def list_drivers(call: Call) -> Page[DriverOut]:
    page = await call.use_cases.list_drivers(call.caller, call.organization_id, call.page)
    return page.map(DriverOut.of)


async def get_driver(call: Call) -> DriverOut:
    driver = await call.use_cases.get_driver(call.ids["driver_id"], call.caller, call.organization_id)
    return DriverOut.of(driver)


ENDPOINTS = [
    Endpoint("POST", PATH, create_driver, "createDriver", "Create a driver", TAG, status=201, body=DriverBody,
             response=DriverOut, creates=True, tenant=True, errors=(403, 409),
             description="An id tag presented by a charge point authorizes when it belongs to an active driver "
                         "of the charge point's organization. 409 when one of `id_tags` already belongs to "
                         "another driver of the organization."),
    Endpoint("GET", PATH, list_drivers, "listDrivers", "List drivers", TAG, response=DriverOut, paginated=True,
             tenant=True),
    Endpoint("GET", PATH + "/{driver_id}", get_driver, "getDriver", "Get a driver", TAG, response=DriverOut,
             tenant=True),
]
