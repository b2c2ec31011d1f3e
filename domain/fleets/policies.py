"""Charging policies: where, when, on which connectors and how much a fleet's drivers may charge.

A policy belongs to a fleet; a driver may carry one of its own, which replaces the fleet's whole (an empty
policy then means "no limits" for that driver). Every field left out is no limit. The limits apply to each
driver: a session, a driver's day, a driver's month.

The checks are pure functions of the policy and a ``ChargingContext`` the application gathers (the instant,
the location and its time zone, the connector's type, the energy and money the driver used so far), so
that they can be tested exhaustively here. Time windows are read on the location's wall clock; days and
months (for the kWh-per-day and spend-per-month limits) on the organization's, as its invoices are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from attrs import frozen

from domain.connector_types import connector_types_problems
from domain.errors import FieldErrors, InvalidInput
from domain.fleets.authorizations import Refusal
from domain.geography import is_currency
from domain.ids import is_id
from domain.money import Money, parse_decimal
from domain.tariffs.model import DayOfWeek

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_WINDOWS = 50
MAX_LOCATIONS = 1000
MAX_KWH = Decimal(100_000)             # per session or day: far above any vehicle's battery
MAX_KWH_DECIMALS = 3
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])\Z")
_FIELDS = {"allowed_location_ids", "time_windows", "max_kwh_per_session", "max_kwh_per_day",
           "max_spend_per_month", "allowed_connector_types"}


def kwh_text(value: Decimal) -> str:
    """A kWh figure without trailing zeros or an exponent: ``30``, ``12.5``."""
    return format(value.normalize(), "f") if value else "0"


def _clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@frozen
class TimeWindow:
    """Local times on some weekdays: from ``start`` to ``end`` minutes after local midnight. An ``end`` at or
    before ``start`` runs past midnight, into the next day (22:00–06:00 on FRIDAY ends Saturday 06:00);
    ``end`` 1440 is midnight at the end of the day (00:00–24:00 is the whole day)."""

    days: tuple[DayOfWeek, ...]
    start: int          # 0 … 1439
    end: int            # 1 … 1440, never equal to start

    @property
    def length(self) -> int:
        return self.end - self.start if self.end > self.start else self.end + MINUTES_PER_DAY - self.start

    def spans(self) -> list[tuple[int, int]]:
        """The minutes of the week it covers, as half-open ranges from Monday 00:00 (a span running past
        Sunday midnight is split in two)."""
        out = []
        for day in self.days:
            begin = day.weekday * MINUTES_PER_DAY + self.start
            finish = begin + self.length
            if finish <= MINUTES_PER_WEEK:
                out.append((begin, finish))
            else:
                out += [(begin, MINUTES_PER_WEEK), (0, finish - MINUTES_PER_WEEK)]
        return out

    def admits(self, minute_of_week: int) -> bool:
        return any(begin <= minute_of_week < finish for begin, finish in self.spans())

    def describe(self) -> str:
        return f"{','.join(d.value for d in self.days)} {_clock_text(self.start)}–{_clock_text(self.end)}"

    def to_json(self) -> dict[str, Any]:
        return {"days": [d.value for d in self.days], "start": _clock_text(self.start),
                "end": _clock_text(self.end)}


def minute_of_week(instant: datetime, zone: tzinfo) -> int:
    """The local wall-clock minute of the week (Monday 00:00 is 0) at ``instant`` in ``zone``."""
    local = instant.astimezone(zone)
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def overlap(a: TimeWindow, b: TimeWindow) -> tuple[int, int] | None:
    """The first stretch of the week both windows cover, if any."""
    for a_begin, a_end in a.spans():
        for b_begin, b_end in b.spans():
            begin, end = max(a_begin, b_begin), min(a_end, b_end)
            if begin < end:
                return begin, end
    return None


@frozen
class ChargingPolicy:
    """Absent (None) fields are no limit; an empty policy allows everything."""

    allowed_location_ids: tuple[str, ...] | None = None
    time_windows: tuple[TimeWindow, ...] | None = None
    max_kwh_per_session: Decimal | None = None
    max_kwh_per_day: Decimal | None = None
    max_spend_per_month: Money | None = None
    allowed_connector_types: tuple[str, ...] | None = None

    @property
    def limits_day_or_month(self) -> bool:
        """Whether judging it needs what the driver charged today or spent this month."""
        return self.max_kwh_per_day is not None or self.max_spend_per_month is not None

    @property
    def is_empty(self) -> bool:
        return self == ChargingPolicy()

    def to_json(self) -> dict[str, Any]:
        """The policy as the API shows it and storage keeps it: absent fields left out."""
        out: dict[str, Any] = {}
        if self.allowed_location_ids is not None:
            out["allowed_location_ids"] = list(self.allowed_location_ids)
        if self.time_windows is not None:
            out["time_windows"] = [w.to_json() for w in self.time_windows]
        if self.max_kwh_per_session is not None:
            out["max_kwh_per_session"] = format(self.max_kwh_per_session, "f")
        if self.max_kwh_per_day is not None:
            out["max_kwh_per_day"] = format(self.max_kwh_per_day, "f")
        if self.max_spend_per_month is not None:
            out["max_spend_per_month"] = self.max_spend_per_month.to_json()
        if self.allowed_connector_types is not None:
            out["allowed_connector_types"] = list(self.allowed_connector_types)
        return out


def parse_policy(data: object, path: str = "policy") -> ChargingPolicy:
    """A policy from its JSON form (the API's, or storage's), or ``InvalidInput`` naming every field at fault
    by its path (``policy.time_windows[1].end``). Which location ids exist is the application's to check."""
    if data is None:
        return ChargingPolicy()
    if not isinstance(data, dict):
        raise InvalidInput.field(path, "must be an object")
    errors = FieldErrors()
    for key in sorted(set(data) - _FIELDS):
        errors.add(f"{path}.{key}", "is not a policy field")
    locations = _location_ids(data.get("allowed_location_ids"), f"{path}.allowed_location_ids", errors)
    windows = _windows(data.get("time_windows"), f"{path}.time_windows", errors)
    per_session = _kwh(data.get("max_kwh_per_session"), f"{path}.max_kwh_per_session", errors)
    per_day = _kwh(data.get("max_kwh_per_day"), f"{path}.max_kwh_per_day", errors)
    spend = _money(data.get("max_spend_per_month"), f"{path}.max_spend_per_month", errors)
    types = _connector_types(data.get("allowed_connector_types"), f"{path}.allowed_connector_types", errors)
    errors.raise_if_any()
    return ChargingPolicy(allowed_location_ids=locations, time_windows=windows, max_kwh_per_session=per_session,
                          max_kwh_per_day=per_day, max_spend_per_month=spend, allowed_connector_types=types)


def _non_empty_list(value: object, path: str, errors: FieldErrors, limit: int, what: str) -> list[Any] | None:
    if not isinstance(value, list):
        errors.add(path, f"must be a list of {what}, or left out for no limit")
        return None
    if not value:
        errors.add(path, f"must name at least one {what.rstrip('s')}; leave it out for no limit")
        return None
    if len(value) > limit:
        errors.add(path, f"at most {limit} {what}")
        return None
    return value


def _location_ids(value: object, path: str, errors: FieldErrors) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = _non_empty_list(value, path, errors, MAX_LOCATIONS, "location ids")
    if items is None:
        return None
    seen: list[str] = []
    for i, item in enumerate(items):
        if not (isinstance(item, str) and is_id(item, "loc")):
            errors.add(f"{path}[{i}]", "must be a location id (loc_…)")
        elif item in seen:
            errors.add(f"{path}[{i}]", f"{item} is listed twice")
        else:
            seen.append(item)
    return tuple(seen)


def _clock(value: object, path: str, errors: FieldErrors, *, end: bool) -> int | None:
    if end and value == "24:00":
        return MINUTES_PER_DAY
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        errors.add(path, "must be a local time HH:MM" + (" (24:00 for the end of the day)" if end else ""))
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


def _windows(value: object, path: str, errors: FieldErrors) -> tuple[TimeWindow, ...] | None:
    if value is None:
        return None
    items = _non_empty_list(value, path, errors, MAX_WINDOWS, "time windows")
    if items is None:
        return None
    windows: list[tuple[int, TimeWindow]] = []
    for i, item in enumerate(items):
        at = f"{path}[{i}]"
        if not isinstance(item, dict):
            errors.add(at, "must be an object {days, start, end}")
            continue
        for key in sorted(set(item) - {"days", "start", "end"}):
            errors.add(f"{at}.{key}", "is not a time window field")
        days = _days(item.get("days"), f"{at}.days", errors)
        start = _clock(item.get("start"), f"{at}.start", errors, end=False)
        finish = _clock(item.get("end"), f"{at}.end", errors, end=True)
        if start is not None and finish is not None and start == finish:
            errors.add(f"{at}.end", "must differ from start: a window of no time makes no sense (00:00–24:00 is "
                                    "a whole day)")
            continue
        if days and start is not None and finish is not None:
            windows.append((i, TimeWindow(days, start, finish)))
    # Two windows covering the same minutes say the same thing twice, or one of them is a mistake.
    for j, (index, window) in enumerate(windows):
        for earlier_index, earlier in windows[:j]:
            shared = overlap(window, earlier)
            if shared is not None:
                errors.add(f"{path}[{index}]", f"overlaps time_windows[{earlier_index}] "
                                               f"({_week_minute_text(shared[0])} to {_week_minute_text(shared[1])})")
                break
    return tuple(w for _, w in windows)


def _week_minute_text(minute: int) -> str:
    day = list(DayOfWeek)[(minute // MINUTES_PER_DAY) % 7]
    return f"{day.value} {_clock_text(minute % MINUTES_PER_DAY)}"


def _days(value: object, path: str, errors: FieldErrors) -> tuple[DayOfWeek, ...]:
    if not isinstance(value, list) or not value:
        errors.add(path, 'must be a non-empty list of days such as ["MONDAY", "TUESDAY"]')
        return ()
    days: list[DayOfWeek] = []
    for i, item in enumerate(value):
        try:
            day = DayOfWeek(item) if isinstance(item, str) else None
        except ValueError:
            day = None
        if day is None:
            errors.add(f"{path}[{i}]", "must be one of " + ", ".join(d.value for d in DayOfWeek))
        elif day in days:
            errors.add(f"{path}[{i}]", f"{day.value} is listed twice")
        else:
            days.append(day)
    return tuple(days)


def _kwh(value: object, path: str, errors: FieldErrors) -> Decimal | None:
    if value is None:
        return None
    try:
        kwh = parse_decimal(value, path, max_decimals=MAX_KWH_DECIMALS, numbers=True, maximum=MAX_KWH)
    except InvalidInput as error:
        errors.errors.extend(error.errors)
        return None
    if kwh <= 0:
        errors.add(path, "must be above 0 kWh; leave it out for no limit")
        return None
    return kwh


def _money(value: object, path: str, errors: FieldErrors) -> Money | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        errors.add(path, 'must be money {"amount": "200.00", "currency": "EUR"}')
        return None
    currency = value["currency"]
    if not (isinstance(currency, str) and is_currency(currency)):
        errors.add(f"{path}.currency", "must be an ISO 4217 currency code")
        return None
    try:
        amount = parse_decimal(value["amount"], f"{path}.amount")
    except InvalidInput as error:
        errors.errors.extend(error.errors)
        return None
    money = Money(amount, currency)
    if amount <= 0:
        errors.add(f"{path}.amount", "must be above 0; leave the limit out for none")
        return None
    if money.rounded().amount != amount:
        errors.add(f"{path}.amount", f"at most {money.exponent} decimals in {currency}")
        return None
    return money


def _connector_types(value: object, path: str, errors: FieldErrors) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = _non_empty_list(value, path, errors, 100, "connector types")
    if items is None:
        return None
    problems = connector_types_problems(items, path)
    for field, message in problems:
        errors.add(field, message)
    return None if problems else tuple(items)


# ---------------------------------------------------------------- the checks


@frozen
class ChargingContext:
    """What a policy is judged against, gathered by the application when a charge point asks."""

    at: datetime
    zone: tzinfo                              # the location's: time windows are its wall clock
    location_id: str
    connector_type: str | None = None         # None: not known yet (Authorize), or the connector never said
    energy_today_kwh: Decimal = Decimal(0)    # the driver's sessions started today (the organization's day)
    spent_this_month: Money | None = None     # completed sessions' cost and the running ones' estimate


@frozen
class Verdict:
    refusal: Refusal | None = None
    detail: str | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


ACCEPTED = Verdict()


def check_location(policy: ChargingPolicy, location_id: str) -> Verdict:
    if policy.allowed_location_ids is None or location_id in policy.allowed_location_ids:
        return ACCEPTED
    return Verdict(Refusal.LOCATION_NOT_ALLOWED, f"location {location_id} is not among the policy's allowed locations")


def check_connector_type(policy: ChargingPolicy, connector_type: str | None) -> Verdict:
    """A connector whose type is not known cannot be shown to break the rule, so it passes."""
    if policy.allowed_connector_types is None or connector_type is None \
            or connector_type in policy.allowed_connector_types:
        return ACCEPTED
    return Verdict(Refusal.CONNECTOR_TYPE_NOT_ALLOWED,
                   f"connector type {connector_type} is not among {', '.join(policy.allowed_connector_types)}")


def within_time_windows(windows: Iterable[TimeWindow], at: datetime, zone: tzinfo) -> bool:
    minute = minute_of_week(at, zone)
    return any(window.admits(minute) for window in windows)


def check_time(policy: ChargingPolicy, at: datetime, zone: tzinfo) -> Verdict:
    if policy.time_windows is None or within_time_windows(policy.time_windows, at, zone):
        return ACCEPTED
    local = at.astimezone(zone)
    return Verdict(Refusal.OUTSIDE_TIME_WINDOWS,
                   f"{local.strftime('%A %H:%M').upper()} local time ({zone}) is outside the allowed windows "
                   f"({'; '.join(w.describe() for w in policy.time_windows)})")


def check_daily_energy(policy: ChargingPolicy, energy_today_kwh: Decimal) -> Verdict:
    limit = policy.max_kwh_per_day
    if limit is None or energy_today_kwh < limit:
        return ACCEPTED
    return Verdict(Refusal.DAILY_ENERGY_LIMIT_REACHED,
                   f"{kwh_text(energy_today_kwh)} kWh charged today reaches the limit of {kwh_text(limit)} kWh a day")


def check_monthly_spend(policy: ChargingPolicy, spent: Money | None) -> Verdict:
    limit = policy.max_spend_per_month
    if limit is None:
        return ACCEPTED
    spent = spent if spent is not None else Money.zero(limit.currency)
    if spent < limit:
        return ACCEPTED
    return Verdict(Refusal.MONTHLY_SPEND_LIMIT_REACHED,
                   f"{spent.rounded().amount} {spent.currency} spent this month reaches the limit of "
                   f"{limit.amount} {limit.currency}")


def judge(policy: ChargingPolicy, context: ChargingContext) -> Verdict:
    """The first refusal, in the order a driver can least do something about: where, with what, when, how much."""
    for verdict in (check_location(policy, context.location_id),
                    check_connector_type(policy, context.connector_type),
                    check_time(policy, context.at, context.zone),
                    check_daily_energy(policy, context.energy_today_kwh),
                    check_monthly_spend(policy, context.spent_this_month)):
        if not verdict.accepted:
            return verdict
    return ACCEPTED


@frozen
class EnergyCap:
    """The most a session may deliver, and the policy field that set it."""

    kwh: Decimal
    reason: str              # "max_kwh_per_session" | "max_kwh_per_day"

    @property
    def wh(self) -> Decimal:
        return self.kwh * 1000


def energy_cap(policy: ChargingPolicy, energy_today_kwh: Decimal) -> EnergyCap | None:
    """The cap of a session starting now: the per-session limit, or what is left of the day's if less."""
    caps = []
    if policy.max_kwh_per_session is not None:
        caps.append(EnergyCap(policy.max_kwh_per_session, "max_kwh_per_session"))
    if policy.max_kwh_per_day is not None:
        caps.append(EnergyCap(max(policy.max_kwh_per_day - energy_today_kwh, Decimal(0)), "max_kwh_per_day"))
    return min(caps, key=lambda cap: cap.kwh) if caps else None
