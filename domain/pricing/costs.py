"""A session's price as billed, and the meter readings the rating engine prices it from."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import frozen

from domain.charging import ChargingSession, MeterSample


@frozen
class SessionCost:
    """Rounded once per line (minor unit, half-up); ``breakdown`` is the explained cost, as JSON."""

    currency: str
    total_excl_vat: Decimal
    vat: Decimal
    total: Decimal
    breakdown: dict[str, Any]


def meter_readings(session: ChargingSession, samples: list[MeterSample],
                   until: datetime | None = None) -> list[tuple[datetime, Decimal]]:
    """The energy register over the session as ``(instant, Wh)``: strictly later instants, never running
    backwards (a reading below an earlier one is a meter glitch and is left out), from the meter start
    to the meter stop when the charge point reported them."""
    points: dict[datetime, Decimal] = {}
    if session.started_at is not None and session.meter_start_wh is not None:
        points[session.started_at] = session.meter_start_wh
    for sample in samples:
        if sample.normalised().is_energy_register:
            reading = sample.normalised()
            points[reading.timestamp] = max(points.get(reading.timestamp, reading.value), reading.value)
    if session.stopped_at is not None and session.meter_stop_wh is not None:
        points[session.stopped_at] = session.meter_stop_wh
    readings: list[tuple[datetime, Decimal]] = []
    for instant in sorted(points):
        if until is not None and instant > until:
            break
        if session.started_at is not None and instant < session.started_at:
            continue
        if session.stopped_at is not None and instant > session.stopped_at:
            continue
        if readings and points[instant] < readings[-1][1]:
            continue
        readings.append((instant, points[instant]))
    return readings
