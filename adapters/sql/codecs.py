"""Domain values kept in JSON columns: domain events, an orphan's messages, a session's cost breakdown.

A cattrs converter (decimals as strings, instants as ISO 8601, enums by value) turns attrs values
into plain JSON and back; the breakdown, a NamedTuple whose periods are kept compact, has its own
exact form (instants and durations in microseconds), so what is read back is what was billed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
import cattrs

from domain.charging import MeterSample, TransactionEvent
from domain.events import DomainEvent, event_types
from domain.tariffs import CostBreakdown
from domain.tariffs.breakdown import AppliedElement, CostLine, LineType, PeriodKind
from domain.tariffs.localtime import to_us
from domain.tariffs.model import Price

_US = timedelta(microseconds=1)
_US_PER_HOUR = Decimal(3_600_000_000)


def make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    converter.register_unstructure_hook(Decimal, lambda d: format(d, "f"))
    converter.register_structure_hook(Decimal, lambda v, _: Decimal(v))
    converter.register_unstructure_hook(datetime, lambda d: d.astimezone(UTC).isoformat())
    converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v).astimezone(UTC))
    return converter


_converter = make_converter()


@cache
def _resolved(cls: type) -> type:
    # The domain writes ``from __future__ import annotations``: cattrs needs the real types.
    attrs.resolve_types(cls)
    for field in attrs.fields(cls):
        if isinstance(field.type, type) and attrs.has(field.type):
            _resolved(field.type)
    return cls


def event_to_json(event: DomainEvent) -> dict[str, Any]:
    # A class is hashable; mypy checks it against Hashable by its instances' __hash__ (hence the ignore).
    payload: dict[str, Any] = _converter.unstructure(event, unstructure_as=_resolved(type(event)))  # type: ignore[arg-type]
    return payload


def event_from_json(name: str, payload: dict[str, Any]) -> DomainEvent:
    cls = event_types()[name]
    # A class is hashable; mypy checks it against Hashable by its instances' __hash__ (hence the ignore).
    event: DomainEvent = _converter.structure(payload, _resolved(cls))  # type: ignore[arg-type]
    return event


def messages_to_json(messages: list[TransactionEvent]) -> list[dict[str, Any]]:
    _resolved(MeterSample)
    return [_converter.unstructure(m, unstructure_as=_resolved(TransactionEvent)) for m in messages]


def messages_from_json(values: list[dict[str, Any]]) -> list[TransactionEvent]:
    _resolved(MeterSample)
    return [_converter.structure(v, _resolved(TransactionEvent)) for v in values]


# ------------------------------------------------------------------- the cost breakdown

_FORMAT = 2


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _price(price: Price | None) -> list[str | None] | None:
    return None if price is None else [_text(price.excl_vat), _text(price.incl_vat)]


def _price_from(value: list[str | None] | None) -> Price | None:
    if value is None or value[0] is None:
        return None
    return Price(Decimal(value[0]), _number(value[1]))


def breakdown_to_json(breakdown: CostBreakdown) -> dict[str, Any]:
    b = breakdown
    return {
        "format": _FORMAT, "currency": b.currency,
        "lines": [[str(line.type), _text(line.quantity), line.unit, _text(line.unit_price), _text(line.amount),
                   _text(line.vat_rate), _text(line.vat), line.element] for line in b.lines],
        "total_excl_vat": _text(b.total_excl_vat), "vat": _text(b.vat), "total": _text(b.total),
        "energy_kwh": _text(b.energy_kwh), "total_time_us": b.total_time // _US,
        "charging_time_us": b.charging_time // _US, "parking_time_us": b.parking_time // _US,
        "reservation_time_us": b.reservation_time // _US, "min_price": _price(b.min_price),
        "max_price": _price(b.max_price), "limit_vat_rate": _text(b.limit_vat_rate), "rounded": b.is_rounded,
        "periods": [[start, end, str(kind), _text(energy), duration,
                     [[str(a.dimension), a.element, a.reason] for a in applied]]
                    for start, end, kind, energy, duration, applied in b.detached().period_entries],
    }


def breakdown_from_json(value: dict[str, Any]) -> CostBreakdown:
    if value.get("format") != _FORMAT:
        return _breakdown_from_rest_shape(value)
    lines = tuple(CostLine(LineType(t), Decimal(q), unit, Decimal(up), Decimal(a), _number(rate), Decimal(vat), el)
                  for t, q, unit, up, a, rate, vat, el in value["lines"])
    periods = tuple((start, end, PeriodKind(kind), Decimal(energy), duration,
                     tuple(AppliedElement(LineType(d), element, reason) for d, element, reason in applied))
                    for start, end, kind, energy, duration, applied in value["periods"])
    return CostBreakdown(
        currency=value["currency"], lines=lines, total_excl_vat=Decimal(value["total_excl_vat"]),
        vat=Decimal(value["vat"]), total=Decimal(value["total"]), energy_kwh=Decimal(value["energy_kwh"]),
        total_time=value["total_time_us"] * _US, charging_time=value["charging_time_us"] * _US,
        parking_time=value["parking_time_us"] * _US, reservation_time=value["reservation_time_us"] * _US,
        min_price=_price_from(value["min_price"]), max_price=_price_from(value["max_price"]),
        limit_vat_rate=_number(value["limit_vat_rate"]), is_rounded=value["rounded"], period_entries=periods)


def _hours(value: str) -> timedelta:
    return round(Decimal(value) * _US_PER_HOUR) * _US


def _breakdown_from_rest_shape(value: dict[str, Any]) -> CostBreakdown:
    """A breakdown stored before revision 0004, in the REST shape (``CostBreakdown.to_json``)."""
    lines = tuple(CostLine(LineType(x["type"]), Decimal(x["quantity"]), x["unit"], Decimal(x["unit_price"]),
                           Decimal(x["amount"]), _number(x.get("vat_rate")), Decimal(x["vat"]), x.get("element"))
                  for x in value["lines"])
    periods = tuple((to_us(datetime.fromisoformat(p["start"])), to_us(datetime.fromisoformat(p["end"])),
                     PeriodKind(p["kind"]), Decimal(p["energy_kwh"]), _hours(p["duration_h"]) // _US,
                     tuple(AppliedElement(LineType(a["dimension"]), a["element"], a["reason"]) for a in p["applied"]))
                    for p in value.get("periods", ()))
    return CostBreakdown(
        currency=value["currency"], lines=lines, total_excl_vat=Decimal(value["total_excl_vat"]),
        vat=Decimal(value["vat"]), total=Decimal(value["total"]), energy_kwh=Decimal(value["energy_kwh"]),
        total_time=_hours(value["total_time_h"]), charging_time=_hours(value["charging_time_h"]),
        parking_time=_hours(value["parking_time_h"]), reservation_time=_hours(value["reservation_time_h"]),
        is_rounded=bool(value.get("rounded", True)), period_entries=periods)
