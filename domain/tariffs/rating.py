"""The rating engine: a session profile and a tariff in, a cost breakdown out; pure and deterministic.

OCPI 2.2.1 semantics, decided point by point in docs/tariffs.md: time is walked period by period
and split wherever a restriction can change its answer (a local time of day, a DST transition, a
duration or kWh threshold); for each dimension the first element whose restrictions hold and that
prices the dimension applies; step sizes round each dimension's session total once; only the
first FLAT fee counts; min/max price bound the excl- and incl-VAT totals separately.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import timedelta, tzinfo
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import Any

from domain.tariffs.billing import Walked, finish
from domain.tariffs.breakdown import AppliedElement, CostBreakdown, LineType, PeriodKind
from domain.tariffs.localtime import DAY_US, LocalClock, from_us, local_clock
from domain.tariffs.matching import first_match
from domain.tariffs.model import Tariff
from domain.tariffs.plan import ComponentPlan, RatingPlan, plan_for
from domain.tariffs.profile import SessionProfile

# Rating must not depend on whatever Decimal context the caller left behind.
_CONTEXT = Context(prec=34, rounding="ROUND_HALF_EVEN", traps=[InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal(0)
_ONE = Decimal(1)
_US_PER_HOUR = 3_600_000_000
# Energy at a cut inside a period is interpolated; when that is not exact, 1e-12 kWh (a
# nanowatt-hour) keeps every later sum exact, far below anything a meter or a price can see.
_ENERGY_QUANTUM = Decimal("1e-12")
_CHARGING, _PARKING, _RESERVATION = PeriodKind.CHARGING, PeriodKind.PARKING, PeriodKind.RESERVATION


def rate(tariff: Tariff, profile: SessionProfile, tz: tzinfo) -> CostBreakdown:
    """Price ``profile`` with ``tariff``; ``tz`` is the location's zone, which time-of-day, day and
    date restrictions are read in. Amounts keep 12 decimals: call ``.rounded()`` to bill."""
    plan = plan_for(tariff)
    with localcontext(_CONTEXT):
        if plan.static and profile.reservation is None:
            walked = _walk_static(plan, profile)
        else:
            walked = _walk(plan, local_clock(tz) if plan.needs_local else None, profile)
        return finish(plan, profile, walked)


def _applied(cache: dict[tuple[object, ...], tuple[AppliedElement, ...]],
             key: tuple[ComponentPlan | None, ...]) -> tuple[AppliedElement, ...]:
    applied = cache.get(key)
    if applied is None:
        applied = cache.setdefault(key, tuple(c.applied for c in key if c is not None))
    return applied


def _walk_static(plan: RatingPlan, profile: SessionProfile) -> Walked:
    """No restriction on any session dimension: each kind of period always meets the same elements,
    so there is nothing to split or match; only the sums and the period rows remain."""
    fixed = plan.fixed
    energy_comp, time_comp = fixed[LineType.ENERGY], fixed[LineType.TIME]
    parking_comp, flat_comp = fixed[LineType.PARKING_TIME], fixed[LineType.FLAT]
    cache = plan.applied_cache
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    cum = _ZERO
    charging_us = parking_us = 0
    flat = flat_comp  # only the first period meets the FLAT fee
    for span in profile.periods:
        energy, billable = span.energy_kwh, span.billable_us
        if span.charging:
            key = (energy_comp if energy else None, time_comp if billable else None, flat)
            cum += energy
            charging_us += billable
        else:
            key = (None, parking_comp if billable else None, flat)
            parking_us += billable
        applied = cache.get(key)
        if applied is None:
            applied = _applied(cache, key)
        append((span.start, span.end, span.kind, energy, span.billable, applied))
        flat = None
    quantities: dict[ComponentPlan, Any] = {}
    last: dict[LineType, ComponentPlan] = {}
    for dimension, component, quantity in ((LineType.ENERGY, energy_comp, cum), (LineType.TIME, time_comp, charging_us),
                                           (LineType.PARKING_TIME, parking_comp, parking_us)):
        if component is not None and quantity:
            quantities[component] = quantity
            last[dimension] = component
    if flat_comp is not None and rows:
        quantities[flat_comp] = _ONE
    return quantities, last, rows, cum, charging_us, parking_us, 0


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


_DIMENSIONS = {  # per kind of period: the time dimension it bills and its FLAT dimension
    _CHARGING: (LineType.TIME, LineType.FLAT),
    _PARKING: (LineType.PARKING_TIME, LineType.FLAT),
    _RESERVATION: (LineType.RESERVATION_TIME, LineType.RESERVATION_FLAT),
}
_MAX_MEMO = 4096
_NEVER = 1 << 62  # microseconds: far beyond any instant


def _walk(plan: RatingPlan, clock: LocalClock | None, profile: SessionProfile) -> Walked:
    """Walk every period, split it wherever a restriction may change, match each piece.

    When only instants decide (``plan.time_only``), the elements matched for a period also hold for
    the next periods of the same kind up to the next cut instant (``horizon``): those periods are
    carried forward without splitting or matching, which is most periods of a metered session."""
    candidates = plan.candidates
    energy_candidates = candidates[LineType.ENERGY]
    tod_cuts, duration_cuts = plan.tod_cuts, plan.duration_cuts
    uses_power, uses_dates, time_only = plan.uses_power, plan.uses_dates, plan.time_only
    splits = duration_cuts or plan.kwh_cuts
    memo = plan.local_memo if plan.local_only else None
    applied_cache = plan.applied_cache
    quantities: dict[ComponentPlan, Any] = {}
    last: dict[LineType, ComponentPlan] = {}
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    flat_pending = {LineType.FLAT: True, LineType.RESERVATION_FLAT: True}
    cum = _ZERO
    charging_us = parking_us = reservation_us = 0
    session_origin = profile.start_us
    reservation = profile.reservation
    spans: tuple[Any, ...] = profile.periods if reservation is None else (reservation, *profile.periods)
    tod = day = offset = 0
    local_cuts: list[int] = []
    piece: list[Any] = []  # the part of a split period not yet written: [start, end, applied, energy, time]
    # Per kind of period, the match carried forward: [horizon, match, row texts by (energy?, time?),
    # energy and time of the run not yet booked]. Kinds bill disjoint dimensions, so runs of
    # charging and parking may interleave without disturbing which component was used last.
    carry: dict[PeriodKind, list[Any]] = {}
    variants = plan.applied_variants

    for span in spans:
        kind = span.kind
        run = carry.get(kind)
        if run is not None:
            if span.end_us <= run[0]:
                # Same answer as the period that set the carry; its FLAT fee, if any, is billed.
                energy, billable = span.energy_kwh, span.billable_us
                run[3] += energy
                run[4] += billable
                texts = run[2][(2 if energy else 0) + (1 if billable else 0)]
                append((span.start, span.end, kind, energy, span.billable, texts))
                continue
            del carry[kind]
            cum, charging_us, parking_us, reservation_us = _flush(
                quantities, last, kind, run, cum, charging_us, parking_us, reservation_us)
        time_dim, flat_dim = _DIMENSIONS[kind]
        s, e, billable, energy = span.start_us, span.end_us, span.billable_us, span.energy_kwh
        top = cum + energy

        if kind is _RESERVATION:
            origin, expired = s, span.expired
        else:
            origin, expired = session_origin, False
        wall = e - s
        current, power = span.max_current_a, span.max_power_kw
        if power is None and uses_power and kind is not _RESERVATION:
            power = energy * _US_PER_HOUR / wall if energy and wall else (None if energy else _ZERO)
        time_candidates = candidates[time_dim]
        flat_candidates = candidates[flat_dim]

        horizon = _NEVER
        if clock is not None:
            offset, local_cuts, horizon = clock.cuts(s, e, tod_cuts)
        if local_cuts or splits:
            points = _cut_points(plan, local_cuts, s, e, origin, cum, energy)
        else:
            points = None
        if points:
            bounds = [(s, cum)]
            for t, at in points:
                if at is None:
                    at = cum + energy * (t - s) / wall if energy else cum
                    kept = at.quantize(_ENERGY_QUANTUM)
                    if kept != at:
                        # Rounding the interpolation must not step past a neighbour.
                        at = min(max(kept, bounds[-1][1]), top)
                bounds.append((t, at))
            bounds.append((e, top))
            segments = len(bounds) - 1
        else:
            bounds = None
            segments = 1

        billed_before = 0
        for i in range(segments):
            if bounds is None:
                t0, c0, seg_energy, seg_time = s, cum, energy, billable
            else:
                t0, c0 = bounds[i]
                t1, c1 = bounds[i + 1]
                seg_energy = c1 - c0
                if i == segments - 1:
                    billed_to = billable
                else:  # a stated duration is shared out in proportion to wall-clock time
                    billed_to = billable * (t1 - s) // wall if wall else 0
                seg_time = billed_to - billed_before
                billed_before = billed_to
            if clock is not None:
                local = t0 + (offset if i == 0 else clock.offset(t0))
                tod, day = local % DAY_US, local // DAY_US
            if memo is not None:
                memo_key = (kind, expired, bisect_right(tod_cuts, tod), (day + 3) % 7, day if uses_dates else 0)
                found = memo.get(memo_key)
                if found is None:
                    if len(memo) >= _MAX_MEMO:
                        memo.clear()
                    found = memo.setdefault(memo_key, (
                        first_match(energy_candidates, tod, day, 0, c0, None, None, expired),
                        first_match(time_candidates, tod, day, 0, c0, None, None, expired),
                        first_match(flat_candidates, tod, day, 0, c0, None, None, expired)))
            else:
                elapsed = t0 - origin
                found = (first_match(energy_candidates, tod, day, elapsed, c0, power, current, expired),
                         first_match(time_candidates, tod, day, elapsed, c0, power, current, expired),
                         first_match(flat_candidates, tod, day, elapsed, c0, power, current, expired))
            e_comp = found[0] if seg_energy else None
            t_comp = found[1] if seg_time else None
            f_comp = found[2] if flat_pending[flat_dim] else None
            if e_comp is not None:
                quantities[e_comp] = quantities.get(e_comp, _ZERO) + seg_energy
                last[LineType.ENERGY] = e_comp
            if t_comp is not None:
                quantities[t_comp] = quantities.get(t_comp, 0) + seg_time
                last[time_dim] = t_comp
            if f_comp is not None:
                quantities[f_comp] = _ONE
                flat_pending[flat_dim] = False
            applied = _applied(applied_cache, (e_comp, t_comp, f_comp))
            if bounds is None:
                append((span.start, span.end, kind, energy, span.billable, applied))
            elif i and applied is piece[2]:
                # A cut where nothing changed (a DST change, say): one period, not two.
                piece = [piece[0], t1, applied, piece[3] + seg_energy, piece[4] + seg_time]
            else:
                if i:
                    _append_piece(append, span, kind, piece, False)
                piece = [t0, t1, applied, seg_energy, seg_time]
        if bounds is not None:
            _append_piece(append, span, kind, piece, True)

        # The last piece's match holds on until the next cut instant after it.
        carrying = time_only
        if carrying:
            if bounds is not None:
                horizon = clock.cuts(t0, e, tod_cuts)[2] if clock is not None else _NEVER
            for threshold in duration_cuts:
                if origin + threshold > t0:
                    horizon = min(horizon, origin + threshold)
                    break

        if kind is _CHARGING:
            charging_us += billable
        elif kind is _PARKING:
            parking_us += billable
        else:
            reservation_us += billable
        cum = top
        if carrying:
            texts = variants.get(found)
            if texts is None:
                texts = variants.setdefault(found, tuple(
                    _applied(applied_cache, (found[0] if has_energy else None, found[1] if has_time else None, None))
                    for has_energy in (False, True) for has_time in (False, True)))
            carry[kind] = [horizon, found, texts, _ZERO, 0]
    for kind, run in carry.items():
        cum, charging_us, parking_us, reservation_us = _flush(
            quantities, last, kind, run, cum, charging_us, parking_us, reservation_us)
    return quantities, last, rows, cum, charging_us, parking_us, reservation_us


def _append_piece(append: Any, span: Any, kind: PeriodKind, piece: list[Any], last: bool) -> None:
    start, end, applied, energy, time = piece
    append((span.start if start == span.start_us else from_us(start), span.end if last else from_us(end),
            kind, energy, timedelta(0, 0, time), applied))


def _flush(quantities: dict[ComponentPlan, Any], last: dict[LineType, ComponentPlan], kind: PeriodKind,
           run: list[Any], cum: Decimal, charging_us: int, parking_us: int,
           reservation_us: int) -> tuple[Decimal, int, int, int]:
    """Book a run of carried periods: their energy and time go to the carried components."""
    _horizon, (energy_comp, time_comp, _flat), _texts, energy, time = run
    if energy and energy_comp is not None:
        quantities[energy_comp] = quantities.get(energy_comp, _ZERO) + energy
        last[LineType.ENERGY] = energy_comp
    if time and time_comp is not None:
        quantities[time_comp] = quantities.get(time_comp, 0) + time
        last[time_comp.dimension] = time_comp
    if kind is _CHARGING:
        charging_us += time
    elif kind is _PARKING:
        parking_us += time
    else:
        reservation_us += time
    return cum + energy, charging_us, parking_us, reservation_us
