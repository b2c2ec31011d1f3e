"""A session's price as billed, and the meter readings the rating engine prices it from."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen

from domain.charging import ChargingSession, MeterSample
from domain.charging.meter import Reading, plausible_readings
from domain.tariffs import CostBreakdown


@frozen
class SessionCost:
    """What the session is billed: the totals (rounded once per line, minor unit, half-up) and the
    breakdown that explains them, line by line and period by period."""

    currency: str
    total_excl_vat: Decimal
    vat: Decimal
    total: Decimal
    breakdown: CostBreakdown

    @classmethod
    def of(cls, breakdown: CostBreakdown) -> SessionCost:
        billed = breakdown.rounded().detached()
        return cls(billed.currency, billed.total_excl_vat, billed.vat, billed.total, billed)


def meter_readings(session: ChargingSession, samples: list[MeterSample],
                   until: datetime | None = None) -> list[tuple[datetime, Decimal]]:
    """The energy register over the session as ``(instant, Wh)``, strictly later instants, from the
    meter start to the meter stop when the charge point reported them: only readings the register can
    have shown (``plausible_readings``: it never runs backwards, never gains more than a charger can
    deliver), so a glitch or a forged value is never billed."""
    points: dict[datetime, Decimal] = {}
    if session.started_at is not None and session.meter_start_wh is not None:
        points[session.started_at] = session.meter_start_wh
    for sample in samples:
        reading = sample.normalised()
        if reading.is_energy_register:
            points[reading.timestamp] = max(points.get(reading.timestamp, reading.value), reading.value)
    if session.stopped_at is not None and session.meter_stop_wh is not None:
        points[session.stopped_at] = session.meter_stop_wh
    ordered = []
    for instant in sorted(points):
        if until is not None and instant > until:
            break
        if session.started_at is not None and instant < session.started_at:
            continue
        if session.stopped_at is not None and instant > session.stopped_at:
            continue
        ordered.append(Reading(instant, points[instant]))
    return [(r.timestamp, r.wh) for r in plausible_readings(ordered)]
