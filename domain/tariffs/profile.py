"""What happened in a session, as the rating engine reads it: charging and parking periods over time."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from attrs import field, frozen

from domain.errors import FieldError, InvalidInput
from domain.tariffs.breakdown import PeriodKind
from domain.tariffs.localtime import to_us

_ZERO = Decimal(0)
MAX_SESSION_SPAN = timedelta(days=366)
_ONE_US = timedelta(microseconds=1)


def _derive(instance: object, **values: object) -> None:
    for name, value in values.items():
        object.__setattr__(instance, name, value)  # frozen: derived fields are set once, at creation


def _as_utc(value: object, name: str) -> datetime:
    """Aware instants are kept in UTC: Python subtracts and compares datetimes that share a zone on
    the wall clock, which is an hour off across a DST change."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput.field(name, "must be a timezone-aware date-time")
    return value.astimezone(UTC)


def _start(value: object) -> datetime:
    return _as_utc(value, "start")


def _end(value: object) -> datetime:
    return _as_utc(value, "end")


def _reservation_start(value: object) -> datetime:
    return _as_utc(value, "reservation.start")


def _reservation_end(value: object) -> datetime:
    return _as_utc(value, "reservation.end")


def _periods(value: Iterable[ChargingPeriod]) -> tuple[ChargingPeriod, ...]:
    return tuple(value)


def _quantity(name: str, *, optional: bool):  # type: ignore[no-untyped-def]
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise InvalidInput.field(name, "must be a non-negative Decimal (never a float)")
    return check


@frozen
class ChargingPeriod:
    """A stretch of the session at constant power; ``charging=False`` is parking (no energy drawn).

    ``duration`` is the time billed as TIME or PARKING_TIME when it differs from ``end - start``:
    OCPI CDRs state it per period. ``max_power_kw`` defaults to the period's average power when the
    engine needs it; ``max_current_a`` cannot be derived, so current restrictions pass when it is absent.
    """

    start: datetime = field(converter=_start)
    end: datetime = field(converter=_end)
    energy_kwh: Decimal = field(default=_ZERO, validator=_quantity("energy_kwh", optional=False))
    charging: bool = True
    max_power_kw: Decimal | None = field(default=None, validator=_quantity("max_power_kw", optional=True))
    max_current_a: Decimal | None = field(default=None, validator=_quantity("max_current_a", optional=True))
    duration: timedelta | None = None
    # Derived once here so that rating, which may run many times per profile, is integer arithmetic.
    kind: PeriodKind = field(init=False, eq=False, repr=False, default=PeriodKind.CHARGING)
    start_us: int = field(init=False, eq=False, repr=False, default=0)
    end_us: int = field(init=False, eq=False, repr=False, default=0)
    billable: timedelta = field(init=False, eq=False, repr=False, default=timedelta(0))
    billable_us: int = field(init=False, eq=False, repr=False, default=0)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput.field("end", "must not be before start")
        if not self.charging and self.energy_kwh != 0:
            raise InvalidInput.field("energy_kwh", "a parking period draws no energy")
        if self.duration is not None and self.duration < timedelta(0):
            raise InvalidInput.field("duration", "must not be negative")
        billable = self.end - self.start if self.duration is None else self.duration  # both UTC
        _derive(self, kind=PeriodKind.CHARGING if self.charging else PeriodKind.PARKING,
                start_us=to_us(self.start), end_us=to_us(self.end), billable=billable,
                billable_us=billable // _ONE_US)

    @classmethod
    def measured(cls, start: datetime, end: datetime, energy_kwh: Decimal, start_us: int | None = None,
                 end_us: int | None = None) -> ChargingPeriod:
        """A period between two meter readings already checked (UTC, ``end`` after ``start``, the register
        not running backwards): built without checking them again, which is most of a profile's cost.
        Charging when energy was drawn, else parking; equal to ``ChargingPeriod(start, end, energy_kwh,
        charging=energy_kwh > 0)``. ``start_us`` and ``end_us``, when the caller has them, are
        ``to_us(start)`` and ``to_us(end)`` (each reading starts one period and ends another)."""
        period = object.__new__(cls)
        charging = energy_kwh > 0
        start_us = to_us(start) if start_us is None else start_us
        end_us = to_us(end) if end_us is None else end_us
        # Each field set through its slot directly (the class is frozen, and this is a profile's hot path).
        _SET_START(period, start)
        _SET_END(period, end)
        _SET_ENERGY(period, energy_kwh)
        _SET_CHARGING(period, charging)
        _SET_MAX_POWER(period, None)
        _SET_MAX_CURRENT(period, None)
        _SET_DURATION(period, None)
        _SET_KIND(period, PeriodKind.CHARGING if charging else PeriodKind.PARKING)
        _SET_START_US(period, start_us)
        _SET_END_US(period, end_us)
        _SET_BILLABLE(period, end - start)
        _SET_BILLABLE_US(period, end_us - start_us)   # both whole microseconds since the epoch
        return period


# ChargingPeriod.measured's setters: each slot's own, so that setting a field skips the attribute lookup.
(_SET_START, _SET_END, _SET_ENERGY, _SET_CHARGING, _SET_MAX_POWER, _SET_MAX_CURRENT, _SET_DURATION, _SET_KIND,
 _SET_START_US, _SET_END_US, _SET_BILLABLE, _SET_BILLABLE_US) = (
    vars(ChargingPeriod)[name].__set__ for name in (
        "start", "end", "energy_kwh", "charging", "max_power_kw", "max_current_a", "duration", "kind", "start_us",
        "end_us", "billable", "billable_us"))


@frozen
class Reservation:
    """The time a connector was held for the driver before the session; ``expired``: they never came."""

    start: datetime = field(converter=_reservation_start)
    end: datetime = field(converter=_reservation_end)
    expired: bool = False
    # The same derived attributes as ChargingPeriod, so the engine walks both alike.
    kind: PeriodKind = field(init=False, eq=False, repr=False, default=PeriodKind.RESERVATION)
    start_us: int = field(init=False, eq=False, repr=False, default=0)
    end_us: int = field(init=False, eq=False, repr=False, default=0)
    billable: timedelta = field(init=False, eq=False, repr=False, default=timedelta(0))
    billable_us: int = field(init=False, eq=False, repr=False, default=0)
    energy_kwh: Decimal = field(init=False, eq=False, repr=False, default=_ZERO)
    max_power_kw: None = field(init=False, eq=False, repr=False, default=None)
    max_current_a: None = field(init=False, eq=False, repr=False, default=None)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput.field("reservation.end", "must not be before reservation.start")
        billable = self.end - self.start
        _derive(self, start_us=to_us(self.start), end_us=to_us(self.end), billable=billable,
                billable_us=billable // _ONE_US)


@frozen
class SessionProfile:
    """A session from plug-in (``start``) to unplug (``end``); periods are ordered and do not overlap.

    Built once per session, read by every rating of it: besides the totals, the profile keeps its
    *spans* (the reservation, if any, then the periods) with their bounds and running sums of energy
    and billed time, so the engine can book a whole stretch of spans with two subtractions.
    """

    start: datetime = field(converter=_start)
    end: datetime = field(converter=_end)
    periods: tuple[ChargingPeriod, ...] = field(converter=_periods)
    reservation: Reservation | None = None
    start_us: int = field(init=False, eq=False, repr=False, default=0)
    total_time: timedelta = field(init=False, eq=False, repr=False, default=timedelta(0))
    energy_kwh: Decimal = field(init=False, eq=False, repr=False, default=_ZERO)
    charging_us: int = field(init=False, eq=False, repr=False, default=0)
    parking_us: int = field(init=False, eq=False, repr=False, default=0)
    spans: tuple[ChargingPeriod | Reservation, ...] = field(init=False, eq=False, repr=False, default=())
    starts_us: tuple[int, ...] = field(init=False, eq=False, repr=False, default=())
    ends_us: tuple[int, ...] = field(init=False, eq=False, repr=False, default=())
    # Before span i: energy drawn (kWh), charging and parking time billed (microseconds).
    energy_before: tuple[Decimal, ...] = field(init=False, eq=False, repr=False, default=())
    charging_before: tuple[int, ...] = field(init=False, eq=False, repr=False, default=())
    parking_before: tuple[int, ...] = field(init=False, eq=False, repr=False, default=())

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput.field("end", "must not be before start")
        previous_end = self.start
        energy, charging, parking = _ZERO, 0, 0
        energy_before, charging_before, parking_before = [energy], [charging], [parking]
        for i, period in enumerate(self.periods):
            if period.start < previous_end:
                raise InvalidInput.field(f"periods[{i}].start",
                                         "periods must be in order, not overlap, and start within the session")
            previous_end = period.end
            if period.charging:
                energy += period.energy_kwh
                charging += period.billable_us
            else:
                parking += period.billable_us
            energy_before.append(energy)
            charging_before.append(charging)
            parking_before.append(parking)
        if previous_end > self.end:
            raise InvalidInput.field("end", "the last period ends after the session")
        spans: tuple[ChargingPeriod | Reservation, ...] = self.periods
        if self.reservation is not None:  # before the session: it draws nothing and bills neither time
            spans = (self.reservation, *spans)
            energy_before.insert(0, _ZERO)
            charging_before.insert(0, 0)
            parking_before.insert(0, 0)
        _derive(self, start_us=to_us(self.start), total_time=self.end - self.start, energy_kwh=energy,
                charging_us=charging, parking_us=parking, spans=spans,
                starts_us=tuple(s.start_us for s in spans), ends_us=tuple(s.end_us for s in spans),
                energy_before=tuple(energy_before), charging_before=tuple(charging_before),
                parking_before=tuple(parking_before))


def quote_profile(start: datetime, end: datetime, energy_kwh: Decimal,
                  max_power_kw: Decimal | None = None, *, max_current_a: Decimal | None = None,
                  reservation: Reservation | None = None) -> SessionProfile:
    """A session that is expected, not measured.

    Without ``max_power_kw`` the energy is spread at constant power over the whole stay. With it,
    the vehicle charges at that constant power from ``start`` until the energy is in, then parks.
    """
    errors = []
    if not isinstance(energy_kwh, Decimal) or not energy_kwh.is_finite() or energy_kwh < 0:
        errors.append(FieldError("energy_kwh", "must be a non-negative Decimal"))
    if max_power_kw is not None and (not isinstance(max_power_kw, Decimal) or not max_power_kw > 0):
        errors.append(FieldError("max_power_kw", "must be a positive Decimal"))
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            errors.append(FieldError(name, "must be a timezone-aware date-time"))
    if errors:
        raise InvalidInput(errors)
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # so that adding time is not wall-clock time
    if end < start:
        raise InvalidInput.field("end", "must not be before start")
    _check_span(start, end)
    if energy_kwh == 0:
        return SessionProfile(start, end, [ChargingPeriod(start, end, charging=False)] if end > start else [],
                              reservation)
    if max_power_kw is None:
        return SessionProfile(start, end, [ChargingPeriod(start, end, energy_kwh, max_current_a=max_current_a)],
                              reservation)
    charging_us = _microseconds(energy_kwh * 3_600_000_000 / max_power_kw, rounding_up=True)
    charge_end = start + timedelta(microseconds=charging_us)
    if charge_end > end:
        raise InvalidInput.field("energy_kwh", f"cannot be delivered at {max_power_kw} kW between start and end")
    periods = [ChargingPeriod(start, charge_end, energy_kwh, max_power_kw=max_power_kw, max_current_a=max_current_a)]
    if charge_end < end:
        periods.append(ChargingPeriod(charge_end, end, charging=False))
    return SessionProfile(start, end, periods, reservation)


def profile_from_meter_values(samples: Iterable[tuple[datetime, Decimal | int]], *,
                              start: datetime | None = None, end: datetime | None = None,
                              reservation: Reservation | None = None) -> SessionProfile:
    """Periods between consecutive meter samples ``(instant, cumulative Wh)``.

    A period in which the register did not move is parking. Time before the first sample (from
    ``start``) and after the last (to ``end``) had no reading, so it is parking too.
    """
    readings = list(samples)
    if not readings:
        raise InvalidInput.field("meter_values", "at least one meter value is needed")
    errors = []
    for i, (instant, wh) in enumerate(readings):
        if not isinstance(instant, datetime) or instant.utcoffset() is None:
            errors.append(FieldError(f"meter_values[{i}].timestamp", "must be a timezone-aware date-time"))
        if (isinstance(wh, bool) or not isinstance(wh, (int, Decimal))
                or (isinstance(wh, Decimal) and not wh.is_finite())):
            errors.append(FieldError(f"meter_values[{i}].value",
                                     "must be an int or Decimal count of Wh (never a float)"))
    if errors:
        raise InvalidInput(errors)
    readings = [(instant.astimezone(UTC), wh) for instant, wh in readings]
    for i in range(1, len(readings)):
        if readings[i][0] <= readings[i - 1][0]:
            errors.append(FieldError(f"meter_values[{i}].timestamp", "must be later than the previous meter value"))
        elif readings[i][1] < readings[i - 1][1]:
            errors.append(FieldError(f"meter_values[{i}].value", "the energy register must not run backwards"))
    if errors:
        raise InvalidInput(errors)
    first, last = readings[0][0], readings[-1][0]
    start = first if start is None else start.astimezone(UTC)
    end = last if end is None else end.astimezone(UTC)
    if start > first:
        raise InvalidInput.field("start", "must not be after the first meter value")
    if end < last:
        raise InvalidInput.field("end", "must not be before the last meter value")
    _check_span(start, end)
    periods = []
    if start < first:
        periods.append(ChargingPeriod(start, first, charging=False))
    # Checked above (aware, in order, never backwards): each period is built without checking again.
    measured = ChargingPeriod.measured
    t0, wh0 = readings[0]
    us0 = to_us(t0)
    for t1, wh1 in itertools.islice(readings, 1, None):
        us1 = to_us(t1)
        periods.append(measured(t0, t1, Decimal(wh1 - wh0) / 1000, us0, us1))
        t0, wh0, us0 = t1, wh1, us1
    if last < end:
        periods.append(ChargingPeriod(last, end, charging=False))
    return SessionProfile(start, end, periods, reservation)


def _check_span(start: datetime, end: datetime) -> None:
    # Rating walks a session day by day: a span of centuries (a charge point's clock gone wrong, a quote
    # made to hold the server) would take minutes. No session lasts longer than the longest duration a
    # tariff can restrict on.
    if end - start > MAX_SESSION_SPAN:
        raise InvalidInput.field("end", f"a session or quote spans at most {MAX_SESSION_SPAN.days} days")


def _microseconds(value: Decimal, *, rounding_up: bool) -> int:
    whole = int(value)
    return whole + 1 if rounding_up and whole < value else whole
