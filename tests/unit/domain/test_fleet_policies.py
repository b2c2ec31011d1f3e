"""Charging policies as pure functions: each check against an independent statement of its rule, on random
policies, instants and zones (DST included), plus the parser's refusals naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.fleets import ChargingContext, ChargingPolicy, Refusal, TimeWindow, parse_policy
from domain.fleets.policies import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    check_connector_type,
    check_daily_energy,
    check_location,
    check_monthly_spend,
    check_time,
    energy_cap,
    judge,
    minute_of_week,
    overlap,
    within_time_windows,
)
from domain.money import Money
from domain.tariffs.model import DayOfWeek

# Zones with DST both ways, a half-hour DST (Lord Howe), a 45-minute offset (Chatham), none (UTC).
ZONES = [ZoneInfo(name) for name in ("Europe/London", "America/New_York", "Australia/Lord_Howe",
                                     "Pacific/Chatham", "Europe/Berlin", "UTC")]
DAYS = list(DayOfWeek)

days = st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True).map(tuple)
windows = st.builds(lambda d, start, end: TimeWindow(d, start, end if end != start else start + 1),
                    days, st.integers(0, MINUTES_PER_DAY - 1), st.integers(1, MINUTES_PER_DAY))
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
zones = st.sampled_from(ZONES)
kwh = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(500), places=3)
LOC = "loc_01JD0000000000000000000000"


def reference_admits(window: TimeWindow, weekday: int, minute: int) -> bool:
    """The rule in words: on one of its days from its start; if it runs past midnight, also the next day
    until its end."""
    crosses = window.end <= window.start
    for day in window.days:
        if not crosses and weekday == day.weekday and window.start <= minute < window.end:
            return True
        if crosses and ((weekday == day.weekday and minute >= window.start)
                        or (weekday == (day.weekday + 1) % 7 and minute < window.end)):
            return True
    return False


@settings(max_examples=400)
@given(st.lists(windows, min_size=1, max_size=4), instants, zones)
def test_a_time_window_admits_exactly_the_local_wall_clock_times_it_names(ws, instant, zone):
    local = instant.astimezone(zone)
    expected = any(reference_admits(w, local.weekday(), local.hour * 60 + local.minute) for w in ws)
    assert within_time_windows(ws, instant, zone) is expected
    verdict = check_time(ChargingPolicy(time_windows=tuple(ws)), instant, zone)
    assert verdict.accepted is expected
    assert verdict.refusal is (None if expected else Refusal.OUTSIDE_TIME_WINDOWS)


def _fall_backs(zone: ZoneInfo) -> list[tuple[datetime, timedelta]]:
    """Instants (UTC) at which ``zone``'s clocks went back, and by how much, 2020 to 2035."""
    found = []
    day = datetime(2020, 1, 1, tzinfo=UTC)
    while day.year < 2036:
        nxt = day + timedelta(days=1)
        before, after = day.astimezone(zone).utcoffset(), nxt.astimezone(zone).utcoffset()
        if before is not None and after is not None and after < before:
            lo, hi = day, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if mid.astimezone(zone).utcoffset() == before else (lo, mid)
            found.append((hi.replace(second=0, microsecond=0), before - after))
        day = nxt
    return found


FALL_BACKS = [(zone, *fall) for zone in ZONES for fall in _fall_backs(zone)]


@given(st.lists(windows, min_size=1, max_size=4), st.sampled_from(FALL_BACKS), st.floats(0, 0.999))
def test_only_the_wall_clock_counts_so_both_passes_of_a_repeated_hour_agree(ws, fall_back, into):
    """When clocks go back, the same local times happen twice: each is allowed both times or neither."""
    zone, at, by = fall_back
    first = at - by + by * into
    second = first + by
    assert first.astimezone(zone).replace(tzinfo=None) == second.astimezone(zone).replace(tzinfo=None)
    assert within_time_windows(ws, first, zone) == within_time_windows(ws, second, zone)


def test_the_repeated_and_the_skipped_hour_of_london():
    night = TimeWindow((DayOfWeek.SUNDAY,), 60, 120)   # 01:00–02:00 local
    policy = ChargingPolicy(time_windows=(night,))
    london = ZoneInfo("Europe/London")
    # 26 October 2025: 01:00–02:00 BST, then 01:00–02:00 GMT again. Both are inside the window.
    assert check_time(policy, datetime(2025, 10, 26, 0, 30, tzinfo=UTC), london).accepted
    assert check_time(policy, datetime(2025, 10, 26, 1, 30, tzinfo=UTC), london).accepted
    assert not check_time(policy, datetime(2025, 10, 26, 2, 30, tzinfo=UTC), london).accepted
    # 30 March 2025: 01:00 GMT becomes 02:00 BST; the window's hour never happens on the wall clock.
    for minutes in range(0, 120, 15):
        instant = datetime(2025, 3, 30, 0, 0, tzinfo=UTC) + timedelta(minutes=minutes)
        assert not check_time(policy, instant, london).accepted, instant
    refused = check_time(policy, datetime(2025, 3, 30, 1, 30, tzinfo=UTC), london)
    assert refused.detail is not None and "SUNDAY 02:30" in refused.detail and "Europe/London" in refused.detail


def test_a_window_past_midnight_belongs_to_the_day_it_starts_and_wraps_the_week():
    late = TimeWindow((DayOfWeek.SUNDAY,), 22 * 60, 6 * 60)
    assert late.admits(6 * MINUTES_PER_DAY + 23 * 60)          # Sunday 23:00
    assert late.admits(5 * 60)                                  # Monday 05:00
    assert not late.admits(6 * 60)                              # Monday 06:00: the end is exclusive
    assert not late.admits(5 * MINUTES_PER_DAY + 23 * 60)      # Saturday 23:00
    whole = TimeWindow(tuple(DAYS), 0, MINUTES_PER_DAY)
    assert all(whole.admits(m) for m in range(0, MINUTES_PER_WEEK, 7))


def reference_minutes(window: TimeWindow) -> list[tuple[int, int]]:
    """The rule in words again, as minutes of the week: each day from its start, past midnight into the next."""
    out = []
    for day in window.days:
        base = day.weekday * MINUTES_PER_DAY
        if window.end > window.start:
            out.append((base + window.start, base + window.end))
        else:
            following = (day.weekday + 1) % 7 * MINUTES_PER_DAY
            out += [(base + window.start, base + MINUTES_PER_DAY), (following, following + window.end)]
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(windows, min_size=2, max_size=3))
def test_windows_are_refused_as_overlapping_exactly_when_some_minute_is_in_two_of_them(ws):
    covered = [0] * MINUTES_PER_WEEK
    for window in ws:
        for begin, end in reference_minutes(window):
            for minute in range(begin, end):
                covered[minute] += 1
    document = {"time_windows": [w.to_json() for w in ws]}
    if max(covered) > 1:
        with pytest.raises(InvalidInput) as refused:
            parse_policy(document)
        assert all(e.field.startswith("policy.time_windows[") for e in refused.value.errors)
        assert any("overlaps" in e.message for e in refused.value.errors)
    else:
        assert parse_policy(document).time_windows == tuple(ws)
    assert all(overlap(a, a) is not None for a in ws)


@given(st.lists(windows, min_size=1, max_size=3), instants, zones)
def test_a_window_reads_back_from_its_json_as_it_was(ws, instant, zone):
    try:
        parsed = parse_policy({"time_windows": [w.to_json() for w in ws]})
    except InvalidInput:
        return   # overlapping: the property above
    assert parsed.time_windows == tuple(ws)
    assert within_time_windows(parsed.time_windows, instant, zone) == within_time_windows(ws, instant, zone)


@given(st.lists(st.integers(0, 50), max_size=5, unique=True), st.integers(0, 60))
def test_a_location_is_allowed_when_listed_or_when_no_list_is_given(listed, asked):
    ids = tuple(f"loc_01JD{n:022d}" for n in listed)
    location = f"loc_01JD{asked:022d}"
    assert check_location(ChargingPolicy(), location).accepted
    verdict = check_location(ChargingPolicy(allowed_location_ids=ids), location)
    assert verdict.accepted is (location in ids)
    assert verdict.refusal in (None, Refusal.LOCATION_NOT_ALLOWED)


@given(st.lists(st.sampled_from(["IEC_62196_T2", "IEC_62196_T2_COMBO", "CHADEMO", "TESLA_S"]), min_size=1,
                unique=True),
       st.one_of(st.none(), st.sampled_from(["IEC_62196_T2", "IEC_62196_T2_COMBO", "CHADEMO", "TESLA_S"])))
def test_a_connector_type_is_refused_only_when_known_and_not_allowed(allowed, asked):
    verdict = check_connector_type(ChargingPolicy(allowed_connector_types=tuple(allowed)), asked)
    assert verdict.accepted is (asked is None or asked in allowed)


@given(kwh, st.decimals(min_value=0, max_value=1000, places=3), st.one_of(st.none(), kwh))
def test_a_day_of_energy_refuses_at_its_limit_and_caps_what_is_left(limit, used, per_session):
    policy = ChargingPolicy(max_kwh_per_day=limit, max_kwh_per_session=per_session)
    verdict = check_daily_energy(policy, used)
    assert verdict.accepted is (used < limit)
    cap = energy_cap(policy, used)
    assert cap is not None
    left = max(limit - used, Decimal(0))
    assert cap.kwh == min(left, per_session if per_session is not None else left)
    assert cap.reason == ("max_kwh_per_day" if per_session is None or left < per_session else "max_kwh_per_session")
    if verdict.accepted:
        assert cap.kwh > 0


@given(st.decimals(min_value=Decimal("0.01"), max_value=10_000, places=2),
       st.decimals(min_value=0, max_value=20_000, places=4))
def test_a_month_of_spending_refuses_once_it_reaches_its_limit(limit, spent):
    policy = ChargingPolicy(max_spend_per_month=Money(limit, "EUR"))
    verdict = check_monthly_spend(policy, Money(spent, "EUR"))
    assert verdict.accepted is (spent < limit)
    assert check_monthly_spend(policy, None).accepted
    assert check_monthly_spend(ChargingPolicy(), Money(spent, "EUR")).accepted


@given(instants, zones, st.decimals(min_value=0, max_value=10**6, places=3))
def test_an_empty_policy_admits_everything_and_caps_nothing(instant, zone, used):
    context = ChargingContext(at=instant, zone=zone, location_id=LOC, connector_type="CHADEMO",
                              energy_today_kwh=used, spent_this_month=Money(used, "EUR"))
    assert judge(ChargingPolicy(), context).accepted
    assert energy_cap(ChargingPolicy(), used) is None


@given(instants, zones, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_judge_refuses_for_the_first_broken_rule_in_its_order(instant, zone, bad_location, bad_type, bad_time,
                                                              bad_day, bad_spend):
    minute = minute_of_week(instant, zone)
    day = DAYS[minute // MINUTES_PER_DAY]
    start = minute % MINUTES_PER_DAY
    # A window that holds this very minute, or one that holds the minute before and ends there.
    window = TimeWindow((day,), start, start + 1) if not bad_time else \
        TimeWindow((day,), (start + 1) % MINUTES_PER_DAY, (start + 2) % MINUTES_PER_DAY or MINUTES_PER_DAY)
    policy = ChargingPolicy(allowed_location_ids=("loc_01JD0000000000000000000001",) if bad_location else (LOC,),
                            allowed_connector_types=("CHADEMO",) if bad_type else ("IEC_62196_T2",),
                            time_windows=(window,), max_kwh_per_day=Decimal(10),
                            max_spend_per_month=Money(Decimal(100), "EUR"))
    context = ChargingContext(at=instant, zone=zone, location_id=LOC, connector_type="IEC_62196_T2",
                              energy_today_kwh=Decimal(10 if bad_day else 9),
                              spent_this_month=Money(Decimal(100 if bad_spend else 99), "EUR"))
    expected = [r for r, bad in ((Refusal.LOCATION_NOT_ALLOWED, bad_location),
                                 (Refusal.CONNECTOR_TYPE_NOT_ALLOWED, bad_type),
                                 (Refusal.OUTSIDE_TIME_WINDOWS, bad_time),
                                 (Refusal.DAILY_ENERGY_LIMIT_REACHED, bad_day),
                                 (Refusal.MONTHLY_SPEND_LIMIT_REACHED, bad_spend)) if bad]
    assert judge(policy, context).refusal == (expected[0] if expected else None)


@pytest.mark.parametrize(("document", "field", "message"), [
    ({"time_windows": [{"days": ["MONDAY"], "start": "08:00", "end": "08:00"}]}, "policy.time_windows[0].end",
     "must differ from start"),
    ({"time_windows": [{"days": ["MONDAY"], "start": "00:00", "end": "24:00"},
                       {"days": ["MONDAY", "TUESDAY"], "start": "23:00", "end": "01:00"}]}, "policy.time_windows[1]",
     "overlaps time_windows[0] (MONDAY 23:00 to TUESDAY 00:00)"),
    ({"time_windows": [{"days": ["MONDAY", "MONDAY"], "start": "08:00", "end": "09:00"}]},
     "policy.time_windows[0].days[1]", "listed twice"),
    ({"time_windows": [{"days": [], "start": "08:00", "end": "09:00"}]}, "policy.time_windows[0].days",
     "non-empty"),
    ({"time_windows": [{"days": ["FUNDAY"], "start": "08:00", "end": "09:00"}]}, "policy.time_windows[0].days[0]",
     "must be one of"),
    ({"time_windows": [{"days": ["MONDAY"], "start": "24:00", "end": "09:00"}]}, "policy.time_windows[0].start",
     "HH:MM"),
    ({"time_windows": [{"days": ["MONDAY"], "start": "8:00", "end": "09:00"}]}, "policy.time_windows[0].start",
     "HH:MM"),
    ({"time_windows": []}, "policy.time_windows", "at least one"),
    ({"allowed_location_ids": ["nope"]}, "policy.allowed_location_ids[0]", "location id"),
    ({"allowed_location_ids": [LOC, LOC]}, "policy.allowed_location_ids[1]", "listed twice"),
    ({"max_kwh_per_session": 0}, "policy.max_kwh_per_session", "above 0"),
    ({"max_kwh_per_session": "-3"}, "policy.max_kwh_per_session", "must not be negative"),
    ({"max_kwh_per_day": 1.5}, "policy.max_kwh_per_day", "number or a decimal string"),
    ({"max_kwh_per_day": Decimal("0.0001")}, "policy.max_kwh_per_day", "at most 3 decimals"),
    ({"max_kwh_per_day": 10**6}, "policy.max_kwh_per_day", "at most 100000"),
    ({"max_spend_per_month": {"amount": 100, "currency": "EUR"}}, "policy.max_spend_per_month.amount",
     "decimal string"),
    ({"max_spend_per_month": {"amount": "1.001", "currency": "EUR"}}, "policy.max_spend_per_month.amount",
     "at most 2 decimals"),
    ({"max_spend_per_month": {"amount": "10", "currency": "XXQ"}}, "policy.max_spend_per_month.currency", "ISO 4217"),
    ({"allowed_connector_types": ["T2"]}, "policy.allowed_connector_types[0]", "OCPI connector type"),
    ({"speed_limit": 3}, "policy.speed_limit", "not a policy field"),
])
def test_bad_policies_are_refused_naming_the_field(document, field, message):
    with pytest.raises(InvalidInput) as refused:
        parse_policy(document)
    assert [e for e in refused.value.errors if e.field == field and message in e.message], refused.value.errors


def test_a_policy_reads_back_from_the_json_it_writes():
    document = {"allowed_location_ids": [LOC],
                "time_windows": [{"days": ["MONDAY", "FRIDAY"], "start": "22:00", "end": "06:00"},
                                 {"days": ["SATURDAY"], "start": "08:00", "end": "24:00"}],
                "max_kwh_per_session": "30", "max_kwh_per_day": Decimal("50.5"),
                "max_spend_per_month": {"amount": "200.00", "currency": "GBP"},
                "allowed_connector_types": ["IEC_62196_T2", "IEC_62196_T2_COMBO"]}
    policy = parse_policy(document)
    assert policy.max_kwh_per_day == Decimal("50.5") and policy.max_spend_per_month == Money(Decimal(200), "GBP")
    assert parse_policy(policy.to_json()) == policy
    assert policy.to_json()["time_windows"][1] == {"days": ["SATURDAY"], "start": "08:00", "end": "24:00"}
    assert parse_policy({}) == ChargingPolicy() and parse_policy(None).is_empty
