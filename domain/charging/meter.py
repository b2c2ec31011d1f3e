"""Meter samples as charge points report them (OCPP SampledValue), normalised to Wh/W/A where known,
and the one rule that says whether the energy register could physically have moved between two readings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen

from domain.charging.quantities import MAX_POWER_W

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"

# Units OCPP allows for the measurands we compute with, and the factor to our base unit.
_SCALE = {"Wh": Decimal(1), "kWh": Decimal(1000), "W": Decimal(1), "kW": Decimal(1000), "A": Decimal(1)}
_BASE_UNIT = {"Wh": "Wh", "kWh": "Wh", "W": "W", "kW": "W", "A": "A"}
_SECONDS_PER_HOUR = Decimal(3600)
# Timestamps come in whole seconds from many charge points: two readings a second apart may be
# almost two seconds apart in truth, so no step is judged over less than this.
_MIN_STEP_SECONDS = Decimal(2)


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


@frozen
class MeterSummary:
    """What a charge point metered over a session, as operators read it (REST and gRPC alike)."""

    samples: int
    first_reading_at: datetime | None
    last_reading_at: datetime | None
    max_power_kw: Decimal | None        # the highest total active power reported; None when none was

    @classmethod
    def of(cls, samples: list[MeterSample]) -> MeterSummary:
        timestamps = [s.timestamp for s in samples]
        power = [s.normalised().value for s in samples
                 if s.measurand == POWER and s.phase is None and s.normalised().unit in ("W", None)]
        return cls(len(samples), min(timestamps, default=None), max(timestamps, default=None),
                   max(power) / 1000 if power else None)


@frozen
class Reading:
    """The energy register at an instant."""

    timestamp: datetime
    wh: Decimal


@frozen
class Anomaly:
    """A reading the session did not count, and why: the operator sees it; the bill never does."""

    at: datetime
    kind: str            # "register_backwards" | "energy_jump"
    detail: str


def implausible_step(earlier: Reading, later: Reading) -> Anomaly | None:
    """Why the register cannot have gone from ``earlier`` to ``later`` (the later instant), or None.

    A register never runs backwards, and never gains more than the most powerful charger
    (``MAX_POWER_W``) could deliver in the time between the two readings.
    """
    gained = later.wh - earlier.wh
    if gained < 0:
        return Anomaly(later.timestamp, "register_backwards",
                       f"the energy register went back from {earlier.wh} Wh to {later.wh} Wh")
    seconds = max(Decimal((later.timestamp - earlier.timestamp).total_seconds()), _MIN_STEP_SECONDS)
    if gained * _SECONDS_PER_HOUR > MAX_POWER_W * seconds:
        return Anomaly(later.timestamp, "energy_jump",
                       f"the energy register gained {gained} Wh in {seconds} s, more than "
                       f"{MAX_POWER_W / 1_000_000} MW can deliver")
    return None


def plausible_readings(readings: list[Reading]) -> list[Reading]:
    """The readings (in time order) the register can have shown: each checked against the last one kept."""
    kept: list[Reading] = []
    for reading in readings:
        if kept and (reading.timestamp == kept[-1].timestamp or implausible_step(kept[-1], reading) is not None):
            continue
        kept.append(reading)
    return kept
