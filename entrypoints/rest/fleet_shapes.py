"""Fleets' REST shapes (bodies, queries, views) as msgspec Structs: fleets and their policies, vehicles, who
drives what, and the authorization log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from domain.connector_types import CONNECTOR_TYPES, MAX_CONNECTOR_TYPE
from domain.fleets import (
    AuthorizationRecord,
    AuthorizationResult,
    ChargingPolicy,
    Fleet,
    Vehicle,
    VehicleAssignment,
)
from domain.fleets.odometer import OdometerReading
from domain.fleets.vehicles import MAX_MAKE, MAX_PLATE
from domain.fleets.vins import VIN_LENGTH
from entrypoints.rest.bodies import DriverBody
from entrypoints.rest.policy_shapes import PolicyBody
from entrypoints.rest.queries import Query
from entrypoints.rest.shapes import (
    MAX_ID,
    MAX_IDENTITY,
    PRINTABLE,
    UNIQUE,
    Body,
    Name,
    Timestamp,
    doc,
    quantity_field,
    text,
)
from entrypoints.rest.views import MoneyOut, View

# ---------------------------------------------------------------- bodies


class FleetBody(Body):
    """A fleet; a PUT replaces it."""

    name: Annotated[Name, doc("Display name of the fleet.", "Acme Deliveries")]
    customer_id: Annotated[Annotated[str, text(MAX_ID)] | None, doc(
        "The customer its drivers' sessions are billed to (`cus_…`); without one, the fleet is billed as a "
        "customer of its own, made the first time one of its sessions is billed.")] = None
    policy: Annotated[PolicyBody, doc("How its drivers may charge (a driver may carry its own instead).")] = \
        msgspec.field(default_factory=PolicyBody)


class VehicleBody(Body):
    """A vehicle of a fleet; a PUT replaces it."""

    fleet_id: Annotated[str, text(MAX_ID), doc("The fleet it belongs to (`flt_…`).")]
    vin: Annotated[str, text(VIN_LENGTH + 4, min_length=1), doc(
        "Vehicle identification number (ISO 3779, 17 characters without I, O, Q): its check digit (position 9) "
        "is checked where the region uses one (North America, China). Unique in the organization.",
        "1HGCM82633A004352")]
    make: Annotated[str, text(MAX_MAKE, min_length=1, pattern=PRINTABLE), doc("Manufacturer.", "Volkswagen")]
    model: Annotated[str, text(MAX_MAKE, min_length=1, pattern=PRINTABLE), doc("Model.", "ID.3")]
    battery_kwh: Annotated[Any, quantity_field("^[0-9]{1,5}(\\.[0-9]{1,3})?$", minimum=0, exclusive_minimum=True,
                                               maximum=10_000), doc(
        "Usable battery capacity in kWh: a JSON number or a decimal string.", "58")]
    connector_types: Annotated[list[Annotated[str, text(MAX_CONNECTOR_TYPE, choices=CONNECTOR_TYPES)]],
                               Meta(max_length=len(CONNECTOR_TYPES), extra_json_schema=UNIQUE), doc(
        "The plugs it takes (OCPI connector types).", ["IEC_62196_T2", "IEC_62196_T2_COMBO"])] = \
        msgspec.field(default_factory=list)
    licence_plate: Annotated[Annotated[str, text(MAX_PLATE, min_length=1, pattern=PRINTABLE)] | None,
                             doc("Its registration plate.", "AB12 CDE")] = None


class OdometerReadingBody(Body):
    """What a vehicle's odometer showed, and when."""

    odometer_km: Annotated[Any, quantity_field("^[0-9]{1,7}(\\.[0-9]{1,3})?$", minimum=0, maximum=9_999_999.999),
                           doc("The odometer in km (to the metre: at most 3 decimals), a JSON number or a decimal "
                               "string.", "48213.5")]
    read_at: Annotated[Timestamp | None, doc(
        "When it showed it (ISO 8601 with an offset; not in the future). Default: now.")] = None


class VehicleAssignmentBody(Body):
    """The vehicle a driver drives from now on."""

    vehicle_id: Annotated[str, text(MAX_ID), doc("A vehicle of the driver's fleet (`veh_…`).")]


class DriverUpdateBody(DriverBody):
    """A driver's details; a PUT replaces them."""

    active: Annotated[bool, doc("An inactive driver's tags are refused (Blocked).")] = True


# ---------------------------------------------------------------- queries


class VehicleQuery(Query):
    fleet_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                        doc("Only this fleet's vehicles (`flt_…`).")] = None


class DriverQuery(Query):
    fleet_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                        doc("Only this fleet's drivers (`flt_…`).")] = None


class AuthorizationQuery(Query):
    driver_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                         doc("Only decisions on this driver's tags (`drv_…`).")] = None
    fleet_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                        doc("Only decisions on this fleet's drivers (`flt_…`).")] = None
    charge_point_id: Annotated[Annotated[str, text(MAX_IDENTITY, min_length=1)] | None,
                               doc("Only decisions this charge point asked for.")] = None
    result: Annotated[AuthorizationResult | None, doc("`accepted` or `refused`.")] = None


# ---------------------------------------------------------------- views


class TimeWindowOut(View):
    days: list[str]
    start: Annotated[str, doc("Local time `HH:MM`.")]
    end: Annotated[str, doc("Local time `HH:MM` (exclusive; at or before `start`: the next day).")]


class PolicyOut(View, omit_defaults=True):
    """A charging policy; fields left out are no limit."""

    allowed_location_ids: list[str] | None = None
    time_windows: list[TimeWindowOut] | None = None
    max_kwh_per_session: Annotated[str | None, doc("kWh, a decimal string.")] = None
    max_kwh_per_day: Annotated[str | None, doc("kWh, a decimal string.")] = None
    max_spend_per_month: MoneyOut | None = None
    allowed_connector_types: list[str] | None = None

    @classmethod
    def of(cls, policy: ChargingPolicy) -> PolicyOut:
        return msgspec.convert(policy.to_json(), cls)


class FleetOut(View):
    id: str
    name: str
    customer_id: Annotated[str | None, doc("The customer it names (null: it is billed as a customer of its own, "
                                           "listed in /customers with its `fleet_id`).")]
    policy: PolicyOut
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, fleet: Fleet) -> FleetOut:
        return cls(fleet.id, fleet.name, fleet.customer_id, PolicyOut.of(fleet.policy), fleet.created_at,
                   fleet.updated_at)


class VehicleOut(View):
    id: str
    fleet_id: str
    vin: Annotated[str, doc("Upper case, as stored.")]
    make: str
    model: str
    battery_kwh: Annotated[str, doc("kWh, a decimal string.")]
    connector_types: list[str]
    licence_plate: str | None
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, v: Vehicle) -> VehicleOut:
        return cls(v.id, v.fleet_id, v.vin, v.make, v.model, format(v.battery_kwh, "f"), list(v.connector_types),
                   v.licence_plate, v.created_at, v.updated_at)


class OdometerReadingOut(View):
    id: str
    vehicle_id: str
    odometer_km: Annotated[str, doc("km to the metre, a decimal string with three places.", "48213.500")]
    read_at: Annotated[datetime, doc("When the odometer showed it.")]
    recorded_at: Annotated[datetime, doc("When it was recorded.")]

    @classmethod
    def of(cls, r: OdometerReading) -> OdometerReadingOut:
        return cls(r.id, r.vehicle_id, format(r.odometer_km, "f"), r.read_at, r.recorded_at)


class VehicleAssignmentOut(View):
    id: str
    driver_id: str
    vehicle_id: str
    assigned_at: datetime
    ended_at: Annotated[datetime | None, doc("Null while the driver drives it.")]

    @classmethod
    def of(cls, a: VehicleAssignment) -> VehicleAssignmentOut:
        return cls(a.id, a.driver_id, a.vehicle_id, a.assigned_at, a.ended_at)


class AuthorizationOut(View):
    """One decision on an id tag a charge point (or an operator's remote start) asked about."""

    id: str
    at: datetime
    charge_point_id: str
    id_tag: str
    driver_id: Annotated[str | None, doc("The driver holding the tag, if any.")]
    fleet_id: Annotated[str | None, doc("The driver's fleet then.")]
    result: AuthorizationResult
    reason: Annotated[str | None, doc(
        "Why it was refused: unknown_id_tag, driver_deactivated, connector_reserved, location_not_allowed, "
        "connector_type_not_allowed, outside_time_windows, daily_energy_limit_reached, "
        "monthly_spend_limit_reached; null when accepted.")]
    detail: Annotated[str | None, doc("The reason in words (the window, the limit, what was used).")]
    status: Annotated[str, doc("The status answered, in OCPP 2.0.1's words (`Reserved`: the connector was held for "
                               "another tag); 1.6 charge points were told Accepted, Blocked or Invalid.")]
    trigger: Annotated[str, doc("Authorize, StartTransaction, StopTransaction, TransactionEvent or RemoteStart.")]
    vehicle_id: str | None
    location_id: str | None
    connector_id: int | None

    @classmethod
    def of(cls, r: AuthorizationRecord) -> AuthorizationOut:
        return cls(r.id, r.at, r.charge_point_id, r.id_tag, r.driver_id, r.fleet_id, r.result,
                   r.reason.value if r.reason else None, r.detail, r.status.value, r.trigger.value, r.vehicle_id,
                   r.location_id, r.connector_id)
