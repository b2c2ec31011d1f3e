"""Hypothesis strategies for tariffs and session profiles, all in one place."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from domain.tariffs import (
    ChargingPeriod,
    DayOfWeek,
    DimensionType,
    Price,
    PriceComponent,
    Restrictions,
    SessionProfile,
    Tariff,
    TariffElement,
)

# Zones with DST (two hemispheres, a 30-minute change in Lord Howe), without, and a half-hour offset.
ZONES = [ZoneInfo(name) for name in ("UTC", "Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe",
                                     "Asia/Kolkata")]
CURRENCIES = ["EUR", "JPY", "KWD"]
# Sessions start within a few days of a DST change in either direction, or anywhere in 2024.
DST_DAYS = [date(2024, 3, 31), date(2024, 10, 27), date(2024, 3, 10), date(2024, 11, 3), date(2024, 4, 7),
            date(2024, 10, 6)]

zones = st.sampled_from(ZONES)
prices = st.decimals(min_value=0, max_value=5, places=3)
vats = st.none() | st.sampled_from([Decimal(0), Decimal("5.5"), Decimal(10), Decimal(21), Decimal("7.7")])
times_of_day = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
kwh_bounds = st.decimals(min_value=0, max_value=60, places=1)
power_bounds = st.sampled_from([Decimal(n) for n in (3, 7, 11, 16, 22, 32, 50)])
duration_bounds = st.integers(0, 6 * 3600).map(lambda s: s - s % 60)


def _ordered_pair(values: st.SearchStrategy[object]) -> st.SearchStrategy[tuple[object, object]]:
    """(low, high) with either side absent, and low < high when both are present."""
    def order(pair: tuple[object, object]) -> tuple[object, object]:
        low, high = pair
        if low is not None and high is not None:
            if low == high:
                return low, None
            return (low, high) if low < high else (high, low)  # type: ignore[operator]
        return low, high
    return st.tuples(st.none() | values, st.none() | values).map(order)


@st.composite
def restrictions(draw: st.DrawFn, *, local: bool = True, kwh: bool = True, power: bool = True,
                 duration: bool = True) -> Restrictions | None:
    values: dict[str, object] = {}
    if local and draw(st.booleans()):
        values["start_time"], values["end_time"] = draw(st.tuples(st.none() | times_of_day, st.none() | times_of_day))
    if local and draw(st.booleans()):
        values["day_of_week"] = tuple(draw(st.lists(st.sampled_from(list(DayOfWeek)), min_size=1, max_size=6,
                                                    unique=True)))
    if local and draw(st.integers(0, 5)) == 0:
        first = draw(st.sampled_from(DST_DAYS)) + timedelta(days=draw(st.integers(-2, 2)))
        values["start_date"], values["end_date"] = first, first + timedelta(days=draw(st.integers(1, 3)))
    if kwh and draw(st.booleans()):
        values["min_kwh"], values["max_kwh"] = draw(_ordered_pair(kwh_bounds))
    if power and draw(st.integers(0, 3)) == 0:
        values["min_power"], values["max_power"] = draw(_ordered_pair(power_bounds))
    if power and draw(st.integers(0, 5)) == 0:
        values["min_current"], values["max_current"] = draw(_ordered_pair(st.sampled_from([Decimal(16), Decimal(32)])))
    if duration and draw(st.booleans()):
        values["min_duration"], values["max_duration"] = draw(_ordered_pair(duration_bounds))
    found = Restrictions(**values)  # type: ignore[arg-type]
    return None if found.is_empty else found


def step_sizes(kind: DimensionType) -> st.SearchStrategy[int]:
    if kind is DimensionType.FLAT:
        return st.sampled_from([0, 1])
    if kind is DimensionType.ENERGY:
        return st.sampled_from([1, 1, 100, 500, 1000])
    return st.sampled_from([1, 1, 60, 300, 900])


@st.composite
def components(draw: st.DrawFn, kinds: list[DimensionType], *, steps: bool = True) -> tuple[PriceComponent, ...]:
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=len(kinds), unique=True))
    return tuple(PriceComponent(kind, draw(prices), draw(step_sizes(kind)) if steps else 1, draw(vats))
                 for kind in chosen)


@st.composite
def limits(draw: st.DrawFn) -> tuple[Price | None, Price | None]:
    def price(excl: Decimal) -> Price:
        incl = draw(st.none() | st.sampled_from([excl, excl * Decimal("1.21"), excl * Decimal("1.1")]))
        return Price(excl, incl)
    low = draw(st.none() | st.decimals(min_value=0, max_value=10, places=2))
    high = draw(st.none() | st.decimals(min_value=0, max_value=100, places=2))
    if low is not None and high is not None and high < low:
        low, high = high, low
    low_price, high_price = (None if low is None else price(low)), (None if high is None else price(high))
    if low_price and high_price and low_price.incl_vat is not None and high_price.incl_vat is not None \
            and high_price.incl_vat < low_price.incl_vat:
        high_price = Price(high_price.excl_vat, None)
    return low_price, high_price


@st.composite
def tariffs(draw: st.DrawFn, *, kinds: list[DimensionType] | None = None, steps: bool = True,
            with_limits: bool = True, local: bool = True, kwh: bool = True, power: bool = True,
            duration: bool = True, max_elements: int = 3) -> Tariff:
    kinds = kinds or list(DimensionType)
    count = draw(st.integers(1, max_elements))
    elements = tuple(
        TariffElement(draw(components(kinds, steps=steps)),
                      draw(restrictions(local=local, kwh=kwh, power=power, duration=duration)))
        for _ in range(count))
    low, high = draw(limits()) if with_limits else (None, None)
    return Tariff(currency=draw(st.sampled_from(CURRENCIES)), elements=elements, min_price=low, max_price=high)


# Energy per second of charging, in kWh: up to 0.0139 kWh/s (50 kW). Periods last whole seconds, so
# a period's energy is a whole number of these and splitting it at any second is exact.
energy_rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.0139"), places=4)


@st.composite
def session_starts(draw: st.DrawFn) -> datetime:
    if draw(st.booleans()):
        day = draw(st.sampled_from(DST_DAYS)) + timedelta(days=draw(st.integers(-1, 0)))
        base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    else:
        base = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 365)))
    return base + timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))


@st.composite
def profiles(draw: st.DrawFn, *, max_periods: int = 8, whole_wh: bool = False) -> SessionProfile:
    """Contiguous periods of whole seconds; a charging period draws a whole number of energy quanta
    per second (whole Wh per second with ``whole_wh``), a parked one draws nothing."""
    start = draw(session_starts())
    count = draw(st.integers(0, max_periods))
    periods = []
    t = start
    for _ in range(count):
        seconds = draw(st.integers(1, 4 * 3600))
        charging = draw(st.integers(0, 3)) > 0
        if charging:
            rate_ = draw(st.integers(1, 13).map(lambda n: Decimal(n) / 1000) if whole_wh else energy_rates)
            explicit = draw(st.none() | power_bounds)
            periods.append(ChargingPeriod(t, t + timedelta(seconds=seconds), rate_ * seconds, max_power_kw=explicit))
        else:
            periods.append(ChargingPeriod(t, t + timedelta(seconds=seconds), charging=False))
        t += timedelta(seconds=seconds)
    end = t + timedelta(seconds=draw(st.integers(0, 600)))
    return SessionProfile(start, end, periods)
