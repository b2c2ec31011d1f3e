"""Worked examples of the rating engine, one interpretation choice each (see docs/tariffs.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.errors import InvalidInput
from domain.tariffs import (
    ChargingPeriod,
    LineType,
    PeriodKind,
    Reservation,
    SessionProfile,
    parse_tariff,
    profile_from_meter_values,
    quote_profile,
    rate,
)

BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal


def tariff(*elements: dict[str, Any], **extra: Any) -> Any:
    return parse_tariff({"currency": "EUR", "elements": list(elements), **extra})


def energy(price: str, *, vat: str | None = "21", step: int = 1, **restrictions: Any) -> dict[str, Any]:
    component = {"type": "ENERGY", "price": price, "step_size": step}
    if vat is not None:
        component["vat"] = vat
    element: dict[str, Any] = {"price_components": [component]}
    if restrictions:
        element["restrictions"] = restrictions
    return element


def component(kind: str, price: str, step: int = 1, vat: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "price": price, "step_size": step}
    if vat is not None:
        out["vat"] = vat
    return out


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def energy_by_element(breakdown: Any) -> dict[int | None, Decimal]:
    return {line.element: line.quantity for line in breakdown.lines if line.type is LineType.ENERGY}


# --- time of day in the location's zone -------------------------------------------------------

NIGHT = tariff(energy("0.10", start_time="22:00", end_time="06:00"), energy("0.30"))


def test_a_night_window_wrapping_past_midnight_on_the_night_clocks_go_back():
    # 2024-10-27 in Berlin: 03:00 CEST becomes 02:00 CET, so that night lasts nine real hours.
    start = datetime(2024, 10, 26, 20, 0, tzinfo=BERLIN)
    end = datetime(2024, 10, 27, 8, 0, tzinfo=BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=13)  # same-zone "-" is wall time
    b = rate(NIGHT, quote_profile(start, end, D(13)), BERLIN)
    assert energy_by_element(b) == {0: D(9), 1: D(4)}
    assert b.total_excl_vat == D("2.10")
    assert [p.start.astimezone(BERLIN).strftime("%H:%M") for p in b.periods] == ["20:00", "22:00", "06:00"]
    assert b.periods[1].applied[0].reason == "start_time 22:00–06:00 local (past midnight)"


def test_a_night_window_wrapping_past_midnight_on_the_night_clocks_go_forward():
    # 2024-03-31 in Berlin: 02:00 CET becomes 03:00 CEST, so that night lasts seven real hours.
    start = datetime(2024, 3, 30, 20, 0, tzinfo=BERLIN)
    end = datetime(2024, 3, 31, 8, 0, tzinfo=BERLIN)
    b = rate(NIGHT, quote_profile(start, end, D(11)), BERLIN)
    assert energy_by_element(b) == {0: D(7), 1: D(4)}
    assert b.total_excl_vat == D("1.90")


def test_a_window_starting_inside_the_repeated_hour_applies_both_times_it_comes_round():
    # 02:30–06:00 local on 2024-10-27: 02:30–03:00 CEST, back to 02:00 CET (outside), again from 02:30 CET.
    t = tariff(energy("0", start_time="02:30", end_time="06:00"), energy("1.00"))
    start = datetime(2024, 10, 27, 0, 0, tzinfo=BERLIN)
    end = datetime(2024, 10, 27, 7, 0, tzinfo=BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=8)
    b = rate(t, quote_profile(start, end, D(8)), BERLIN)
    assert energy_by_element(b) == {0: D(4), 1: D(4)}
    assert [(p.start.astimezone(UTC).strftime("%H:%M"), p.applied[0].element) for p in b.periods] == [
        ("22:00", 1), ("00:30", 0), ("01:00", 1), ("01:30", 0), ("05:00", 1)]


def test_time_of_day_is_read_in_the_location_zone_not_utc():
    b_utc = rate(NIGHT, quote_profile(utc(2024, 6, 1, 20), utc(2024, 6, 1, 22), D(2)), UTC)
    b_berlin = rate(NIGHT, quote_profile(utc(2024, 6, 1, 20), utc(2024, 6, 1, 22), D(2)), BERLIN)
    assert energy_by_element(b_utc) == {1: D(2)}  # 20:00–22:00 UTC is day in UTC ...
    assert energy_by_element(b_berlin) == {0: D(2)}  # ... and 22:00–00:00 in Berlin


def test_day_of_week_follows_the_local_calendar():
    t = tariff(energy("0.50", day_of_week=["SATURDAY", "SUNDAY"]), energy("0.30"))
    # Friday 23:00 UTC is Saturday 01:00 in Berlin (CEST).
    b = rate(t, quote_profile(utc(2024, 6, 7, 21), utc(2024, 6, 7, 23), D(2)), BERLIN)
    assert energy_by_element(b) == {1: D(1), 0: D(1)}


def test_a_period_that_starts_on_a_boundary_is_priced_after_it_even_when_it_lasts_no_time():
    # A CDR may state energy in a zero-length period; at 19:00 itself the day element no longer applies.
    t = tariff(energy("0.40", start_time="08:00", end_time="19:00"), energy("0.20"))
    periods = [ChargingPeriod(utc(2024, 5, 6, 18, 30), utc(2024, 5, 6, 19), D(3)),
               ChargingPeriod(utc(2024, 5, 6, 19), utc(2024, 5, 6, 19), D(1)),
               ChargingPeriod(utc(2024, 5, 6, 19), utc(2024, 5, 6, 19, 30), D(2))]
    b = rate(t, SessionProfile(utc(2024, 5, 6, 18, 30), utc(2024, 5, 6, 19, 30), periods), UTC)
    assert energy_by_element(b) == {0: D(3), 1: D(3)}
    assert [p.applied[0].element for p in b.periods] == [0, 1, 1]


# --- quotes and meter values ------------------------------------------------------------------


def test_a_quote_spreads_energy_at_constant_power_across_a_boundary():
    t = tariff(energy("0.40", start_time="08:00", end_time="19:00"), energy("0.20"))
    b = rate(t, quote_profile(utc(2024, 5, 6, 18, 20), utc(2024, 5, 6, 20, 0), D(10)), UTC)
    assert energy_by_element(b) == {0: D(4), 1: D(6)}  # 40 and 60 of the 100 minutes
    assert b.total_excl_vat == D("2.80")


def test_a_quote_with_a_power_limit_charges_then_parks():
    t = tariff({"price_components": [component("ENERGY", "0.30"), component("PARKING_TIME", "1.20")]})
    profile = quote_profile(utc(2024, 5, 6, 18), utc(2024, 5, 6, 22), D(22), max_power_kw=D(11))
    assert [(p.charging, p.end - p.start) for p in profile.periods] == [(True, timedelta(hours=2)),
                                                                         (False, timedelta(hours=2))]
    b = rate(t, profile, UTC)
    assert b.cost(LineType.ENERGY) == (D("6.60"), D("6.60"))
    assert b.cost(LineType.PARKING_TIME) == (D("2.40"), D("2.40"))
    with pytest.raises(InvalidInput) as raised:
        quote_profile(utc(2024, 5, 6, 18), utc(2024, 5, 6, 22), D(50), max_power_kw=D(11))
    assert raised.value.errors[0].field == "energy_kwh"


def test_meter_values_without_energy_between_them_are_parking():
    t0 = utc(2024, 5, 6, 18)
    profile = profile_from_meter_values([(t0, 0), (t0 + timedelta(minutes=5), 1000),
                                         (t0 + timedelta(minutes=10), 1000), (t0 + timedelta(minutes=15), 1500)])
    assert [(p.charging, p.energy_kwh) for p in profile.periods] == [(True, D(1)), (False, D(0)), (True, D("0.5"))]
    t = tariff({"price_components": [component("ENERGY", "0.30"), component("PARKING_TIME", "6.00")]})
    b = rate(t, profile, UTC)
    assert b.parking_time == timedelta(minutes=5)
    assert b.total_excl_vat == D("0.45") + D("0.50")


def test_meter_values_must_move_forward():
    t0 = utc(2024, 5, 6, 18)
    with pytest.raises(InvalidInput) as raised:
        profile_from_meter_values([(t0, 100), (t0 + timedelta(minutes=5), 90)])
    assert raised.value.errors[0].field == "meter_values[1].value"
    with pytest.raises(InvalidInput) as raised:
        profile_from_meter_values([(t0, 1.5)])  # type: ignore[list-item]
    assert raised.value.errors[0].field == "meter_values[0].value"


# --- FLAT, step sizes, VAT ---------------------------------------------------------------------


def test_only_the_first_flat_fee_counts():
    t = tariff({"price_components": [component("FLAT", "1.00", 0), component("TIME", "2.00")]})
    periods = [ChargingPeriod(utc(2024, 1, 1, h), utc(2024, 1, 1, h + 1), D(5)) for h in range(3)]
    b = rate(t, SessionProfile(utc(2024, 1, 1, 0), utc(2024, 1, 1, 3), periods), UTC)
    assert b.cost(LineType.FLAT) == (D("1.00"), D("1.00"))
    assert [a.dimension for a in b.periods[0].applied] == [LineType.TIME, LineType.FLAT]
    assert [a.dimension for a in b.periods[1].applied] == [LineType.TIME]


def test_a_restricted_flat_fee_is_charged_once_its_restriction_is_met():
    t = tariff({"price_components": [component("FLAT", "2.00", 0)], "restrictions": {"min_kwh": "10"}},
               energy("0.30"))
    b = rate(t, quote_profile(utc(2024, 1, 1, 0), utc(2024, 1, 1, 4), D(20)), UTC)
    assert b.cost(LineType.FLAT)[0] == D("2.00")
    flat_period = next(p for p in b.periods if any(a.dimension is LineType.FLAT for a in p.applied))
    assert flat_period.start == utc(2024, 1, 1, 2)  # 10 kWh in, at constant power
    assert rate(t, quote_profile(utc(2024, 1, 1, 0), utc(2024, 1, 1, 4), D(9)), UTC).cost(LineType.FLAT)[0] == 0


def test_time_step_size_rounds_the_session_total_up():
    t = tariff({"price_components": [component("TIME", "2.00", 60)]})
    b = rate(t, quote_profile(utc(2024, 1, 1, 0), utc(2024, 1, 1, 0, 1, 1), D(1)), UTC)
    assert b.lines[0].quantity == D("0.033333333333")  # 61 s billed as 120 s, in hours
    assert b.total_excl_vat == D("0.066666666667")
    assert b.rounded().total_excl_vat == D("0.07")


def test_time_step_size_is_not_applied_when_parking_is_billed_too():
    t = tariff({"price_components": [component("TIME", "2.00", 900), component("PARKING_TIME", "1.00", 900)]})
    periods = [ChargingPeriod(utc(2024, 1, 1, 0), utc(2024, 1, 1, 0, 10), D(2)),
               ChargingPeriod(utc(2024, 1, 1, 0, 10), utc(2024, 1, 1, 0, 20), charging=False)]
    b = rate(t, SessionProfile(utc(2024, 1, 1, 0), utc(2024, 1, 1, 0, 20), periods), UTC)
    time_line, parking_line = b.lines
    assert time_line.quantity == D("0.166666666667")  # 10 minutes as measured
    assert parking_line.quantity == D("0.25")  # 10 minutes rounded up to 15


def test_energy_step_size_follows_the_last_component_used():
    t = tariff(energy("2", vat=None, step=8000, end_time="17:00"), energy("2", vat=None, step=5000, start_time="17:00"))
    b = rate(t, quote_profile(utc(2024, 1, 1, 16, 55), utc(2024, 1, 1, 17, 7), D(12)), UTC)
    assert sum(line.quantity for line in b.lines) == D(15)  # 12 kWh in 5 kWh steps
    assert b.total_excl_vat == D(30)


def test_vat_absent_is_not_vat_zero_though_both_add_nothing():
    t = tariff(energy("0.30", vat=None, max_kwh="1"), energy("0.30", vat="0"))
    b = rate(t, quote_profile(utc(2024, 1, 1), utc(2024, 1, 1, 1), D(2)), UTC)
    no_vat, zero_vat = b.lines
    assert (no_vat.vat_rate, no_vat.vat) == (None, 0)
    assert (zero_vat.vat_rate, zero_vat.vat) == (D(0), 0)
    lines = b.to_json()["lines"]
    assert (lines[0]["vat_rate"], lines[1]["vat_rate"]) == (None, "0")
    assert b.total == b.total_excl_vat == D("0.60")


# --- price bounds and rounding -----------------------------------------------------------------


def test_min_price_raises_each_total_to_its_bound():
    t = tariff(energy("0.25", vat="10"), min_price={"excl_vat": "0.50", "incl_vat": "0.55"})
    b = rate(t, quote_profile(utc(2024, 1, 1), utc(2024, 1, 1, 1), D("1.2")), UTC)
    assert (b.total_excl_vat, b.total) == (D("0.50"), D("0.55"))
    assert b.lines[-1].type is LineType.MIN_PRICE and b.lines[-1].amount == D("0.20")


def test_max_price_without_incl_vat_caps_pro_rata_to_the_vat_mix():
    t = tariff({"price_components": [component("FLAT", "10", 0, vat="20"), component("ENERGY", "1", vat="10")]},
               max_price={"excl_vat": "15"})
    b = rate(t, quote_profile(utc(2024, 1, 1), utc(2024, 1, 1, 1), D(20)), UTC)
    # consumed 30.00 excl, 34.00 incl: the cap keeps that ratio.
    assert b.total_excl_vat == D(15)
    assert b.total == D(17)


def test_min_price_on_an_empty_session_carries_the_tariffs_vat():
    t = tariff(energy("0.30", vat="21"), min_price={"excl_vat": "1.00"})
    b = rate(t, SessionProfile(utc(2024, 1, 1), utc(2024, 1, 1, 0, 5), []), UTC)
    assert (b.total_excl_vat, b.vat, b.total) == (D("1.00"), D("0.21"), D("1.21"))


def test_rounding_is_half_up_once_per_line_with_vat_on_the_rounded_net():
    t = tariff({"price_components": [component("ENERGY", "0.125", vat="21"), component("FLAT", "0.005", 0, vat="21")]})
    b = rate(t, quote_profile(utc(2024, 1, 1), utc(2024, 1, 1, 1), D(1)), UTC)
    assert b.total_excl_vat == D("0.130")
    billed = b.rounded()
    assert [(line.amount, line.vat) for line in billed.lines] == [(D("0.01"), D("0.00")), (D("0.13"), D("0.03"))]
    assert (billed.total_excl_vat, billed.vat, billed.total) == (D("0.14"), D("0.03"), D("0.17"))
    assert billed.rounded() is billed


def test_rounded_bounds_land_exactly_on_the_bound():
    t = tariff({"price_components": [component("TIME", "1.00", vat="21")]},
               max_price={"excl_vat": "0.10", "incl_vat": "0.121"})
    b = rate(t, quote_profile(utc(2024, 1, 1), utc(2024, 1, 1, 0, 20), D(1)), UTC).rounded()
    assert (b.total_excl_vat, b.total) == (D("0.10"), D("0.12"))
    assert sum(line.amount for line in b.lines) == b.total_excl_vat


def test_currencies_round_to_their_own_minor_unit():
    t = parse_tariff({"currency": "JPY", "elements": [energy("33.5", vat="10")]})
    b = rate(t, quote_profile(utc(2024, 1, 1), utc(2024, 1, 1, 1), D(1)), UTC).rounded()
    assert (b.total_excl_vat, b.vat, b.total) == (D(34), D(3), D(37))


# --- thresholds inside a period ---------------------------------------------------------------


def test_a_kwh_threshold_splits_a_period_exactly():
    t = tariff(energy("0", max_kwh="1"), energy("0.20", min_kwh="1"))
    b = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 13), D(3)), UTC)
    assert energy_by_element(b) == {0: D(1), 1: D(2)}
    assert [(p.start.hour, p.energy_kwh) for p in b.periods] == [(10, D(1)), (11, D(2))]
    assert b.total_excl_vat == D("0.40")


def test_duration_thresholds_split_a_period():
    t = tariff(energy("0.00", max_duration=1800), energy("0.25", max_duration=3600), energy("0.40"))
    b = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11, 30), D(9)), UTC)
    assert energy_by_element(b) == {0: D(3), 1: D(3), 2: D(3)}
    assert b.total_excl_vat == D("1.95")


def test_power_restrictions_use_the_stated_or_the_average_power():
    t = tariff(energy("0.20", max_power="16"), energy("0.35", max_power="32"), energy("0.50"))
    slow = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(10)), UTC)  # 10 kW on average
    fast = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(10), max_power_kw=D(20)), UTC)
    assert (slow.total_excl_vat, fast.total_excl_vat) == (D("2.00"), D("3.50"))


# --- where OCPI pricing is not monotone in energy (docs/tariffs.md, "What the properties found") -----


def test_more_energy_in_the_same_hour_can_cost_less_under_a_power_tier():
    # Above 11 kW the cheaper element applies: a faster charge of more energy costs less.
    t = tariff(energy("0.50", vat=None, max_power="11"), energy("0.20", vat=None))
    slower = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(10)), UTC)
    faster = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(12)), UTC)
    assert (slower.total_excl_vat, faster.total_excl_vat) == (D("5.00"), D("2.40"))


def test_a_watt_hour_more_can_cost_less_when_it_changes_whose_step_rounds_the_total():
    # OCPI: the session's energy is rounded up at the step of the last component used, and the
    # rounding is billed at that component's price. Past 0.5 kWh the 0.10 element is the last one.
    t = tariff(energy("0.50", vat=None, step=1000, max_kwh="0.5"), energy("0.10", vat=None, step=1000))
    below = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D("0.5")), UTC)
    above = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D("0.501")), UTC)
    assert below.total_excl_vat == D("0.50")  # 1 kWh billed at 0.50
    assert above.total_excl_vat == D("0.30")  # 0.5 at 0.50, then 0.001 + 0.499 rounding at 0.10


def test_current_restrictions_pass_when_the_current_is_not_known():
    t = tariff(energy("0.20", min_current="32"), energy("0.30"))
    unknown = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(10)), UTC)
    low = rate(t, quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(10), max_current_a=D(16)), UTC)
    assert (unknown.total_excl_vat, low.total_excl_vat) == (D("2.00"), D("3.00"))


# --- reservations -----------------------------------------------------------------------------

RESERVATION_TARIFF = tariff(
    {"price_components": [component("FLAT", "4.00", 1, "20")], "restrictions": {"reservation": "RESERVATION_EXPIRES"}},
    {"price_components": [component("TIME", "2.00", 600, "20")], "restrictions": {"reservation": "RESERVATION"}},
    {"price_components": [component("FLAT", "0.50", 1, "20"), component("ENERGY", "0.25", 1, "10")]},
)


def test_a_reservation_is_billed_apart_from_the_session_it_led_to():
    reservation = Reservation(utc(2024, 1, 1, 9, 30), utc(2024, 1, 1, 10))
    profile = quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11), D(10), reservation=reservation)
    b = rate(RESERVATION_TARIFF, profile, UTC)
    assert b.cost(LineType.RESERVATION_TIME) == (D("1.00"), D("1.20"))
    assert b.cost(LineType.RESERVATION_FLAT) == (0, 0)
    assert b.cost(LineType.FLAT, LineType.ENERGY) == (D("3.00"), D("3.35"))
    assert b.periods[0].kind is PeriodKind.RESERVATION
    assert b.reservation_time == timedelta(minutes=30)


def test_an_expired_reservation_pays_its_fee_and_its_time():
    reservation = Reservation(utc(2024, 1, 1, 9, 30), utc(2024, 1, 1, 9, 45), expired=True)
    profile = SessionProfile(utc(2024, 1, 1, 9, 45), utc(2024, 1, 1, 9, 45), [], reservation)
    b = rate(RESERVATION_TARIFF, profile, UTC)
    assert b.cost(LineType.RESERVATION_FLAT) == (D("4.00"), D("4.80"))
    assert b.cost(LineType.RESERVATION_TIME)[0] == D("0.666666666667")  # 10 min steps: 15 min → 20 min
    assert b.cost(LineType.FLAT, LineType.ENERGY) == (0, 0)


# --- the engine's own guarantees --------------------------------------------------------------


def test_rating_ignores_the_callers_decimal_context():
    profile = quote_profile(utc(2024, 1, 1, 10), utc(2024, 1, 1, 11, 7), D("7.77"))
    t = tariff({"price_components": [component("TIME", "1.234567", vat="21"), component("ENERGY", "0.3333")]})
    expected = rate(t, profile, UTC)
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 4, ROUND_DOWN
        assert rate(t, profile, UTC) == expected


def test_an_empty_session_costs_nothing_without_a_minimum():
    b = rate(NIGHT, SessionProfile(utc(2024, 1, 1), utc(2024, 1, 1), []), UTC)
    assert (b.lines, b.periods, b.total) == ((), (), 0)


def test_the_breakdown_serialises_with_decimal_strings():
    b = rate(NIGHT, quote_profile(utc(2024, 6, 1, 19), utc(2024, 6, 1, 21), D(2)), BERLIN)
    out = b.to_json()
    assert out["total_excl_vat"] == "0.400000000000" and out["currency"] == "EUR"
    assert out["periods"][0] == {"start": "2024-06-01T19:00:00Z", "end": "2024-06-01T20:00:00Z", "kind": "charging",
                                 "energy_kwh": "1", "duration_h": "1",
                                 "applied": [{"dimension": "ENERGY", "element": 1, "reason": "no restrictions"}]}
    assert out["lines"][0]["unit"] == "kWh"
