"""A priced session as an invoice bills it (a ``Charge``): a line per priced dimension of its cost, and a row
for the sessions table (local date and time, location, charge point, energy).

A session's charge is booked when the session is priced (unbilled receivable against revenue) and waits
for an invoice: it goes on the first invoice of its customer whose period ends after the session started
(a session replayed after its month was invoiced goes on the next one: never lost, never twice).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.billing.invoices import Charge, InvoiceLine, LineKind
from domain.billing.vat import VatTreatment
from domain.tariffs import CostBreakdown
from domain.tariffs.breakdown import LineType

_ZERO = Decimal(0)
_KINDS = {LineType.ENERGY: (LineKind.ENERGY, "Energy"), LineType.TIME: (LineKind.TIME, "Charging time"),
          LineType.PARKING_TIME: (LineKind.PARKING, "Parking time"), LineType.FLAT: (LineKind.FLAT, "Session fee"),
          LineType.RESERVATION_FLAT: (LineKind.RESERVATION, "Reservation fee"),
          LineType.RESERVATION_TIME: (LineKind.RESERVATION, "Reservation time"),
          LineType.MIN_PRICE: (LineKind.PRICE_BOUND, "Minimum price adjustment"),
          LineType.MAX_PRICE: (LineKind.PRICE_BOUND, "Maximum price adjustment")}
_BOUNDS = frozenset({LineType.MIN_PRICE, LineType.MAX_PRICE})


def charge_lines(breakdown: CostBreakdown, *, session_id: str, started_at: datetime, zone: ZoneInfo,
                 no_vat: VatTreatment) -> tuple[InvoiceLine, ...]:
    """A line per line of the session's billed breakdown, each at its own VAT (``no_vat`` for a component
    without one); a min/max price adjustment takes the VAT of the session's consumption."""
    rates = {line.vat_rate for line in breakdown.lines if line.type not in _BOUNDS and line.vat_rate is not None}
    bound_rate = max(rates) if rates else breakdown.limit_vat_rate
    day = started_at.astimezone(zone).date()
    out = []
    used = [line for line in breakdown.lines if line.amount or line.quantity]
    if not used:
        # A session that used nothing the tariff prices still stands on its invoice, at 0.00, so that the
        # driver sees it and the invoice has a line (EN 16931 wants one); its first dimension says what.
        used = [line for line in breakdown.lines if line.type not in _BOUNDS][:1]
    if not used:   # nothing priced at all: an energy line of 0 kWh at 0
        vat = VatTreatment.standard(bound_rate) if bound_rate is not None else no_vat
        return (InvoiceLine(LineKind.ENERGY, f"Energy ({day.isoformat()})", _ZERO, "kWh", _ZERO, _ZERO, vat,
                            session_id, day),)
    for line in used:
        kind, label = _KINDS[line.type]
        rate = bound_rate if line.type in _BOUNDS else line.vat_rate
        vat = VatTreatment.standard(rate) if rate is not None else no_vat
        out.append(InvoiceLine(kind, f"{label} ({day.isoformat()})", line.quantity, line.unit, line.unit_price,
                               line.amount, vat, session_id, day))
    return tuple(out)


__all__ = ["Charge", "charge_lines"]
