"""From billed quantities to money: step sizes, prices, VAT, price bounds, the breakdown."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any

from domain.tariffs.breakdown import (
    AMOUNT_QUANTUM,
    CostBreakdown,
    CostLine,
    LineType,
    PeriodEntry,
    price_limit_lines,
)
from domain.tariffs.plan import ComponentPlan, RatingPlan
from domain.tariffs.profile import SessionProfile

_ZERO = Decimal(0)
_ONE = Decimal(1)
_THOUSAND = Decimal(1000)
_D_US_PER_HOUR = Decimal(3_600_000_000)
_ORDER = attrgetter("order")
_NO_TIME = timedelta(0)
# The two NamedTuples are built straight from their fields: their generated __new__ is a Python
# frame that costs as much again as the tuple.
_new = tuple.__new__

# What a walk leaves for billing: billed quantity per component (Decimal kWh, int microseconds,
# or 1 for a fee), the last component used per dimension, period entries (see CostBreakdown),
# energy, and time per kind.
Walked = tuple[dict[ComponentPlan, Any], dict[LineType, ComponentPlan], list[PeriodEntry], Decimal, int, int, int]


def finish(plan: RatingPlan, profile: SessionProfile, walked: Walked) -> CostBreakdown:
    quantities, last, entries, energy, charging_us, parking_us, reservation_us = walked
    if last:
        apply_step_sizes(quantities, last)
    lines, excl, vat = cost_lines(quantities)
    tariff = plan.tariff
    if plan.has_limits:
        for line in price_limit_lines(lines, tariff.min_price, tariff.max_price, plan.limit_vat_rate):
            lines.append(line)
            excl += line.amount
            vat += line.vat
    return _new(CostBreakdown, (
        plan.currency, tuple(lines), excl, vat, excl + vat, energy, profile.total_time, _duration(charging_us),
        _duration(parking_us), _duration(reservation_us), tariff.min_price, tariff.max_price,
        plan.limit_vat_rate, False, profile.spans, tuple(entries)))


def _duration(us: int) -> timedelta:
    return timedelta(0, 0, us) if us else _NO_TIME


def apply_step_sizes(quantities: dict[ComponentPlan, Any], last: dict[LineType, ComponentPlan]) -> None:
    """Round each dimension's session total up to the step size of the last component that priced
    it, and bill the difference at that component's price (OCPI 2.2.1 errata; vector step_size_energy).

    TIME is left unrounded when the session also billed PARKING_TIME: rounding the charging time up
    would bill minutes the parking time bills again (vector step_size)."""
    for dimension, component in last.items():
        step = component.step
        if step is None or (dimension is LineType.TIME and LineType.PARKING_TIME in last):
            continue
        total = quantities[component]
        if len(quantities) != len(last):  # another component billed this dimension too
            for other, quantity in quantities.items():
                if other.dimension is dimension and other is not component:
                    total += quantity
        if dimension is LineType.ENERGY:
            wh = total * _THOUSAND  # step is in Wh
            billed_wh = wh.to_integral_value(ROUND_CEILING) if step == 1 else \
                (wh / step).to_integral_value(ROUND_CEILING) * step
            if billed_wh != wh:
                quantities[component] += (billed_wh - wh) / _THOUSAND
        else:  # step is in microseconds
            rest = total % step
            if rest:
                quantities[component] += step - rest


def cost_lines(quantities: dict[ComponentPlan, Any]) -> tuple[list[CostLine], Decimal, Decimal]:
    """A line per component, ordered by dimension then element; and their excl-VAT and VAT sums."""
    lines = []
    excl = vat_sum = _ZERO
    quantum, half_up, energy_dimension = AMOUNT_QUANTUM, ROUND_HALF_UP, LineType.ENERGY
    ordered = sorted(quantities, key=_ORDER) if len(quantities) > 1 else quantities
    for component in ordered:
        quantity = quantities[component]
        dimension = component.dimension
        price = component.price
        if dimension is energy_dimension:
            billed = quantity  # kWh
            amount = (billed * price).quantize(quantum, half_up)
        elif component.is_fee:
            billed = _ONE
            amount = price
        else:  # hours, priced from the exact microseconds
            micro = Decimal(quantity)
            billed = (micro / _D_US_PER_HOUR).quantize(quantum, half_up)
            amount = (micro * price / _D_US_PER_HOUR).quantize(quantum, half_up)
        factor = component.vat_factor
        vat = _ZERO if factor is None else (amount * factor).quantize(quantum, half_up)
        lines.append(_new(CostLine, (dimension, billed, component.unit, price, amount, component.vat, vat,
                                     component.element)))
        excl += amount
        vat_sum += vat
    return lines, excl, vat_sum
