"""A tariff compiled once for rating: restrictions as integers, candidates per dimension, cut points.

Rating the same tariff thousands of times should not re-read "HH:MM" strings, re-derive which
elements can price which dimension, or rebuild the explanation texts; ``plan_for`` does that once
per Tariff object and keeps it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from threading import Lock

from domain.tariffs.breakdown import UNITS, AppliedElement, LineType, PeriodKind
from domain.tariffs.localtime import DAY_US, US
from domain.tariffs.model import DimensionType, PriceComponent, ReservationRestriction, Restrictions, Tariff

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTE_US = 60 * US
_HUNDRED = Decimal(100)
SESSION_DIMENSIONS = {DimensionType.FLAT: LineType.FLAT, DimensionType.ENERGY: LineType.ENERGY,
                      DimensionType.TIME: LineType.TIME, DimensionType.PARKING_TIME: LineType.PARKING_TIME}
RESERVATION_DIMENSIONS = {DimensionType.FLAT: LineType.RESERVATION_FLAT, DimensionType.TIME: LineType.RESERVATION_TIME}
LINE_ORDER = {kind: i for i, kind in enumerate(LineType)}


class ComponentPlan:
    """One price component as billed in one dimension; also the key its quantity accumulates under.

    ``step`` is what the dimension's session total is rounded up to (Wh for energy, microseconds
    for time), None when it is not rounded."""

    __slots__ = (
        "applied",
        "dimension",
        "element",
        "is_fee",
        "order",
        "price",
        "step",
        "unit",
        "vat",
        "vat_factor",
    )

    def __init__(self, dimension: LineType, element: int, component: PriceComponent, reason: str) -> None:
        self.dimension = dimension
        self.element = element
        self.price = component.price
        self.vat = component.vat
        self.vat_factor = None if component.vat is None else component.vat / _HUNDRED
        self.is_fee = dimension in (LineType.FLAT, LineType.RESERVATION_FLAT)
        unit = component.step_size if dimension is LineType.ENERGY else component.step_size * US
        self.step = None if self.is_fee or unit < 1 else unit
        self.unit = UNITS[dimension]
        self.applied = AppliedElement(dimension, element, reason)
        self.order = (LINE_ORDER[dimension], element)


class ElementPlan:
    """An element's restrictions as plain numbers: times of day and durations in microseconds,
    dates as days since 1970-01-01 (local), weekdays Monday = 0; ``None`` where unrestricted."""

    __slots__ = (
        "cur_hi",
        "cur_lo",
        "date_hi",
        "date_lo",
        "days",
        "dur_hi",
        "dur_lo",
        "index",
        "kwh_hi",
        "kwh_lo",
        "local",
        "pow_hi",
        "pow_lo",
        "reason",
        "reservation",
        "tod",
        "unrestricted",
    )

    def __init__(self, index: int, r: Restrictions | None) -> None:
        self.index = index
        r = r or _UNRESTRICTED
        self.reason = _NO_REASON if r is _UNRESTRICTED else describe(r)
        self.reservation = r.reservation
        self.tod = _window(r)
        self.days = frozenset(d.weekday for d in r.day_of_week) or None
        self.date_lo = None if r.start_date is None else r.start_date.toordinal() - _EPOCH_ORDINAL
        self.date_hi = None if r.end_date is None else r.end_date.toordinal() - _EPOCH_ORDINAL
        self.kwh_lo, self.kwh_hi = r.min_kwh, r.max_kwh
        self.cur_lo, self.cur_hi = r.min_current, r.max_current
        self.pow_lo, self.pow_hi = r.min_power, r.max_power
        self.dur_lo = None if r.min_duration is None else r.min_duration * US
        self.dur_hi = None if r.max_duration is None else r.max_duration * US
        self.local = self.tod is not None or self.days is not None or r.start_date is not None or r.end_date is not None
        self.unrestricted = r.is_empty or (r.reservation is not None and r == Restrictions(reservation=r.reservation))


_UNRESTRICTED = Restrictions()
_NO_REASON = "no restrictions"   # what describe(Restrictions()) says


def _window(r: Restrictions) -> tuple[int, int] | None:
    """``[start, end)`` in microseconds of the local day; ``end <= start`` wraps past midnight."""
    if r.start_time is None and r.end_time is None:
        return None
    start = 0 if r.start_time is None else (r.start_time.hour * 60 + r.start_time.minute) * _MINUTE_US
    end = DAY_US if r.end_time is None else (r.end_time.hour * 60 + r.end_time.minute) * _MINUTE_US
    if start == end:
        return None  # "00:00"-"00:00" (or any start equal to end) is the whole day
    return start, end


def describe(r: Restrictions) -> str:
    """The restrictions in words, e.g. ``start_time 08:00–18:00 local, day_of_week MONDAY–FRIDAY``."""
    parts = []
    if r.start_time is not None or r.end_time is not None:
        start = "00:00" if r.start_time is None else r.start_time.strftime("%H:%M")
        end = "24:00" if r.end_time is None else r.end_time.strftime("%H:%M")
        wraps = r.start_time is not None and r.end_time is not None and r.end_time < r.start_time
        parts.append(f"start_time {start}–{end} local" + (" (past midnight)" if wraps else ""))
    if r.start_date is not None or r.end_date is not None:
        parts.append(f"date {r.start_date or '…'}–{r.end_date or '…'} local (end excluded)")
    for name, low, high, unit in (("kwh", r.min_kwh, r.max_kwh, "kWh"), ("current", r.min_current, r.max_current, "A"),
                                  ("power", r.min_power, r.max_power, "kW"),
                                  ("duration", r.min_duration, r.max_duration, "s")):
        if low is not None and high is not None:
            parts.append(f"{low} ≤ {name} < {high} {unit}")
        elif low is not None:
            parts.append(f"min_{name} {low} {unit}")
        elif high is not None:
            parts.append(f"max_{name} {high} {unit}")
    if r.day_of_week:
        parts.append("day_of_week " + ",".join(d.value for d in r.day_of_week))
    if r.reservation is not None:
        parts.append(f"reservation {r.reservation.value}")
    return ", ".join(parts) if parts else _NO_REASON


Candidate = tuple[ElementPlan, ComponentPlan]


class RatingPlan:
    """Per dimension, the elements that may price it, in tariff order; cut points for splitting."""

    __slots__ = (
        "_applied",
        "_variants",
        "candidates",
        "currency",
        "duration_cuts",
        "fixed",
        "has_limits",
        "kwh_cuts",
        "limit_vat_rate",
        "local_memo",
        "local_only",
        "needs_local",
        "static",
        "static_variants",
        "tariff",
        "time_only",
        "tod_cuts",
        "unpriced",
        "uses_dates",
        "uses_power",
    )

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        self.currency = tariff.currency
        elements = [ElementPlan(i, e.restrictions) for i, e in enumerate(tariff.elements)]
        candidates: dict[LineType, list[Candidate]] = {kind: [] for kind in LineType}
        for element, source in zip(elements, tariff.elements, strict=True):
            dimensions = SESSION_DIMENSIONS if element.reservation is None else RESERVATION_DIMENSIONS
            seen: set[DimensionType] = set()
            for component in source.price_components:
                # Only an element's first component of a type counts (OCPI leaves repeats undefined).
                if component.type in seen or component.type not in dimensions:
                    continue
                seen.add(component.type)
                kind = dimensions[component.type]
                candidates[kind].append((element, ComponentPlan(kind, element.index, component, element.reason)))
        for found in candidates.values():
            # Nothing after an element that always applies can ever be reached.
            for i, (element, _component) in enumerate(found):
                if element.unrestricted and element.reservation is not ReservationRestriction.RESERVATION_EXPIRES:
                    del found[i + 1:]
                    break
        self.candidates = {kind: tuple(found) for kind, found in candidates.items()}
        # A dimension whose first candidate always applies needs no matching at all.
        self.fixed = {kind: found[0][1] if found and found[0][0].unrestricted
                      and found[0][0].reservation is not ReservationRestriction.RESERVATION_EXPIRES else None
                      for kind, found in self.candidates.items()}
        used = [element for found in self.candidates.values() for element, _ in found]
        tods: set[int] = set()
        for element in used:
            if element.tod is not None:
                tods.update(t % DAY_US for t in element.tod)
        self.needs_local = any(element.local for element in used)
        # Midnight matters only to day and date restrictions (a wrapping window does not change there).
        calendar = any(e.days is not None or e.date_lo is not None or e.date_hi is not None for e in used)
        self.tod_cuts = tuple(sorted(tods | {0} if calendar or not tods else tods)) if self.needs_local else ()
        self.duration_cuts = tuple(sorted({t for e in used for t in (e.dur_lo, e.dur_hi) if t}))
        self.kwh_cuts = tuple(sorted({k for e in used for k in (e.kwh_lo, e.kwh_hi) if k}))
        self.uses_power = any(e.pow_lo is not None or e.pow_hi is not None for e in used)
        self.uses_dates = any(e.date_lo is not None or e.date_hi is not None for e in used)
        session = (LineType.ENERGY, LineType.TIME, LineType.PARKING_TIME, LineType.FLAT)
        # A kind of period no element can price (but for a FLAT fee) bills and shows nothing, however
        # restrictions change over it.
        self.unpriced = {
            PeriodKind.CHARGING: not self.candidates[LineType.ENERGY] and not self.candidates[LineType.TIME],
            PeriodKind.PARKING: not self.candidates[LineType.PARKING_TIME]}
        # No session dimension depends on anything but the kind of period: no walk is needed.
        self.static = all(self.fixed[kind] is not None or not self.candidates[kind] for kind in session)
        # Only the local clock and calendar decide: the answer for a (kind of period, stretch of the
        # day between two cut times, weekday, date) can be remembered across ratings.
        self.local_only = all(
            e.unrestricted or (e.kwh_lo is None and e.kwh_hi is None and e.cur_lo is None and e.cur_hi is None
                               and e.pow_lo is None and e.pow_hi is None and e.dur_lo is None and e.dur_hi is None)
            for e in used)
        # Only instants decide (the clock, the calendar, the time since plug-in): an answer holds
        # until the next cut instant, whatever the energy or power.
        self.time_only = all(e.kwh_lo is None and e.kwh_hi is None and e.cur_lo is None and e.cur_hi is None
                             and e.pow_lo is None and e.pow_hi is None for e in used)
        rates = [c.vat for e in tariff.elements for c in e.price_components if c.vat is not None]
        self.limit_vat_rate = max(rates) if rates else None
        self.has_limits = tariff.min_price is not None or tariff.max_price is not None
        self._applied: dict[tuple[object, ...], tuple[AppliedElement, ...]] = {}
        self._variants: dict[tuple[object, ...], tuple[tuple[AppliedElement, ...], ...]] = {}
        self.local_memo: dict[tuple[object, ...], tuple[ComponentPlan | None, ...]] = {}
        fixed = self.fixed
        # A static tariff's periods: the first one meets the FLAT fee, the others do not.
        self.static_variants = tuple(
            {PeriodKind.CHARGING: self.variants(fixed[LineType.ENERGY], fixed[LineType.TIME], flat),
             PeriodKind.PARKING: self.variants(None, fixed[LineType.PARKING_TIME], flat)}
            for flat in (fixed[LineType.FLAT], None))

    def applied(self, energy: ComponentPlan | None, time: ComponentPlan | None,
                flat: ComponentPlan | None) -> tuple[AppliedElement, ...]:
        """The explanation of a period priced by these components (one shared tuple per combination)."""
        key = (energy, time, flat)
        found = self._applied.get(key)
        if found is None:
            found = self._applied.setdefault(key, tuple(c.applied for c in key if c is not None))
        return found

    def variants(self, energy: ComponentPlan | None, time: ComponentPlan | None,
                 flat: ComponentPlan | None = None) -> tuple[tuple[AppliedElement, ...], ...]:
        """What a period priced by these components shows, by whether it drew energy and billed time:
        index ``2 * drew_energy + billed_time`` (a component is listed only where it billed)."""
        key = (energy, time, flat)
        found = self._variants.get(key)
        if found is None:
            found = self._variants.setdefault(key, (self.applied(None, None, flat), self.applied(None, time, flat),
                                                    self.applied(energy, None, flat), self.applied(energy, time, flat)))
        return found


_plans: dict[int, tuple[Tariff, RatingPlan]] = {}
_MAX_PLANS = 1024
_lock = Lock()


def plan_for(tariff: Tariff) -> RatingPlan:
    """The compiled plan of this Tariff object, cached by identity (hashing a tariff costs more than
    the lookup saves); the cache holds the tariff itself, so an id is never reused while cached."""
    entry = _plans.get(id(tariff))
    if entry is not None and entry[0] is tariff:
        return entry[1]
    plan = RatingPlan(tariff)
    with _lock:
        if len(_plans) >= _MAX_PLANS:
            _plans.clear()
        _plans[id(tariff)] = (tariff, plan)
    return plan
