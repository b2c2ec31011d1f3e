"""The result of rating a session: lines per dimension, periods with the element that applied and why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from attrs import frozen

from domain.geography import CURRENCY_EXPONENTS
from domain.tariffs.localtime import from_us, to_us
from domain.tariffs.model import Price

_ZERO = Decimal(0)
_ONE = Decimal(1)
# Unrounded amounts keep 12 decimals: far below any minor unit or the vectors' 4 places, and few
# enough that every sum of lines is exact in any Decimal context of ordinary precision.
AMOUNT_QUANTUM = Decimal("1e-12")
_HUNDRED = Decimal(100)
_US_PER_HOUR = Decimal(3_600_000_000)
_ONE_US = timedelta(microseconds=1)


class LineType(StrEnum):
    """A billed dimension; reservation time and fees are kept apart from the session's own."""

    FLAT = "FLAT"
    ENERGY = "ENERGY"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"
    RESERVATION_FLAT = "RESERVATION_FLAT"
    RESERVATION_TIME = "RESERVATION_TIME"
    MIN_PRICE = "MIN_PRICE"
    MAX_PRICE = "MAX_PRICE"


UNITS = {LineType.ENERGY: "kWh", LineType.TIME: "h", LineType.PARKING_TIME: "h",
         LineType.RESERVATION_TIME: "h", LineType.FLAT: "flat", LineType.RESERVATION_FLAT: "flat",
         LineType.MIN_PRICE: "flat", LineType.MAX_PRICE: "flat"}
LIMIT_TYPES = frozenset({LineType.MIN_PRICE, LineType.MAX_PRICE})


class PeriodKind(StrEnum):
    CHARGING = "charging"
    PARKING = "parking"
    RESERVATION = "reservation"


@frozen
class AppliedElement:
    """Which tariff element priced a dimension in a period, and the restrictions that let it."""

    dimension: LineType
    element: int
    reason: str


@frozen
class PeriodCost:
    """A stretch over which every restriction held still; ``duration`` is the time billed in it."""

    start: datetime
    end: datetime
    kind: PeriodKind
    energy_kwh: Decimal
    duration: timedelta
    applied: tuple[AppliedElement, ...]


class CostLine(NamedTuple):
    """One price component's share of the session; ``amount`` excludes VAT, ``vat_rate`` None = no VAT.

    CostLine and CostBreakdown are the two values built on every rating, so they are NamedTuples
    (immutable, and about five times quicker to build than an attrs class of as many fields)."""

    type: LineType
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal | None
    vat: Decimal
    element: int | None

    @property
    def amount_incl_vat(self) -> Decimal:
        return self.amount + self.vat


# How a breakdown keeps its periods: a run ``(i, j, variants)`` stands for spans i..j-1 of the
# profile as they are, each showing ``variants[kind][2 * drew_energy + billed_time]``; any other
# entry is a piece of a span in ``PeriodCost`` field order, with instants and duration in
# microseconds (since 1970-01-01 UTC).
PeriodEntry = tuple[Any, ...]


class CostBreakdown(NamedTuple):
    """Amounts keep 12 decimals; ``rounded()`` gives the billed view (minor unit, half-up, per line).

    Measured quantities (``energy_kwh`` and the times) are what the session used; a line's
    ``quantity`` is what was billed, step sizes included. ``total_time`` is plug-in to unplug.
    Periods are kept compact (``period_entries`` over the profile's ``period_spans``) and become
    ``PeriodCost`` objects only when ``periods`` is read: billing never reads them.
    """

    currency: str
    lines: tuple[CostLine, ...]
    total_excl_vat: Decimal
    vat: Decimal
    total: Decimal
    energy_kwh: Decimal
    total_time: timedelta
    charging_time: timedelta
    parking_time: timedelta
    reservation_time: timedelta
    min_price: Price | None = None
    max_price: Price | None = None
    limit_vat_rate: Decimal | None = None  # for a bound without incl_vat when nothing was consumed
    is_rounded: bool = False
    period_spans: tuple[Any, ...] = ()
    period_entries: tuple[PeriodEntry, ...] = ()

    @property
    def periods(self) -> tuple[PeriodCost, ...]:
        spans, out = self.period_spans, []
        for entry in self.period_entries:
            if len(entry) == 3:
                i, j, variants = entry
                for span in spans[i:j]:
                    applied = variants[span.kind][(2 if span.energy_kwh else 0) + (1 if span.billable_us else 0)]
                    out.append(PeriodCost(span.start, span.end, span.kind, span.energy_kwh, span.billable, applied))
            else:
                start, end, kind, energy, duration, applied = entry
                out.append(PeriodCost(from_us(start), from_us(end), kind, energy, timedelta(0, 0, duration), applied))
        return tuple(out)

    def detached(self) -> CostBreakdown:
        """The same breakdown with every period kept as its own piece, apart from the profile it was rated
        from: what is stored for a billed session (two detached breakdowns are equal when their contents are)."""
        pieces = tuple((to_us(p.start), to_us(p.end), p.kind, p.energy_kwh, p.duration // _ONE_US, p.applied)
                       for p in self.periods)
        return self._replace(period_spans=(), period_entries=pieces)

    def cost(self, *types: LineType) -> tuple[Decimal, Decimal]:
        """``(excl VAT, incl VAT)`` of the lines of these types."""
        excl = vat = _ZERO
        for line in self.lines:
            if line.type in types:
                excl += line.amount
                vat += line.vat
        return excl, excl + vat

    def rounded(self) -> CostBreakdown:
        """Each line rounded once to the currency's minor unit, half-up, VAT computed on the rounded
        net; the min/max price adjustment recomputed on the rounded lines so the bounds still hold."""
        if self.is_rounded:
            return self
        quantum = _ONE.scaleb(-CURRENCY_EXPONENTS[self.currency])

        def q(value: Decimal) -> Decimal:
            return value.quantize(quantum, rounding=ROUND_HALF_UP)

        lines = []
        for line in self.lines:
            if line.type in LIMIT_TYPES:
                continue
            amount = q(line.amount)
            vat = q(amount * line.vat_rate / _HUNDRED) if line.vat_rate is not None else _ZERO
            lines.append(line._replace(amount=amount, vat=vat))
        # Bounds are promises: a minimum rounds up and a cap down, so billing never crosses either.
        bounds = (lambda d: d.quantize(quantum, rounding=ROUND_CEILING),
                  lambda d: d.quantize(quantum, rounding=ROUND_FLOOR))
        lines.extend(price_limit_lines(lines, self.min_price, self.max_price, self.limit_vat_rate, bounds))
        excl = sum((line.amount for line in lines), _ZERO)
        vat_total = sum((line.vat for line in lines), _ZERO)
        return self._replace(lines=tuple(lines), total_excl_vat=excl, vat=vat_total, total=excl + vat_total,
                             is_rounded=True)

    def to_json(self) -> dict[str, Any]:
        """Decimals as strings, times in hours, instants in UTC: the REST and gRPC shape."""
        return {
            "currency": self.currency,
            "lines": [{
                "type": str(line.type), "quantity": _text(line.quantity), "unit": line.unit,
                "unit_price": _text(line.unit_price), "amount": _text(line.amount),
                "vat_rate": None if line.vat_rate is None else _text(line.vat_rate), "vat": _text(line.vat),
                "element": line.element,
            } for line in self.lines],
            "periods": [{
                "start": _instant(p.start), "end": _instant(p.end), "kind": str(p.kind),
                "energy_kwh": _text(p.energy_kwh), "duration_h": _text(hours(p.duration)),
                "applied": [{"dimension": str(a.dimension), "element": a.element, "reason": a.reason}
                            for a in p.applied],
            } for p in self.periods],
            "total_excl_vat": _text(self.total_excl_vat),
            "vat": _text(self.vat),
            "total": _text(self.total),
            "energy_kwh": _text(self.energy_kwh),
            "total_time_h": _text(hours(self.total_time)),
            "charging_time_h": _text(hours(self.charging_time)),
            "parking_time_h": _text(hours(self.parking_time)),
            "reservation_time_h": _text(hours(self.reservation_time)),
            "rounded": self.is_rounded,
        }


def hours(duration: timedelta) -> Decimal:
    return Decimal(duration // timedelta(microseconds=1)) / _US_PER_HOUR


def price_limit_lines(lines: Iterable[CostLine], min_price: Price | None, max_price: Price | None,
                      vat_rate: Decimal | None = None,
                      rounding: tuple[Callable[[Decimal], Decimal], Callable[[Decimal], Decimal]] | None = None,
                      ) -> list[CostLine]:
    """MIN_PRICE / MAX_PRICE adjustments that bring the session's excl- and incl-VAT totals within the
    tariff's bounds, each total on its own.

    A bound without ``incl_vat`` takes the consumption's own effective VAT rate, so the adjustment
    is spread pro rata over the lines' rates; when nothing was consumed to take a rate from, it
    takes ``vat_rate`` (the tariff's highest). A bound stated by the tariff beats a derived one when
    the two disagree. ``rounding`` (for the minimum, for the cap) rounds the bounds when the lines
    are rounded, so the adjusted totals land exactly on them; should no amount fit between the
    rounded bounds, the cap wins."""
    if min_price is None and max_price is None:
        return []
    excl = vat = _ZERO
    for line in lines:
        excl += line.amount
        vat += line.vat
    incl = excl + vat

    def incl_bound(bound: Price) -> Decimal:
        if bound.incl_vat is not None:
            return bound.incl_vat
        if excl > 0:
            return (bound.excl_vat * incl / excl).quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)
        if vat_rate is not None:
            vat = (bound.excl_vat * vat_rate / _HUNDRED).quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)
            return bound.excl_vat + vat
        return bound.excl_vat

    up, down = rounding or (_same, _same)
    low = None if min_price is None else (up(min_price.excl_vat), up(incl_bound(min_price)))
    high = None if max_price is None else (down(max_price.excl_vat), down(incl_bound(max_price)))
    if low is not None and high is not None and low[1] > high[1]:
        if max_price is not None and max_price.incl_vat is None:
            high = (high[0], low[1])
        else:
            low = (low[0], high[1])
    out = []
    for kind, bound in ((LineType.MIN_PRICE, low), (LineType.MAX_PRICE, high)):
        if bound is None:
            continue
        if kind is LineType.MIN_PRICE:
            new_excl, new_incl = max(excl, bound[0]), max(incl, bound[1])
        else:
            new_excl, new_incl = min(excl, bound[0]), min(incl, bound[1])
        if new_excl == excl and new_incl == incl:
            continue
        delta_excl = new_excl - excl
        delta_vat = (new_incl - new_excl) - (incl - excl)
        out.append(CostLine(kind, _ONE, UNITS[kind], delta_excl, delta_excl, None, delta_vat, None))
        excl, incl = new_excl, new_incl
    return out


def _same(value: Decimal) -> Decimal:
    return value


def _text(value: Decimal) -> str:
    return format(value, "f")


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
