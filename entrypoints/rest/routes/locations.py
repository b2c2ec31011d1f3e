"""Locations: the sites where charge points stand, in the caller's organization."""

from __future__ import annotations

from decimal import Decimal

from application.network import CreateLocation
from application.pagination import Page
from entrypoints.rest.bodies import LocationBody
from entrypoints.rest.decoding import quantity
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import LocationOut

TAG = "Locations"
PATH = "/api/v1/locations"


# A client's double (51.507200000000003) is read as it was sent: 17 significant digits, so 20 decimals
# cover any coordinate not within a thousandth of a degree of 0; past that it is a mistake.
COORDINATE_DECIMALS = 20


def _coordinate(value: object, name: str) -> Decimal | None:
    return quantity(value, name, allow_negative=True, max_decimals=COORDINATE_DECIMALS)


async def create_location(call: Call) -> LocationOut:
    body: LocationBody = call.body
    cmd = CreateLocation(name=body.name, address=body.address, city=body.city, country=body.country,
                         timezone=body.timezone, latitude=_coordinate(body.latitude, "latitude"),
                         longitude=_coordinate(body.longitude, "longitude"),
                         site_owner_id=body.site_owner_id, project_id=body.project_id)
    location = await call.use_cases.create_location(cmd, call.caller, call.organization_id)
    return LocationOut.of(location)


async def list_locations(call: Call) -> Page[LocationOut]:
    page = await call.use_cases.list_locations(call.caller, call.organization_id, call.page)
    return page.map(LocationOut.of)


async def get_location(call: Call) -> LocationOut:
    location = await call.use_cases.get_location(call.ids["location_id"], call.caller, call.organization_id)
    return LocationOut.of(location)


ENDPOINTS = [
    Endpoint("POST", PATH, create_location, "createLocation", "Create a location", TAG, status=201,
             body=LocationBody, response=LocationOut, creates=True, tenant=True, errors=(403,),
             description="`latitude` and `longitude` come together, as JSON numbers or decimal strings; "
                         "they are answered as numbers."),
    Endpoint("GET", PATH, list_locations, "listLocations", "List locations", TAG, response=LocationOut,
             paginated=True, tenant=True),
    Endpoint("GET", PATH + "/{location_id}", get_location, "getLocation", "Get a location", TAG,
             response=LocationOut, tenant=True),
]
