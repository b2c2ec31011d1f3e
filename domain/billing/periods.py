"""Billing periods: calendar months (or any span of days) in the organization's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from attrs import frozen

from domain.errors import FieldErrors, InvalidInput

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])\Z")
MAX_PERIOD_DAYS = 366


@frozen
class BillingPeriod:
    """``start`` to ``end`` (exclusive), local dates of the organization."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date, end: date, *, start_field: str = "period_start", end_field: str = "period_end"
           ) -> BillingPeriod:
        errors = FieldErrors()
        errors.check(end_field, end > start, "must be after the period's start (the end is exclusive)")
        errors.check(end_field, (end - start).days <= MAX_PERIOD_DAYS, f"a period is at most {MAX_PERIOD_DAYS} days")
        errors.raise_if_any()
        return cls(start, end)

    @classmethod
    def month(cls, text: object, field: str = "period") -> BillingPeriod:
        """``2026-11`` → 2026-11-01 to 2026-12-01."""
        match = _MONTH.match(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidInput.field(field, "must be a month as YYYY-MM")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= year <= 9998:       # year 0 and a month whose end falls past 9999 are not dates
            raise InvalidInput.field(field, "must be a month between 0001-01 and 9998-12")
        return cls.containing(date(year, month, 1))

    @classmethod
    def containing(cls, day: date) -> BillingPeriod:
        """The calendar month of ``day``."""
        start = day.replace(day=1)
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return cls(start, end)

    def next(self) -> BillingPeriod:
        """The calendar month after the one this period ends in."""
        return BillingPeriod.containing(self.end)

    def previous(self) -> BillingPeriod:
        last = date.fromordinal(self.start.toordinal() - 1)
        return BillingPeriod.containing(last)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants: local midnight at its start to local midnight at its end."""
        return (datetime.combine(self.start, time(0), zone).astimezone(UTC),
                datetime.combine(self.end, time(0), zone).astimezone(UTC))

    @property
    def label(self) -> str:
        if self.start.day == 1 and self == BillingPeriod.containing(self.start):
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}/{self.end.isoformat()}"
