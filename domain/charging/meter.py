"""Meter samples as charge points report them (OCPP SampledValue), normalised to Wh/W/A where known."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"

# Units OCPP allows for the measurands we compute with, and the factor to our base unit.
_SCALE = {"Wh": Decimal(1), "kWh": Decimal(1000), "W": Decimal(1), "kW": Decimal(1000), "A": Decimal(1)}
_BASE_UNIT = {"Wh": "Wh", "kWh": "Wh", "W": "W", "kW": "W", "A": "A"}


@frozen
class MeterSample:
    timestamp: datetime
    measurand: str
    value: Decimal
    unit: str | None = None
    phase: str | None = None
    context: str | None = None
    location: str | None = None

    @property
    def key(self) -> tuple[datetime, str, str | None, str | None]:
        """Two samples with this key are the same reading (a retried or replayed message)."""
        return (self.timestamp, self.measurand, self.phase, self.location)

    def normalised(self) -> MeterSample:
        """The same reading in Wh, W or A (so a kWh register and a Wh register compare)."""
        if self.unit in _SCALE and self.unit != _BASE_UNIT[self.unit]:
            return MeterSample(self.timestamp, self.measurand, self.value * _SCALE[self.unit], _BASE_UNIT[self.unit],
                               self.phase, self.context, self.location)
        return self

    @property
    def is_energy_register(self) -> bool:
        # A phase-less reading is the total; per-phase registers would count energy three times.
        return self.measurand == ENERGY_REGISTER and self.phase is None and (self.location in (None, "Outlet"))
