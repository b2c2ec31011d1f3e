"""What a charge point may report: every number it sends, read by one rule into the range physics allows.

A charge point is untrusted input. A register of 10^30 Wh, a connector 2^63 or a power of NaN is
not a reading but a fault (or an attack); it must be refused where it enters, before it reaches
a session, a bill or a list. ``read`` is that rule: a finite number (a JSON number, or a plain
decimal string as OCPP 1.6 sends sampled values) within the quantity's declared range.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from attrs import frozen

from domain.errors import FieldError, InvalidInput


class MalformedNumber(InvalidInput):
    """The value is not a number at all (``"abc"``, ``"0x10"``, ``"NaN"``, a boolean)."""

    code = "malformed_number"


class OutOfRange(InvalidInput):
    """The value is a number, but not one this quantity can physically take."""

    code = "out_of_range"


@frozen
class Quantity:
    """A reported quantity and its physical range, ``low <= value < high`` (``high`` inclusive when ``closed``)."""

    name: str
    low: Decimal
    high: Decimal
    closed: bool = False
    integral: bool = False

    def admits(self, value: Decimal) -> bool:
        if value < self.low:
            return False
        return value <= self.high if self.closed else value < self.high


_INT32 = Decimal(2**31 - 1)
_TERA = Decimal(10) ** 12

# Energy registers count up from zero and no meter reaches a terawatt-hour.
REGISTER_WH = Quantity("energy register (Wh)", Decimal(0), _TERA)
ENERGY_WH = Quantity("energy (Wh)", -_TERA, _TERA)
# The largest chargers deliver a few megawatts; 10 MW is beyond any of them.
POWER_W = Quantity("power (W)", Decimal(-10_000_000), Decimal(10_000_000))
MAX_POWER_W = POWER_W.high
CURRENT_A = Quantity("current (A)", Decimal(-100_000), Decimal(100_000))
VOLTAGE_V = Quantity("voltage (V)", Decimal(0), Decimal(100_000))
FREQUENCY_HZ = Quantity("frequency (Hz)", Decimal(0), Decimal(1_000))
PERCENT = Quantity("percentage", Decimal(0), Decimal(100), closed=True)
TEMPERATURE = Quantity("temperature", Decimal(-10_000), Decimal(10_000))
POWER_FACTOR = Quantity("power factor", Decimal(-1), Decimal(1), closed=True)
RPM = Quantity("rotational speed (RPM)", Decimal(0), Decimal(1_000_000))
ANY_MEASURAND = Quantity("measurand", -_TERA, _TERA)

# Identifiers a charge point reports: connector 0 and EVSE 0 are the charge point as a whole.
CONNECTOR_ID = Quantity("connector id", Decimal(0), Decimal(100), closed=True, integral=True)
EVSE_ID = Quantity("EVSE id", Decimal(0), Decimal(100), closed=True, integral=True)
# Counters: OCPP implementations keep them in 32-bit integers.
TRANSACTION_ID = Quantity("transaction id", Decimal(0), _INT32, closed=True, integral=True)
RESERVATION_ID = Quantity("reservation id", Decimal(0), _INT32, closed=True, integral=True)
SEQ_NO = Quantity("sequence number", Decimal(0), _INT32, closed=True, integral=True)
REQUEST_ID = Quantity("request id", -_INT32 - 1, _INT32, closed=True, integral=True)

# By OCPP measurand (the prefix before the first dot decides); values in Wh, W, A as ``MeterSample`` keeps them.
_BY_MEASURAND: tuple[tuple[str, Quantity], ...] = (
    ("Energy.Active.Import.Register", REGISTER_WH),
    ("Energy.Active.Export.Register", REGISTER_WH),
    ("Energy.Reactive.Import.Register", REGISTER_WH),
    ("Energy.Reactive.Export.Register", REGISTER_WH),
    ("Energy.", ENERGY_WH),
    ("Power.Factor", POWER_FACTOR),
    ("Power.", POWER_W),
    ("Current.", CURRENT_A),
    ("Voltage", VOLTAGE_V),
    ("Frequency", FREQUENCY_HZ),
    ("SoC", PERCENT),
    ("Temperature", TEMPERATURE),
    ("RPM", RPM),
)

# A plain decimal, optionally with an exponent: what OCPP 1.6 means by a "raw (decimal) number".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?\Z")
_MAX_TEXT = 64


def quantity_of(measurand: str) -> Quantity:
    """The range of a measurand's values, in the base unit (Wh, W, A) a sample is normalised to."""
    for prefix, found in _BY_MEASURAND:
        if measurand.startswith(prefix):
            return found
    return ANY_MEASURAND


def number(value: object, field: str) -> Decimal:
    """A JSON number or a decimal string as a finite ``Decimal``, else ``MalformedNumber``."""
    if isinstance(value, bool):
        raise MalformedNumber(FieldError(field, "must be a number, not a boolean"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        parsed = value
    elif isinstance(value, str):
        if len(value) > _MAX_TEXT or not _NUMBER.match(value):
            raise MalformedNumber(FieldError(field, f"{value[:_MAX_TEXT]!r} is not a decimal number"))
        try:
            parsed = Decimal(value)
        except InvalidOperation:  # the pattern admits only what Decimal reads; kept for safety
            raise MalformedNumber(FieldError(field, f"{value[:_MAX_TEXT]!r} is not a decimal number")) from None
    else:
        raise MalformedNumber(FieldError(field, "must be a number"))
    if not parsed.is_finite():
        raise MalformedNumber(FieldError(field, "must be a finite number"))
    return parsed


def within(value: Decimal, quantity: Quantity, field: str) -> Decimal:
    """``value`` if ``quantity`` can physically take it, else ``OutOfRange`` naming the field."""
    if quantity.integral and value != value.to_integral_value():
        raise OutOfRange(FieldError(field, f"a {quantity.name} is a whole number"))
    if not quantity.admits(value):
        bound = "]" if quantity.closed else ")"
        raise OutOfRange(FieldError(field, f"{_short(value)} is outside the {quantity.name} range "
                                           f"[{_short(quantity.low)}, {_short(quantity.high)}{bound}"))
    return value


def read(value: object, quantity: Quantity, field: str) -> Decimal:
    """The one rule for a number from a charge point: finite, then within its quantity's range."""
    return within(number(value, field), quantity, field)


def read_int(value: object, quantity: Quantity, field: str) -> int:
    """An identifier or counter from a charge point, as ``int`` (``read`` with a whole-number quantity)."""
    return int(read(value, quantity, field))


def _short(value: Decimal) -> str:
    text = format(value, "f") if abs(value.adjusted()) < 16 else format(value, "E")
    return text if len(text) <= 24 else format(value, ".6E")


def thousandths(value: Decimal) -> str:
    """kWh and kW as text with at least Wh (W) precision, never an exponent: "0.000", "12.345", "12.3456"."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -3:
        value = value.quantize(Decimal("0.001"))
    return format(value, "f")
