"""Tariffs (OCPI 2.2.1 model, versioned), their assignment to charge points and locations, and quotes."""

from __future__ import annotations

from application.pagination import Page
from application.tariffs import Quote
from domain.errors import InvalidInput
from entrypoints.rest.bodies import QuoteBody, TariffAssignmentBody, TariffBody
from entrypoints.rest.decoding import quantity
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import CostBreakdownOut, TariffAssignmentOut, TariffDetailOut, TariffOut

TAG = "Tariffs"
PATH = "/api/v1/tariffs"

_FIELDS = ("An OCPI 2.2.1 tariff. 422 names the field at fault with its path "
           "(`elements[0].price_components[1].price`): the first fault of type or shape (unknown fields are "
           "refused), else every rule the rating engine's parser finds broken. Prices are decimal strings (a JSON "
           "number is refused); `vat` and the restrictions' quantities take a JSON number or a decimal string, "
           "read exactly; `currency` is an ISO 4217 code, times of day `HH:MM`.")


async def create_tariff(call: Call) -> TariffDetailOut:
    body: TariffBody = call.body
    record = await call.use_cases.create_tariff(body.document(), call.caller, call.organization_id)
    return TariffDetailOut.of_detail(record)


async def list_tariffs(call: Call) -> Page[TariffOut]:
    page = await call.use_cases.list_tariffs(call.caller, call.organization_id, call.page)
    return page.map(TariffOut.of)


async def get_tariff(call: Call) -> TariffDetailOut:
    record = await call.use_cases.get_tariff(call.ids["tariff_id"], call.caller, call.organization_id)
    return TariffDetailOut.of_detail(record)


async def update_tariff(call: Call) -> TariffDetailOut:
    body: TariffBody = call.body
    record = await call.use_cases.update_tariff(call.ids["tariff_id"], body.document(), call.caller,
                                                call.organization_id)
    return TariffDetailOut.of_detail(record)


async def quote(call: Call) -> CostBreakdownOut:
    body: QuoteBody = call.body
    readings = []
    for i, m in enumerate(body.meter_values):
        value_wh = quantity(m.value_wh, f"meter_values[{i}].value_wh")
        if value_wh is None:  # the field is required, but its schema (a number or a string) lets null through
            raise InvalidInput.field(f"meter_values[{i}].value_wh", "must be a reading in Wh, not null")
        readings.append((m.timestamp, value_wh))
    request = Quote(start=body.start, end=body.end, energy_kwh=quantity(body.energy_kwh, "energy_kwh"),
                    max_power_kw=quantity(body.max_power_kw, "max_power_kw"),
                    location_timezone=body.location_timezone, meter_values=tuple(readings))
    breakdown = await call.use_cases.quote(call.ids["tariff_id"], request, call.caller, call.organization_id)
    return CostBreakdownOut.of(breakdown.to_json())


async def assign_to_charge_point(call: Call) -> TariffAssignmentOut:
    body: TariffAssignmentBody = call.body
    await call.use_cases.assign_tariff_to_charge_point(call.ids["charge_point_id"], body.tariff_id, call.caller,
                                                       call.organization_id)
    return TariffAssignmentOut(body.tariff_id)


async def assign_to_location(call: Call) -> TariffAssignmentOut:
    body: TariffAssignmentBody = call.body
    await call.use_cases.assign_tariff_to_location(call.ids["location_id"], body.tariff_id, call.caller,
                                                   call.organization_id)
    return TariffAssignmentOut(body.tariff_id)


_ASSIGN = ("Sessions are priced by the charge point's tariff, else its location's, else the organization's "
           "default (`settings.default_tariff_id`); the choice is made when a session starts. `tariff_id: null` "
           "clears it. 422 naming `tariff_id` for a tariff that is not the organization's.")

ENDPOINTS = [
    Endpoint("POST", PATH, create_tariff, "createTariff", "Create a tariff", TAG, status=201, body=TariffBody,
             response=TariffDetailOut, creates=True, tenant=True, errors=(403,), description=_FIELDS),
    Endpoint("GET", PATH, list_tariffs, "listTariffs", "List tariffs", TAG, response=TariffOut, paginated=True,
             tenant=True, description="Each as its current version has it."),
    Endpoint("GET", PATH + "/{tariff_id}", get_tariff, "getTariff", "Get a tariff", TAG, response=TariffDetailOut,
             tenant=True, description="The current version, and the list of versions (`versions`)."),
    Endpoint("PUT", PATH + "/{tariff_id}", update_tariff, "updateTariff", "Update a tariff (a new version)", TAG,
             body=TariffBody, response=TariffDetailOut, tenant=True, errors=(403,),
             description="Replaces the tariff with a new version, valid from now: sessions already started keep "
                         "the version they started with. " + _FIELDS),
    Endpoint("POST", PATH + "/{tariff_id}/quote", quote, "quoteTariff", "Quote a session", TAG, body=QuoteBody,
             response=CostBreakdownOut, tenant=True,
             description="What a session would cost: `energy_kwh` delivered at constant power (`max_power_kw`, "
                         "else spread over `start`..`end`), or the energy register's `meter_values`. Times of day "
                         "are read in `location_timezone` (default: the organization's). The same shape as a "
                         "session's cost breakdown. 422 naming `energy_kwh` when neither is given, `end` when the "
                         "quote spans more than 366 days."),
    Endpoint("PUT", "/api/v1/charge-points/{charge_point_id}/tariff", assign_to_charge_point,
             "assignChargePointTariff", "Assign a tariff to a charge point", TAG, body=TariffAssignmentBody,
             response=TariffAssignmentOut, tenant=True, errors=(403,), description=_ASSIGN),
    Endpoint("PUT", "/api/v1/locations/{location_id}/tariff", assign_to_location, "assignLocationTariff",
             "Assign a tariff to a location", TAG, body=TariffAssignmentBody, response=TariffAssignmentOut,
             tenant=True, errors=(403,), description=_ASSIGN),
]
