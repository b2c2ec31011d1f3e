"""A fleet's vehicles, and which driver drives which: one current vehicle per driver, the history kept."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import define

from domain.connector_types import connector_types_problems
from domain.errors import FieldErrors, InvalidInput, InvalidState
from domain.fleets.vins import vin_problem
from domain.ids import is_id
from domain.money import parse_decimal
from domain.validation import name_problem, text_problem

MAX_BATTERY_KWH = Decimal(10_000)      # a truck's pack is a few hundred kWh; this only stops nonsense
MAX_PLATE = 20
MAX_MAKE = 100


@define
class Vehicle:
    id: str
    organization_id: str
    fleet_id: str
    vin: str                                 # normalized (upper case), unique in the organization
    make: str
    model: str
    battery_kwh: Decimal
    created_at: datetime
    connector_types: tuple[str, ...] = ()    # the plugs it takes (OCPI connector types)
    licence_plate: str | None = None
    updated_at: datetime | None = None

    @property
    def label(self) -> str:
        return vehicle_label(self.make, self.model, self.licence_plate, self.vin)

    @staticmethod
    def validate(*, fleet_id: object, vin: object, make: object, model: object, battery_kwh: object,
                 connector_types: object, licence_plate: object) -> Decimal:
        """Checks every field, naming each at fault; answers the battery capacity read exactly."""
        errors = FieldErrors()
        errors.check("fleet_id", isinstance(fleet_id, str) and is_id(fleet_id, "flt"), "must be a fleet id (flt_…)")
        problem = vin_problem(vin)
        if problem:
            errors.add("vin", problem)
        for name, value in (("make", make), ("model", model)):
            problem = name_problem(value, MAX_MAKE)
            if problem:
                errors.add(name, problem)
        battery = None
        try:
            battery = parse_decimal(battery_kwh, "battery_kwh", max_decimals=3, numbers=True,
                                    maximum=MAX_BATTERY_KWH)
            errors.check("battery_kwh", battery > 0, "must be above 0 kWh")
        except InvalidInput as error:
            errors.errors.extend(error.errors)
        for field, message in connector_types_problems(connector_types, "connector_types"):
            errors.add(field, message)
        if licence_plate is not None:
            problem = text_problem(licence_plate, MAX_PLATE)
            if problem:
                errors.add("licence_plate", problem)
        errors.raise_if_any()
        assert battery is not None
        return battery


@define
class VehicleAssignment:
    """A driver drove a vehicle from ``assigned_at`` until ``ended_at`` (None: still does)."""

    id: str
    organization_id: str
    driver_id: str
    vehicle_id: str
    assigned_at: datetime
    ended_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.ended_at is None

    def end(self, at: datetime) -> None:
        if self.ended_at is not None:
            raise InvalidState(f"assignment {self.id} has ended already")
        self.ended_at = max(at, self.assigned_at)


def vehicle_label(make: str, model: str, licence_plate: str | None, vin: str) -> str:
    """What people call a vehicle in a report: make and model, and its plate (its VIN when it has none)."""
    return f"{make} {model} ({licence_plate or vin})"
