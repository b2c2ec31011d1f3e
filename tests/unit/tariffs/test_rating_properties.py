"""Properties of the rating engine that must hold for every tariff and every session."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from enum import Enum

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.geography import CURRENCY_EXPONENTS
from domain.tariffs import (
    CostBreakdown,
    DimensionType,
    SessionProfile,
    Tariff,
    parse_tariff,
    rate,
    rating,
    tariff_to_json,
)
from domain.tariffs.billing import finish
from domain.tariffs.breakdown import LIMIT_TYPES
from domain.tariffs.localtime import local_clock
from domain.tariffs.plan import RatingPlan
from tests.unit.tariffs import strategies as s

# TARIFF_EXAMPLES=5000 for a deeper hunt; the default keeps the suite quick.
EXAMPLES = settings(max_examples=int(os.environ.get("TARIFF_EXAMPLES", "100")), deadline=None)


def _rated(tariff: Tariff, profile: SessionProfile, tz: tzinfo) -> tuple[CostBreakdown, CostBreakdown]:
    breakdown = rate(tariff, profile, tz)
    return breakdown, breakdown.rounded()


def _summary(b: CostBreakdown) -> tuple[object, ...]:
    return (b.total_excl_vat, b.vat, b.total,
            tuple((line.type, line.element, line.quantity, line.amount, line.vat) for line in b.lines))


@EXAMPLES
@given(s.tariffs(), s.profiles(), s.zones)
def test_totals_are_never_negative_and_excl_plus_vat_is_incl(tariff, profile, tz):
    for b in _rated(tariff, profile, tz):
        assert b.total_excl_vat >= 0 and b.vat >= 0 and b.total >= 0
        assert b.total_excl_vat + b.vat == b.total
        assert sum(line.amount for line in b.lines) == b.total_excl_vat
        assert sum(line.vat for line in b.lines) == b.vat
        for line in b.lines:
            if line.type not in LIMIT_TYPES:
                assert line.amount >= 0 and line.vat >= 0 and line.quantity >= 0


@EXAMPLES
@given(s.tariffs(), s.profiles(), s.zones)
def test_min_and_max_price_bound_both_totals(tariff, profile, tz):
    """Billed in minor units, a minimum rounds up and a cap down; only when no amount fits between
    the two (say 8.20 to 8.40 JPY) does the cap win over the minimum."""
    unrounded, billed = _rated(tariff, profile, tz)
    low, high = tariff.min_price, tariff.max_price
    quantum = Decimal(1).scaleb(-CURRENCY_EXPONENTS[tariff.currency])
    for b in (unrounded, billed):
        for total, low_bound, high_bound in ((b.total_excl_vat, low and low.excl_vat, high and high.excl_vat),
                                             (b.total, low and low.incl_vat, high and high.incl_vat)):
            if high_bound is not None:
                assert total <= high_bound
            if low_bound is not None:
                room = high_bound is None or (b is unrounded and low_bound <= high_bound) or \
                    low_bound.quantize(quantum, ROUND_CEILING) <= high_bound.quantize(quantum, ROUND_FLOOR)
                if room:
                    assert total >= low_bound


@EXAMPLES
@given(s.tariffs(kinds=[DimensionType.ENERGY], steps=False, kwh=False, power=False), s.profiles(whole_wh=True),
       s.zones, st.data())
def test_energy_only_tariff_never_gets_cheaper_with_more_energy_time_restricted(tariff, profile, tz, data):
    """Monotonicity holds where OCPI makes it hold: energy-only tariffs whose elements depend on the
    clock and the time since plug-in. It does not in general: a max_power restriction can move a
    period to a cheaper element when its power rises, per-component step sizes can round a total
    at a smaller step once a later element is used, and kWh thresholds combined with time of day
    can shift later energy into a cheaper element (see docs/tariffs.md)."""
    _assert_more_energy_costs_no_less(tariff, profile, tz, data)


@EXAMPLES
@given(s.tariffs(kinds=[DimensionType.ENERGY], steps=False, local=False, power=False, duration=False),
       s.profiles(whole_wh=True), s.zones, st.data())
def test_energy_only_tariff_never_gets_cheaper_with_more_energy_kwh_restricted(tariff, profile, tz, data):
    """The same with kWh thresholds alone: the price is then a function of the cumulative energy."""
    _assert_more_energy_costs_no_less(tariff, profile, tz, data)


def _assert_more_energy_costs_no_less(tariff: Tariff, profile: SessionProfile, tz: tzinfo, data: st.DataObject) -> None:
    if not profile.periods:
        return
    i = data.draw(st.integers(0, len(profile.periods) - 1))
    extra = Decimal(data.draw(st.integers(1, 20_000))) / 1000  # whole Wh
    period = profile.periods[i]
    raised = attrs.evolve(period, energy_kwh=period.energy_kwh + extra, charging=True)
    more = attrs.evolve(profile, periods=(*profile.periods[:i], raised, *profile.periods[i + 1:]))
    before, after = rate(tariff, profile, tz), rate(tariff, more, tz)
    assert after.total_excl_vat >= before.total_excl_vat
    # A price bound without incl_vat takes the session's effective VAT rate (pro rata), which more
    # energy at a lower-VAT element can lower; with one VAT rate, or explicit bounds, incl rises too.
    rates = {c.vat for e in tariff.elements for c in e.price_components}
    bounds = [b for b in (tariff.min_price, tariff.max_price) if b is not None]
    if len(rates) == 1 or all(b.incl_vat is not None for b in bounds):
        assert after.total >= before.total


@EXAMPLES
@given(s.tariffs(), s.profiles(), s.zones, st.data())
def test_splitting_a_period_anywhere_changes_nothing(tariff, profile, tz, data):
    """Stronger than asked: this holds with step sizes and price limits too, because the engine
    itself splits at every boundary and applies step sizes and limits to session totals."""
    if not profile.periods:
        return
    i = data.draw(st.integers(0, len(profile.periods) - 1))
    period = profile.periods[i]
    seconds = (period.end - period.start) // timedelta(seconds=1)
    if seconds < 2:
        return
    k = data.draw(st.integers(1, seconds - 1))
    cut = period.start + timedelta(seconds=k)
    first_energy = period.energy_kwh * k / seconds  # exact: the energy is a whole number per second
    halves = (attrs.evolve(period, end=cut, energy_kwh=first_energy),
              attrs.evolve(period, start=cut, energy_kwh=period.energy_kwh - first_energy))
    split = attrs.evolve(profile, periods=(*profile.periods[:i], *halves, *profile.periods[i + 1:]))
    assert _summary(rate(tariff, split, tz)) == _summary(rate(tariff, profile, tz))


@EXAMPLES
@given(s.tariffs(), s.profiles(), s.zones)
def test_fast_paths_agree_with_the_plain_walk(tariff, profile, tz):
    """The engine skips work when it can (no walk for unrestricted tariffs, answers remembered per
    stretch of the day, periods carried forward to the next cut); a plan with every shortcut
    switched off must give the same breakdown, period by period."""
    plain = RatingPlan(tariff)
    plain.static = plain.local_only = plain.time_only = False
    with localcontext(rating._CONTEXT):
        walked = rating._walk(plain, local_clock(tz) if plain.needs_local else None, profile)
        reference = finish(plain, profile, walked)
    ours = rate(tariff, profile, tz)
    assert _summary(ours) == _summary(reference)
    assert [(p.start, p.end, p.kind, p.energy_kwh, p.duration, p.applied) for p in ours.periods] == \
        [(p.start, p.end, p.kind, p.energy_kwh, p.duration, p.applied) for p in reference.periods]


def _walk_values(value: object, path: str = "breakdown") -> Iterator[tuple[str, object]]:
    yield path, value
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _walk_values(getattr(value, field.name), f"{path}.{field.name}")
    elif hasattr(value, "_fields"):  # a NamedTuple (CostBreakdown, CostLine)
        for name in value._fields:
            yield from _walk_values(getattr(value, name), f"{path}.{name}")
        if isinstance(value, CostBreakdown):
            yield from _walk_values(value.periods, f"{path}.periods")
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _walk_values(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_values(item, f"{path}[{key!r}]")
    else:
        assert isinstance(value, (Decimal, int, str, bool, Enum, datetime, date, time, timedelta, type(None))), \
            f"{path} is a {type(value).__name__}"


@EXAMPLES
@given(s.tariffs(), s.profiles(), s.zones)
def test_no_float_anywhere_in_a_breakdown(tariff, profile, tz):
    for b in _rated(tariff, profile, tz):
        for path, value in _walk_values(b):
            assert not isinstance(value, float), path
        for path, value in _walk_values(b.to_json(), "json"):
            assert not isinstance(value, float), path


@EXAMPLES
@given(s.tariffs())
def test_a_tariff_survives_the_json_round_trip(tariff):
    assert parse_tariff(tariff_to_json(tariff)) == tariff


@settings(max_examples=50, deadline=None)
@given(s.tariffs(), s.profiles(max_periods=4), s.zones)
def test_periods_cover_the_profile_and_add_up(tariff, profile, tz):
    b = rate(tariff, profile, tz)
    assert sum((p.energy_kwh for p in b.periods), Decimal(0)) == profile.energy_kwh == b.energy_kwh
    spans = [(p.start, p.end) for p in b.periods]
    assert all(a[1] == b_[0] for a, b_ in itertools.pairwise(spans))
    assert sum((p.duration for p in b.periods if p.kind.value == "charging"), timedelta(0)) == b.charging_time
    assert b.total_time == profile.end - profile.start

