"""Available time: how long connectors could have been used in a span, the denominator of utilization.

A connector is available from its charge point's registration on, and never in the future: a report over the
current month divides by the time gone by. Spans are cut at each location's local midnights (a local day is
23, 24 or 25 hours long), so a day's utilization is occupied time over that day's real length.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.reports.calendar import local_midnight, micros


class Registrations:
    """The registration instants of a set of connectors (µs), with prefix sums so a span costs a bisection."""

    def __init__(self, registered: Sequence[datetime]) -> None:
        self._at = sorted(micros(r) for r in registered)
        self._prefix = [0]
        for value in self._at:
            self._prefix.append(self._prefix[-1] + value)

    def __len__(self) -> int:
        return len(self._at)

    def available_us(self, start: datetime, end: datetime, now: datetime) -> int:
        """Σ over the connectors of the part of ``[start, min(end, now))`` after each one's registration."""
        low, high = micros(start), min(micros(end), micros(now))
        if high <= low:
            return 0
        full = bisect.bisect_right(self._at, low)
        inside = bisect.bisect_left(self._at, high)
        partial = (inside - full) * high - (self._prefix[inside] - self._prefix[full])
        return full * (high - low) + partial


def span_bounds(first: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants local dates ``[first, end)`` begin and end at in ``zone``."""
    return local_midnight(first, zone), local_midnight(end, zone)
