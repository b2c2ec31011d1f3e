"""A completed session as reports count it: where (in which time zone), when, how much energy, how long
charging and how long idle, and what the ledger booked for it.

Facts are integers (milliwatt-hours, microseconds, minor units) so that both databases add them exactly;
each carries the local calendar of its location (the zone is the location's, which never changes) so a
report buckets by local date and hour with plain GROUP BY on either engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from domain.charging import ChargingSession, SessionStatus
from domain.errors import InvalidInput
from domain.reports.calendar import day_pieces, micros
from domain.tariffs import profile_from_meter_values, quote_profile


@frozen
class SessionRevenue:
    """What the ledger credited to charging revenue for the session (its net), and when it was posted."""

    currency: str
    net_minor: int
    posted_at: datetime


@frozen
class SessionFact:
    organization_id: str
    session_id: str
    location_id: str
    charge_point_id: str
    evse_id: int                 # 0 when the charge point did not say
    connector_id: int            # 0 when the charge point did not say
    driver_id: str | None
    tariff_id: str | None
    timezone: str                # the location's IANA zone
    started_at: datetime
    stopped_at: datetime
    energy_mwh: int
    charging_us: int
    idle_us: int
    revenue: SessionRevenue | None = None
    fleet_id: str | None = None      # the fleet and vehicle the session recorded at its start
    vehicle_id: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def started_us(self) -> int:
        return micros(self.started_at)

    @property
    def stopped_us(self) -> int:
        return max(micros(self.stopped_at), self.started_us)

    @property
    def duration_us(self) -> int:
        return self.stopped_us - self.started_us

    @property
    def local_start(self) -> datetime:
        return self.started_at.astimezone(self.zone)

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def local_hour(self) -> int:
        return self.local_start.hour

    @property
    def weekday(self) -> int:
        """ISO weekday of the local start: 1 is Monday, 7 Sunday."""
        return self.local_start.isoweekday()

    def occupancy(self) -> list[tuple[date, int]]:
        """The connector's occupied time, cut at the location's local midnights: ``(local date, µs)``."""
        return day_pieces(self.started_at, self.stopped_at, self.zone)


def energy_mwh(session: ChargingSession) -> int:
    """The session's energy in milliwatt-hours, rounded half-up (a meter reports at most to the Wh)."""
    return int((session.energy_wh * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def usage_times(session: ChargingSession, readings: Sequence[tuple[datetime, Decimal]]) -> tuple[int, int]:
    """``(charging, idle)`` microseconds of a completed session: energy flowing, or plugged in without.

    The rating engine's reading of the meter (``profile_from_meter_values``), whatever the tariff: a stretch
    between readings in which the register moved is charging, the rest (before the first reading, after the
    last, and where it stood still) idle. Without readings, the whole stay charges when energy was delivered.
    """
    if session.started_at is None or session.stopped_at is None:
        return 0, 0
    duration = max(micros(session.stopped_at) - micros(session.started_at), 0)
    if duration == 0:
        return 0, 0
    try:
        if readings:
            profile = profile_from_meter_values(readings, start=min(session.started_at, readings[0][0]),
                                                end=max(session.stopped_at, readings[-1][0]))
        else:
            profile = quote_profile(session.started_at, session.stopped_at, session.energy_kwh)
    except InvalidInput:   # a stay longer than any session (a charge point's clock gone wrong)
        return (duration, 0) if session.energy_wh > 0 else (0, duration)
    charging = min(profile.charging_us, duration)
    return charging, duration - charging


def fact_of(session: ChargingSession, *, location_id: str, timezone: str,
            readings: Sequence[tuple[datetime, Decimal]], revenue: SessionRevenue | None = None) -> SessionFact | None:
    """The session's fact, or None while it is not completed (or its start or stop is unknown)."""
    if session.status is not SessionStatus.COMPLETED or session.started_at is None or session.stopped_at is None:
        return None
    charging, idle = usage_times(session, readings)
    return SessionFact(
        organization_id=session.organization_id, session_id=session.id, location_id=location_id,
        charge_point_id=session.charge_point_id, evse_id=session.evse_id or 0, connector_id=session.connector_id or 0,
        driver_id=session.driver_id, tariff_id=session.tariff_id, timezone=timezone, started_at=session.started_at,
        stopped_at=session.stopped_at, energy_mwh=energy_mwh(session), charging_us=charging, idle_us=idle,
        revenue=revenue, fleet_id=session.fleet_id, vehicle_id=session.vehicle_id)
