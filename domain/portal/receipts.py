"""A charging session's receipt: what a driver keeps of one session (who charged them, where, when in local
time, how much energy, each tariff line, VAT, total, whether it is paid and on which invoice)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen


@frozen
class ReceiptLine:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal                  # net of VAT, in the currency's minor unit
    vat_rate: Decimal | None         # None: no VAT on this line


@frozen
class Receipt:
    session_id: str
    operator_name: str
    operator_address: tuple[str, ...]
    operator_vat_id: str | None
    driver_name: str
    location_name: str
    location_address: tuple[str, ...]
    charge_point_id: str
    connector_id: int | None
    timezone: str
    started_at: datetime | None      # in the location's time zone
    stopped_at: datetime | None
    energy_kwh: Decimal
    currency: str | None             # None: no tariff priced the session
    lines: tuple[ReceiptLine, ...]
    total_excl_vat: Decimal
    vat: Decimal
    total: Decimal
    payment_status: str              # what the driver reads: "Paid", "Due by 2026-02-14", "Not invoiced yet"…
    invoice_number: str | None
    tariff_name: str | None
    issued_at: datetime
