"""The local calendar of reports: windows of local dates, day/week/month buckets, and where local days begin.

A report's window is a range of local dates (``to`` exclusive). Read in a zone, a date begins at its local
midnight, an instant that depends on the zone's rules that day: a day is 23, 24 or 25 hours long across a
DST change, and in a few zones midnight itself is skipped (the day then begins when the clocks jump).
Everything here works on aware UTC instants and ``zoneinfo``, never on wall-clock arithmetic.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from attrs import frozen

from domain.errors import FieldError, InvalidInput

MAX_WINDOW_DAYS = 1830          # five years: room for year-on-year comparisons, bounded work per report
_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Grain(str, enum.Enum):
    """A time bucket of a report; weeks begin on Monday (ISO 8601), months on their first day."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def bucket_start(day: date, grain: Grain) -> date:
    """The first date of the bucket ``day`` falls in."""
    if grain is Grain.DAY:
        return day
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = day.replace(day=1)
    return (first + timedelta(days=32)).replace(day=1)


@frozen
class ReportWindow:
    """Local dates ``start`` (inclusive) to ``end`` (exclusive), at most ``MAX_WINDOW_DAYS`` long."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date, end: date) -> ReportWindow:
        if end <= start:
            raise InvalidInput(FieldError("to", "must be later than `from`"))
        if (end - start).days > MAX_WINDOW_DAYS:
            raise InvalidInput(FieldError("to", f"a report spans at most {MAX_WINDOW_DAYS} days"))
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def utc_bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The instants the window begins and ends at, read in ``zone``."""
        return local_midnight(self.start, zone), local_midnight(self.end, zone)

    def whole_months(self) -> tuple[date, date] | None:
        """The first and the end (exclusive) of the calendar months wholly inside the window, if any."""
        first = self.start if self.start.day == 1 else next_month(self.start)
        last = self.end.replace(day=1)
        return (first, last) if first < last else None


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` begins in ``zone`` (UTC).

    Where midnight is skipped (America/Santiago's clocks jump from 00:00 to 01:00), ``fold=0`` reads it with the
    offset before the jump, which is the instant of the jump: the day begins there, as it should.
    """
    return datetime.combine(day, time(0)).replace(tzinfo=zone).astimezone(UTC)


def _first_second(low: int, high: int, reached: Callable[[datetime], bool]) -> datetime:
    """The first whole second in ``(low, high]`` at which ``reached`` holds (it holds at ``high``, not at ``low``)."""
    while high - low > 1:
        middle = (low + high) // 2
        if reached(datetime.fromtimestamp(middle, UTC)):
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def day_pieces(start: datetime, end: datetime, zone: tzinfo) -> list[tuple[date, int]]:
    """``[start, end)`` cut at the local midnights of ``zone``: ``(local date, microseconds)`` per day touched."""
    pieces: list[tuple[date, int]] = []
    if end <= start:
        return pieces
    day = start.astimezone(zone).date()
    cursor = start
    while cursor < end:
        boundary = local_midnight(day + _DAY, zone)
        piece_end = min(boundary, end)
        if piece_end > cursor:
            pieces.append((day, micros(piece_end) - micros(cursor)))
        cursor = max(cursor, piece_end)
        day += _DAY
    return pieces


def micros(instant: datetime) -> int:
    """Microseconds since 1970-01-01 UTC: instants as exact integers a database adds and compares alike."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def offset_intervals(zone: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime, int]]:
    """``[start, end)`` cut where the UTC offset of ``zone`` changes: ``(from, to, offset in seconds)``.

    Zones change offset a few times a year, so a window of years has a few dozen intervals: what a
    database without time zone rules (SQLite) joins to read instants in local time.
    """
    out: list[tuple[datetime, datetime, int]] = []
    cursor, offset, probe = start, _offset(zone, start), start
    while probe < end:
        step = min(probe + _DAY, end)
        if _offset(zone, step) == offset:
            probe = step
            continue
        was = offset
        change = _first_second(int(probe.timestamp()), int(step.timestamp()) + 1,
                               lambda t, was=was: _offset(zone, t) != was)   # type: ignore[misc]
        change = max(change, probe)
        out.append((cursor, change, offset))
        cursor, offset, probe = change, _offset(zone, change), change
    out.append((cursor, end, offset))
    return [interval for interval in out if interval[1] > interval[0]]


def _offset(zone: tzinfo, instant: datetime) -> int:
    delta = instant.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0
