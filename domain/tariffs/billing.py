"""From billed quantities to money: step sizes, prices, VAT, price bounds, the breakdown."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any

from domain.tariffs.breakdown import AMOUNT_QUANTUM, UNITS, CostBreakdown, CostLine, LineType, price_limit_lines
from domain.tariffs.localtime import US
from domain.tariffs.plan import ComponentPlan, RatingPlan
from domain.tariffs.profile import SessionProfile

_ZERO = Decimal(0)
_ONE = Decimal(1)
_THOUSAND = Decimal(1000)
_D_US_PER_HOUR = Decimal(3_600_000_000)
_NO_TIME = timedelta(0)
_ORDER = attrgetter("order")

# What a walk leaves for billing: billed quantity per component (Decimal kWh, int microseconds,
# or 1 for a fee), the last component used per dimension, period rows, energy, and time per kind.
Walked = tuple[dict[ComponentPlan, Any], dict[LineType, ComponentPlan], list[tuple[Any, ...]], Decimal, int, int, int]


def finish(plan: RatingPlan, profile: SessionProfile, walked: Walked) -> CostBreakdown:
    quantities, last, rows, energy, charging_us, parking_us, reservation_us = walked
    apply_step_sizes(quantities, last)
    lines = cost_lines(quantities)
    tariff = plan.tariff
    if tariff.min_price is not None or tariff.max_price is not None:
        lines.extend(price_limit_lines(lines, tariff.min_price, tariff.max_price, plan.limit_vat_rate))
    excl = vat = _ZERO
    for line in lines:
        excl += line.amount
        vat += line.vat
    return CostBreakdown(
        currency=plan.currency, lines=tuple(lines), period_rows=tuple(rows),
        total_excl_vat=excl, vat=vat, total=excl + vat, energy_kwh=energy,
        total_time=profile.total_time, charging_time=_duration(charging_us),
        parking_time=_duration(parking_us), reservation_time=_duration(reservation_us),
        min_price=tariff.min_price, max_price=tariff.max_price, limit_vat_rate=plan.limit_vat_rate,
    )


def _duration(us: int) -> timedelta:
    return timedelta(microseconds=us) if us else _NO_TIME


def apply_step_sizes(quantities: dict[ComponentPlan, Any], last: dict[LineType, ComponentPlan]) -> None:
    """Round each dimension's session total up to the step size of the last component that priced
    it, and bill the difference at that component's price (OCPI 2.2.1 errata; vector step_size_energy).

    TIME is left unrounded when the session also billed PARKING_TIME: rounding the charging time up
    would bill minutes the parking time bills again (vector step_size)."""
    if not last:
        return
    if len(quantities) == len(last):
        totals = {c.dimension: q for c, q in quantities.items()}  # one component per dimension
    else:
        totals = {}
        for component, quantity in quantities.items():
            dimension = component.dimension
            totals[dimension] = totals[dimension] + quantity if dimension in totals else quantity
    for dimension, component in last.items():
        if dimension is LineType.TIME and LineType.PARKING_TIME in last:
            continue
        step, total = component.step_size, totals[dimension]
        if dimension is LineType.ENERGY:
            if step < 1:
                continue
            wh = total * _THOUSAND
            if step == 1:
                billed_wh = wh.to_integral_value(rounding=ROUND_CEILING)
            else:
                billed_wh = (wh / step).to_integral_value(rounding=ROUND_CEILING) * step
            delta = (billed_wh - wh) / _THOUSAND if billed_wh != wh else _ZERO
        else:
            step_us = step * US
            if step_us < 1:
                continue
            delta = -(-total // step_us) * step_us - total
        if delta:
            quantities[component] += delta


def cost_lines(quantities: dict[ComponentPlan, Any]) -> list[CostLine]:
    lines = []
    ordered = sorted(quantities, key=_ORDER) if len(quantities) > 1 else quantities  # dimension, then element
    for component in ordered:
        quantity = quantities[component]
        dimension = component.dimension
        price = component.price
        if dimension is LineType.ENERGY:
            billed = quantity  # kWh
            amount = (billed * price).quantize(AMOUNT_QUANTUM, ROUND_HALF_UP)
        elif dimension is LineType.FLAT or dimension is LineType.RESERVATION_FLAT:
            billed = _ONE
            amount = price
        else:  # hours, priced from the exact microseconds
            micro = Decimal(quantity)
            billed = (micro / _D_US_PER_HOUR).quantize(AMOUNT_QUANTUM, ROUND_HALF_UP)
            amount = (micro * price / _D_US_PER_HOUR).quantize(AMOUNT_QUANTUM, ROUND_HALF_UP)
        factor = component.vat_factor
        vat = (amount * factor).quantize(AMOUNT_QUANTUM, ROUND_HALF_UP) if factor is not None else _ZERO
        lines.append(CostLine(dimension, billed, UNITS[dimension], price, amount, component.vat, vat,
                              component.element))
    return lines

