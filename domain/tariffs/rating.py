"""The rating engine: a session profile and a tariff in, a cost breakdown out; pure and deterministic.

OCPI 2.2.1 semantics, decided point by point in docs/tariffs.md: time is walked period by period
and split wherever a restriction can change its answer (a local time of day, a DST transition, a
duration or kWh threshold); for each dimension the first element whose restrictions hold and that
prices the dimension applies; step sizes round each dimension's session total once; only the
first FLAT fee counts; min/max price bound the excl- and incl-VAT totals separately.

Three walks give the same answer (a property test holds them to it) at different costs:

- ``_walk`` is the plain one: every period is split at its cut instants and each piece matched.
- ``_walk_stretches``, for tariffs decided only by instants (the clock, the calendar, the time since
  plug-in): between two consecutive cut instants every period of a kind meets the same elements, so
  the periods lying wholly inside such a stretch are booked together from the profile's running
  sums; only the periods that straddle a cut are split. Its cost grows with the cuts, not the periods.
- ``_walk_static``, for tariffs whose session elements have no restrictions: nothing to split or
  match, the profile's totals are the quantities.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from datetime import tzinfo
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, getcontext, setcontext
from typing import Any

from domain.tariffs.billing import Walked, finish
from domain.tariffs.breakdown import CostBreakdown, LineType, PeriodEntry, PeriodKind
from domain.tariffs.localtime import DAY_US, LocalClock, local_clock
from domain.tariffs.matching import first_match
from domain.tariffs.model import Tariff
from domain.tariffs.plan import ComponentPlan, RatingPlan, plan_for
from domain.tariffs.profile import SessionProfile

# Rating must not depend on whatever Decimal context the caller left behind; each thread rates in
# its own copy of this one (a context records flags as it computes).
_CONTEXT = Context(prec=34, rounding="ROUND_HALF_EVEN", traps=[InvalidOperation, DivisionByZero, Overflow])
_contexts = threading.local()
_ZERO = Decimal(0)
_ONE = Decimal(1)
_US_PER_HOUR = 3_600_000_000
# Energy at a cut inside a period is interpolated; when that is not exact, 1e-12 kWh (a
# nanowatt-hour) keeps every later sum exact, far below anything a meter or a price can see.
_ENERGY_QUANTUM = Decimal("1e-12")
_CHARGING, _PARKING, _RESERVATION = PeriodKind.CHARGING, PeriodKind.PARKING, PeriodKind.RESERVATION
_DIMENSIONS = {  # per kind of period: the time dimension it bills and its FLAT dimension
    _CHARGING: (LineType.TIME, LineType.FLAT),
    _PARKING: (LineType.PARKING_TIME, LineType.FLAT),
    _RESERVATION: (LineType.RESERVATION_TIME, LineType.RESERVATION_FLAT),
}
_NO_VARIANTS: tuple[tuple[Any, ...], ...] = ((), (), (), ())  # a kind that billed nothing shows nothing
_MAX_MEMO = 4096
_NEVER = 1 << 62  # microseconds: far beyond any instant
_NONE: list[int] = []


def rate(tariff: Tariff, profile: SessionProfile, tz: tzinfo) -> CostBreakdown:
    """Price ``profile`` with ``tariff``; ``tz`` is the location's zone, which time-of-day, day and
    date restrictions are read in. Amounts keep 12 decimals: call ``.rounded()`` to bill."""
    plan = plan_for(tariff)
    saved = getcontext()
    try:
        context = _contexts.context
    except AttributeError:
        context = _contexts.context = _CONTEXT.copy()
    setcontext(context)
    try:
        if plan.static and profile.reservation is None:
            walked = _walk_static(plan, profile)
        else:
            clock = local_clock(tz) if plan.needs_local else None
            walked = (_walk_stretches if plan.time_only else _walk)(plan, clock, profile)
        return finish(plan, profile, walked)
    finally:
        setcontext(saved)


def _walk_static(plan: RatingPlan, profile: SessionProfile) -> Walked:
    """No restriction on any session dimension: each kind of period always meets the same elements."""
    quantities: dict[ComponentPlan, Any] = {}
    last: dict[LineType, ComponentPlan] = {}
    energy, charging_us, parking_us = profile.energy_kwh, profile.charging_us, profile.parking_us
    for dimension, quantity in ((LineType.ENERGY, energy), (LineType.TIME, charging_us),
                                (LineType.PARKING_TIME, parking_us)):
        component = plan.fixed[dimension]
        if component is not None and quantity:
            quantities[component] = quantity
            last[dimension] = component
    entries: list[PeriodEntry] = []
    count = len(profile.spans)
    if count:
        flat = plan.fixed[LineType.FLAT]
        if flat is not None:
            quantities[flat] = _ONE
        first, rest = plan.static_variants  # only the first period meets the FLAT fee
        entries.append((0, 1, first))
        if count > 1:
            entries.append((1, count, rest))
    return quantities, last, entries, energy, charging_us, parking_us, 0


def _walk(plan: RatingPlan, clock: LocalClock | None, profile: SessionProfile) -> Walked:
    """Every period split at its cut instants, every piece matched: the reference the others agree with."""
    walk = _Walk(plan, clock, profile)
    for span in profile.spans:
        walk.span(span)
    return walk.walked()


def _walk_stretches(plan: RatingPlan, clock: LocalClock | None, profile: SessionProfile) -> Walked:
    """Only instants decide: book the periods between two cut instants together, split the others."""
    walk = _Walk(plan, clock, profile)
    spans, starts, ends = profile.spans, profile.starts_us, profile.ends_us
    count = len(spans)
    i = 0
    if profile.reservation is not None:  # its own origin and expiry: always walked on its own
        walk.span(spans[0])
        i = 1
    flat_pending = walk.flat_pending
    no_flat = not plan.candidates[LineType.FLAT]
    cut = -1  # the end of the current stretch
    while i < count:
        span = spans[i]
        s, kind = span.start_us, span.kind
        if s >= cut:
            cut = walk.enter(s)
        found = walk.met(kind)
        if span.end_us > cut or (found[2] is not None and flat_pending[LineType.FLAT]):
            if plan.unpriced[kind] and (no_flat or not flat_pending[LineType.FLAT]):
                walk.run(profile, i, i + 1)  # nothing to split: it bills nothing on either side
            else:  # it straddles a cut, or the session's FLAT fee lands on it
                cut = walk.split(span, cut, found)
            i += 1
            continue
        # Spans i..j-1 lie between the same two cuts; a span starting at the cut itself does not.
        j = bisect_right(ends, cut, i + 1, count)
        j = bisect_left(starts, cut, i + 1, j)
        walk.run(profile, i, j)
        i = j
    return walk.walked()


class _Walk:
    """One rating in progress: the quantity each component billed, the component used last per
    dimension (step sizes follow it), the period entries, the energy and the times so far."""

    __slots__ = (
        "_at",
        "_day",
        "_met",
        "_tod",
        "charging_us",
        "clock",
        "cum",
        "entries",
        "flat_pending",
        "last",
        "origin",
        "parking_us",
        "plan",
        "quantities",
        "reservation_us",
    )

    def __init__(self, plan: RatingPlan, clock: LocalClock | None, profile: SessionProfile) -> None:
        self.plan = plan
        self.clock = clock
        self.origin = profile.start_us  # duration restrictions count from plug-in
        self.quantities: dict[ComponentPlan, Any] = {}
        self.last: dict[LineType, ComponentPlan] = {}
        self.entries: list[PeriodEntry] = []
        self.flat_pending = {LineType.FLAT: True, LineType.RESERVATION_FLAT: True}
        self.cum = _ZERO
        self.charging_us = self.parking_us = self.reservation_us = 0
        # The stretch entered last: its first instant, local time of day and day there, and what
        # each kind of period meets in it.
        self._at = self._tod = self._day = 0
        self._met: dict[PeriodKind, tuple[ComponentPlan | None, ...]] = {}

    def walked(self) -> Walked:
        return (self.quantities, self.last, self.entries, self.cum, self.charging_us, self.parking_us,
                self.reservation_us)

    def enter(self, t: int) -> int:
        """Enter the stretch that starts at ``t`` (for a plan decided only by instants); answers its
        end, the first instant at which a session period's match may change."""
        plan, clock = self.plan, self.clock
        if clock is None:
            self._tod = self._day = 0
            cut = _NEVER
        else:
            offset, cut = clock.locate(t, plan.tod_cuts)
            local = t + offset
            self._tod, self._day = local % DAY_US, local // DAY_US
        self._at = t
        self._met = {}
        for threshold in plan.duration_cuts:
            if self.origin + threshold > t:
                return min(cut, self.origin + threshold)
        return cut

    def met(self, kind: PeriodKind) -> tuple[ComponentPlan | None, ...]:
        """(energy, time, FLAT) components a session period of ``kind`` meets in the current stretch."""
        found = self._met.get(kind)
        if found is None:
            found = self._met[kind] = self.match(kind, self._tod, self._day, self._at - self.origin, self.cum,
                                                 None, None, False)
        return found

    def match(self, kind: PeriodKind, tod: int, day: int, elapsed: int, kwh: Decimal, power: Decimal | None,
              current: Decimal | None, expired: bool) -> tuple[ComponentPlan | None, ...]:
        plan = self.plan
        candidates = plan.candidates
        time_dim, flat_dim = _DIMENSIONS[kind]
        memo = plan.local_memo if plan.local_only else None
        if memo is None:
            return (first_match(candidates[LineType.ENERGY], tod, day, elapsed, kwh, power, current, expired),
                    first_match(candidates[time_dim], tod, day, elapsed, kwh, power, current, expired),
                    first_match(candidates[flat_dim], tod, day, elapsed, kwh, power, current, expired))
        # Only the clock and the calendar decide: the answer for a (kind of period, stretch of the
        # day between two cut times, weekday, date) is remembered across ratings.
        key = (kind, expired, bisect_right(plan.tod_cuts, tod), (day + 3) % 7, day if plan.uses_dates else 0)
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MAX_MEMO:
                memo.clear()
            found = memo.setdefault(key, (
                first_match(candidates[LineType.ENERGY], tod, day, 0, kwh, None, None, expired),
                first_match(candidates[time_dim], tod, day, 0, kwh, None, None, expired),
                first_match(candidates[flat_dim], tod, day, 0, kwh, None, None, expired)))
        return found

    def span(self, span: Any) -> None:
        """Split one period (or the reservation) wherever a restriction may change, match and book
        each piece; adjacent pieces that met the same elements stay one period."""
        plan, clock = self.plan, self.clock
        kind = span.kind
        s, e, billable, energy = span.start_us, span.end_us, span.billable_us, span.energy_kwh
        cum = self.cum
        top = cum + energy
        if kind is _RESERVATION:
            origin, expired = s, span.expired
        else:
            origin, expired = self.origin, False
        wall = e - s
        current, power = span.max_current_a, span.max_power_kw
        if power is None and plan.uses_power and kind is not _RESERVATION:
            power = energy * _US_PER_HOUR / wall if energy and wall else (None if energy else _ZERO)

        offset, local_cuts = (0, _NONE) if clock is None else clock.cuts(s, e, plan.tod_cuts)
        points = _cut_points(plan, local_cuts, s, e, origin, cum, energy) \
            if local_cuts or plan.duration_cuts or plan.kwh_cuts else None
        if points:
            bounds = [(s, cum)]
            for t, at in points:
                bounds.append((t, _energy_at(span, cum, bounds[-1][1], top, t) if at is None else at))
            bounds.append((e, top))
        else:
            bounds = [(s, cum), (e, top)]
        segments = len(bounds) - 1

        billed_before = 0
        tod = day = 0
        entries = self.entries
        piece = None
        for i in range(segments):
            t0, c0 = bounds[i]
            t1, c1 = bounds[i + 1]
            billed_to = billable if i == segments - 1 else _billed_to(span, t1)
            if clock is not None:
                local = t0 + (offset if i == 0 else clock.offset(t0))
                tod, day = local % DAY_US, local // DAY_US
            found = self.match(kind, tod, day, t0 - origin, c0, power, current, expired)
            energy, time = c1 - c0, billed_to - billed_before
            piece = _add_piece(entries, piece, t0, t1, kind, energy, time, self.book(kind, found, energy, time))
            billed_before = billed_to
        assert piece is not None  # a span has at least one segment
        entries.append(tuple(piece))
        self._count(kind, billable, top)

    def run(self, profile: SessionProfile, i: int, j: int) -> None:
        """Book spans i..j-1, all inside the current stretch, from the profile's running sums."""
        quantities, last = self.quantities, self.last
        energy = profile.energy_before[j] - profile.energy_before[i]
        charging_us = profile.charging_before[j] - profile.charging_before[i]
        parking_us = profile.parking_before[j] - profile.parking_before[i]
        if energy or charging_us:
            energy_comp, time_comp, _ = self.met(_CHARGING)
            if energy and energy_comp is not None:
                quantities[energy_comp] = quantities.get(energy_comp, _ZERO) + energy
                last[LineType.ENERGY] = energy_comp
            if charging_us and time_comp is not None:
                quantities[time_comp] = quantities.get(time_comp, 0) + charging_us
                last[LineType.TIME] = time_comp
            charging = self.plan.variants(energy_comp, time_comp)
        else:
            charging = _NO_VARIANTS
        if parking_us:
            time_comp = self.met(_PARKING)[1]
            if time_comp is not None:
                quantities[time_comp] = quantities.get(time_comp, 0) + parking_us
                last[LineType.PARKING_TIME] = time_comp
            parking = self.plan.variants(None, time_comp)
        else:
            parking = _NO_VARIANTS
        self.cum += energy
        self.charging_us += charging_us
        self.parking_us += parking_us
        self.entries.append((i, j, {_CHARGING: charging, _PARKING: parking}))

    def split(self, span: Any, cut: int, found: tuple[ComponentPlan | None, ...]) -> int:
        """``span`` for a plan decided only by instants, cut at ``cut`` (the end of the stretch it
        starts in, where it meets ``found``) and every later cut before its end; answers the end of
        the stretch it ends in."""
        kind, s, e, billable = span.kind, span.start_us, span.end_us, span.billable_us
        cum = self.cum
        top = cum + span.energy_kwh
        entries = self.entries
        piece: list[Any] | None = None  # [start, end, kind, energy, time, applied], not yet written
        t0, c0, billed_before = s, cum, 0
        while True:
            if cut >= e:
                t1, c1, billed_to = e, top, billable
            else:
                t1, c1, billed_to = cut, _energy_at(span, cum, c0, top, cut), _billed_to(span, cut)
            energy, time = c1 - c0, billed_to - billed_before
            piece = _add_piece(entries, piece, t0, t1, kind, energy, time, self.book(kind, found, energy, time))
            if t1 == e:
                break
            t0, c0, billed_before = t1, c1, billed_to
            cut = self.enter(t1)
            found = self.met(kind)
        entries.append(tuple(piece))
        self._count(kind, billable, top)
        return cut

    def book(self, kind: PeriodKind, found: tuple[ComponentPlan | None, ...], energy: Decimal,
             time: int) -> tuple[Any, ...]:
        """Bill a piece's energy and time to the components it met (and the session's FLAT fee, if
        still due); what the piece shows for it."""
        quantities, last = self.quantities, self.last
        time_dim, flat_dim = _DIMENSIONS[kind]
        e_comp = found[0] if energy else None
        t_comp = found[1] if time else None
        f_comp = found[2] if self.flat_pending[flat_dim] else None
        if e_comp is not None:
            quantities[e_comp] = quantities.get(e_comp, _ZERO) + energy
            last[LineType.ENERGY] = e_comp
        if t_comp is not None:
            quantities[t_comp] = quantities.get(t_comp, 0) + time
            last[time_dim] = t_comp
        if f_comp is not None:
            quantities[f_comp] = _ONE
            self.flat_pending[flat_dim] = False
        return self.plan.applied(e_comp, t_comp, f_comp)

    def _count(self, kind: PeriodKind, billable: int, top: Decimal) -> None:
        if kind is _CHARGING:
            self.charging_us += billable
        elif kind is _PARKING:
            self.parking_us += billable
        else:
            self.reservation_us += billable
        self.cum = top


def _add_piece(entries: list[PeriodEntry], piece: list[Any] | None, start: int, end: int, kind: PeriodKind,
               energy: Decimal, time: int, applied: tuple[Any, ...]) -> list[Any]:
    """The next piece of a split span after ``piece`` (the one before, not yet written): where
    nothing changed at the cut between them (a DST change, say) they stay one period."""
    if piece is not None and applied is piece[5]:
        piece[1] = end
        piece[3] += energy
        piece[4] += time
        return piece
    if piece is not None:
        entries.append(tuple(piece))
    return [start, end, kind, energy, time, applied]


def _energy_at(span: Any, cum: Decimal, floor: Decimal, top: Decimal, t: int) -> Decimal:
    """The session's energy at instant ``t`` inside ``span`` (which started at ``cum`` and ends at
    ``top``): constant power within a period, kept to 1e-12 kWh without passing ``floor`` (the
    energy at the previous cut) or ``top``."""
    energy = span.energy_kwh
    if not energy:
        return cum
    at: Decimal = cum + energy * (t - span.start_us) / (span.end_us - span.start_us)
    kept = at.quantize(_ENERGY_QUANTUM)
    return at if kept == at else min(max(kept, floor), top)


def _billed_to(span: Any, t: int) -> int:
    """The microseconds of ``span``'s billed duration before ``t``: a stated duration is shared out
    in proportion to wall-clock time."""
    wall = span.end_us - span.start_us
    return span.billable_us * (t - span.start_us) // wall if wall else 0


def _cut_points(plan: RatingPlan, local_cuts: list[int], s: int, e: int, origin: int,
                cum: Decimal, energy: Decimal) -> list[tuple[int, Decimal | None]]:
    """Instants inside ``(s, e)`` where a restriction may change its answer; kWh thresholds come
    with their exact cumulative energy, the others get theirs interpolated later."""
    points: list[tuple[int, Decimal | None]] = [(t, None) for t in local_cuts]
    for threshold in plan.duration_cuts:
        t = origin + threshold
        if s < t < e:
            points.append((t, None))
    if energy and plan.kwh_cuts:
        top = cum + energy
        for k in plan.kwh_cuts:
            if cum < k < top:
                # Constant power within the period: the threshold is crossed this far into it.
                points.append((s + int((k - cum) * (e - s) / energy), k))
    if len(points) > 1:
        points.sort(key=lambda p: (p[0], p[1] is not None))
        # Two restrictions changing at the same instant make one cut, not an empty period.
        points = [p for i, p in enumerate(points) if i == 0 or p[1] is not None or p[0] != points[i - 1][0]]
    return points
