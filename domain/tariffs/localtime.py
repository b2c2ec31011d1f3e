"""A location's wall clock as integer arithmetic on UTC microseconds, DST transitions found once per day.

Time-of-day restrictions are read on the local clock, which jumps at DST transitions. The rating
engine needs, for an instant, the local offset and the next instant at which a local time of day
is reached or the offset changes. ``zoneinfo`` answers one conversion at a time; this module asks it
once per UTC day and zone and keeps the answer, so the hot path is integer arithmetic.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, timedelta, tzinfo
from threading import Lock

US = 1_000_000
DAY_US = 86_400 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_MAX_CACHED_DAYS = 20_000  # per zone: about 55 years of days, a few MB at most


def to_us(instant: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (instant - EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(0, 0, us)  # positional: a little faster, and this is on the hot path


class LocalClock:
    """One zone's offsets by UTC day: ``(offset at 00:00 UTC, ((transition_us, offset_after), ...))``."""

    __slots__ = ("tz", "_days")

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._days: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {}

    def _offset_at(self, us: int) -> int:
        offset = from_us(us).astimezone(self.tz).utcoffset()
        assert offset is not None
        return offset // _ONE_US

    def _day(self, day: int) -> tuple[int, tuple[tuple[int, int], ...]]:
        entry = self._days.get(day)
        if entry is None:
            entry = self._scan(day)
            if len(self._days) >= _MAX_CACHED_DAYS:
                self._days.clear()
            self._days[day] = entry
        return entry

    def _scan(self, day: int) -> tuple[int, tuple[tuple[int, int], ...]]:
        lo, end = day * DAY_US, (day + 1) * DAY_US
        first = self._offset_at(lo)
        transitions = []
        current = first
        # Zones change offset at whole seconds, at most a couple of times a day, and never change
        # and change back within one day; comparing the day's ends therefore finds every change.
        while self._offset_at(end) != current:
            hi = end
            while hi - lo > US:
                mid = lo + (hi - lo) // 2 // US * US
                if self._offset_at(mid) == current:
                    lo = mid
                else:
                    hi = mid
            if hi >= end:
                break
            current = self._offset_at(hi)
            transitions.append((hi, current))
            lo = hi
        return first, tuple(transitions)

    def offset(self, us: int) -> int:
        offset, transitions = self._day(us // DAY_US)
        for at, after in transitions:
            if at > us:
                break
            offset = after
        return offset

    def next_transition(self, after: int, before: int) -> int | None:
        """The first offset change in ``(after, before)``, if any."""
        for day in range(after // DAY_US, before // DAY_US + 1):
            for at, _offset in self._day(day)[1]:
                if after < at < before:
                    return at
                if at >= before:
                    return None
        return None

    def cuts(self, start: int, end: int, times_of_day: tuple[int, ...]) -> tuple[int, list[int], int]:
        """For ``[start, end)``: the offset at ``start``; the instants inside where the local time of
        day reaches one of ``times_of_day`` (microseconds after local midnight, sorted, not
        empty) or the offset changes; and, when there are none, an instant up to which there are
        still none (0 when not worked out)."""
        day = start // DAY_US
        offset, transitions = self._days.get(day) or self._day(day)
        if not transitions:
            # The common case, no DST change this UTC day: plain arithmetic on a fixed offset.
            local = start + offset
            tod = local % DAY_US
            midnight = local - tod - offset  # the local midnight before start, as a UTC instant
            count = len(times_of_day)
            i = bisect_right(times_of_day, tod)  # the first cut after start
            if i == count:
                midnight, i = midnight + DAY_US, 0
            candidate = midnight + times_of_day[i]
            limit = (day + 1) * DAY_US  # transitions are known only for the days looked at
            if candidate > limit:
                following = self._days.get(day + 1) or self._day(day + 1)
                if not following[1] and following[0] == offset:
                    limit += DAY_US
            if end <= limit:
                if end <= candidate:
                    return offset, _NONE, min(candidate, limit)
                out = []
                while candidate < end:
                    out.append(candidate)
                    i += 1
                    if i == count:
                        midnight, i = midnight + DAY_US, 0
                    candidate = midnight + times_of_day[i]
                return offset, out, 0
        offset = self.offset(start)
        first = offset
        out = []
        t = start
        while True:
            local = t + offset
            tod = local % DAY_US
            midnight = local - tod
            nxt = midnight + DAY_US + times_of_day[0]  # the first cut of the next day
            for cut in times_of_day:
                if cut > tod:
                    nxt = midnight + cut
                    break
            candidate = nxt - offset
            transition = self.next_transition(t, min(candidate, end))
            if transition is not None:
                candidate = transition
            elif candidate >= end:
                return first, out, 0
            out.append(candidate)
            t = candidate  # always later than before: the loop advances
            offset = self.offset(t)


_NONE: list[int] = []


_clocks: dict[tzinfo, LocalClock] = {}
_lock = Lock()


def local_clock(tz: tzinfo) -> LocalClock:
    """The shared cache for ``tz`` (ZoneInfo instances are singletons per key, so this stays small)."""
    clock = _clocks.get(tz)
    if clock is None:
        with _lock:
            clock = _clocks.setdefault(tz, LocalClock(tz))
    return clock
