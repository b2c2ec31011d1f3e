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

    __slots__ = ("_days", "tz")

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

    def next_cut(self, after: int, times_of_day: tuple[int, ...]) -> int:
        """The first instant later than ``after`` at which the local time of day reaches one of
        ``times_of_day`` (microseconds after local midnight, sorted, not empty) or the offset
        changes: until then, nothing read on the local clock can change its answer."""
        return self.locate(after, times_of_day)[1]

    def locate(self, after: int, times_of_day: tuple[int, ...]) -> tuple[int, int]:
        """``(offset at after, next_cut(after))``, for the price of one."""
        day = after // DAY_US
        offset, transitions = self._days.get(day) or self._day(day)
        change = None
        for at, offset_after in transitions:
            if at > after:
                change = at
                break
            offset = offset_after
        local = after + offset
        tod = local % DAY_US
        i = bisect_right(times_of_day, tod)
        cut = local - tod - offset + (times_of_day[i] if i < len(times_of_day) else DAY_US + times_of_day[0])
        if change is not None:
            return offset, min(cut, change)
        # No change later this UTC day; the days up to the cut may hold one.
        day += 1
        while day * DAY_US < cut:
            first, transitions = self._days.get(day) or self._day(day)
            if first != offset:  # a change at 00:00 UTC itself
                return offset, day * DAY_US
            if transitions:
                return offset, min(cut, transitions[0][0])
            day += 1
        return offset, cut

    def cuts(self, start: int, end: int, times_of_day: tuple[int, ...]) -> tuple[int, list[int]]:
        """For ``[start, end)``: the offset at ``start``, and the instants inside where the local time
        of day reaches one of ``times_of_day`` (as for ``next_cut``) or the offset changes."""
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
                    return offset, _NONE
                out = []
                while candidate < end:
                    out.append(candidate)
                    i += 1
                    if i == count:
                        midnight, i = midnight + DAY_US, 0
                    candidate = midnight + times_of_day[i]
                return offset, out
        out = []
        t = start
        while True:
            t = self.next_cut(t, times_of_day)  # always later than before: the loop advances
            if t >= end:
                return self.offset(start), out
            out.append(t)


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
