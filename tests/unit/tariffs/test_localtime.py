"""The local clock's cut instants agree with a minute-by-minute walk through zoneinfo."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.tariffs.localtime import US, LocalClock, from_us, to_us
from tests.unit.tariffs.strategies import ZONES, session_starts

MINUTE = timedelta(minutes=1)


def _brute_force(clock: LocalClock, start: datetime, end: datetime, times_of_day: tuple[int, ...]) -> list[int]:
    """Every minute inside (start, end) at which the local time of day is a cut or the offset changed
    (all the zones tested change offset, and all the cuts fall, on whole minutes)."""
    cuts = []
    previous = start.astimezone(clock.tz).utcoffset()
    t = start + MINUTE
    while t < end:
        local = t.astimezone(clock.tz)
        tod = (local.hour * 3600 + local.minute * 60) * US
        if tod in times_of_day or local.utcoffset() != previous:
            cuts.append(to_us(t))
        previous = local.utcoffset()
        t += MINUTE
    return cuts


@settings(max_examples=int(os.environ.get("TARIFF_EXAMPLES", "60")), deadline=None)
@given(st.sampled_from(ZONES), session_starts(), st.integers(1, 3 * 24 * 60),
       st.lists(st.integers(0, 95).map(lambda q: q * 15 * 60 * US), min_size=1, max_size=4, unique=True))
def test_cuts_are_the_local_times_of_day_and_the_offset_changes(tz, start, minutes, times_of_day):
    times_of_day = tuple(sorted(times_of_day))
    clock = LocalClock(tz)
    end = start + timedelta(minutes=minutes)
    offset, cuts = clock.cuts(to_us(start), to_us(end), times_of_day)
    assert offset == start.astimezone(tz).utcoffset() // timedelta(microseconds=1)
    assert cuts == _brute_force(clock, start, end, times_of_day)


@settings(max_examples=int(os.environ.get("TARIFF_EXAMPLES", "60")), deadline=None)
@given(st.sampled_from(ZONES), session_starts(), st.integers(0, 59),
       st.lists(st.integers(0, 95).map(lambda q: q * 15 * 60 * US), min_size=1, max_size=4, unique=True))
def test_the_next_cut_is_the_first_local_time_of_day_or_offset_change(tz, start, seconds, times_of_day):
    times_of_day = tuple(sorted(times_of_day))
    clock = LocalClock(tz)
    after = start + timedelta(seconds=seconds)  # on the minute or between two
    found = clock.next_cut(to_us(after), times_of_day)
    # The first cut on a whole minute after ``after`` (the minute it falls in has none after it).
    expected = _brute_force(clock, start, start + timedelta(days=2), times_of_day)[0]
    assert found == expected


def test_transitions_are_found_to_the_second():
    amsterdam = next(z for z in ZONES if str(z) == "Europe/Amsterdam")
    clock = LocalClock(amsterdam)
    start = datetime(2024, 10, 26, 12, tzinfo=UTC)
    _, cuts = clock.cuts(to_us(start), to_us(start + timedelta(days=1)), (0,))
    assert [from_us(c) for c in cuts] == [datetime(2024, 10, 26, 22, tzinfo=UTC),  # local midnight, CEST
                                          datetime(2024, 10, 27, 1, tzinfo=UTC)]  # 03:00 CEST → 02:00 CET
