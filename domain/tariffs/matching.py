"""Which element prices a dimension: an element's restrictions checked against one piece of time."""

from __future__ import annotations

from decimal import Decimal

from domain.tariffs.model import ReservationRestriction
from domain.tariffs.plan import Candidate, ComponentPlan

_EXPIRES = ReservationRestriction.RESERVATION_EXPIRES


def first_match(candidates: tuple[Candidate, ...], tod: int, day: int, elapsed: int, kwh: Decimal,
           power: Decimal | None, current: Decimal | None, expired: bool) -> ComponentPlan | None:
    """The component of the first candidate element whose restrictions all hold."""
    for el, component in candidates:
        if el.reservation is _EXPIRES and not expired:
            continue
        if el.unrestricted:
            return component
        window = el.tod
        if window is not None:
            lo, hi = window
            if (not lo <= tod < hi) if lo < hi else (hi <= tod < lo):
                continue
        if el.days is not None and (day + 3) % 7 not in el.days:  # 1970-01-01 was a Thursday (3)
            continue
        if el.date_lo is not None and day < el.date_lo:
            continue
        if el.date_hi is not None and day >= el.date_hi:
            continue
        if el.kwh_lo is not None and kwh < el.kwh_lo:
            continue
        if el.kwh_hi is not None and kwh >= el.kwh_hi:
            continue
        if el.dur_lo is not None and elapsed < el.dur_lo:
            continue
        if el.dur_hi is not None and elapsed >= el.dur_hi:
            continue
        # Power and current restrictions pass when the period does not say: a CDR without those
        # dimensions (and our own meter data has no current) cannot rule an element out.
        if power is not None:
            if el.pow_lo is not None and power < el.pow_lo:
                continue
            if el.pow_hi is not None and power >= el.pow_hi:
                continue
        if current is not None:
            if el.cur_lo is not None and current < el.cur_lo:
                continue
            if el.cur_hi is not None and current >= el.cur_hi:
                continue
        return component
    return None
