"""Money: a Decimal amount in an ISO 4217 currency, rounded to the minor unit only when billed."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from attrs import field, frozen

from domain.errors import InvalidInput
from domain.geography import CURRENCY_EXPONENTS, is_currency

MAX_PRICE_DECIMALS = 6
# No price or billed amount comes near a trillion; larger input is a mistake or an attack.
MAX_MAGNITUDE_DIGITS = 12


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise TypeError("money amounts are Decimal or decimal strings, never float")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)):
        # Amounts computed inside (rating, VAT) may carry any number of decimals; only text is read here.
        return parse_decimal(value, "amount", max_decimals=None, allow_negative=True, numbers=True)
    raise TypeError(f"cannot make a money amount of {type(value).__name__}")


def _check_currency(_instance: object, _attribute: object, value: str) -> None:
    if not is_currency(value):
        raise InvalidInput.field("currency", f"{value!r} is not an ISO 4217 currency code")


@frozen
class Money:
    amount: Decimal = field(converter=_to_decimal)
    currency: str = field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    def rounded(self) -> Money:
        """Rounded to the currency's minor unit, half-up: done once per billed line."""
        quantum = Decimal(1).scaleb(-self.exponent)
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_UP), self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, (float, bool)) or not isinstance(factor, (Decimal, int)):
            raise TypeError("Money is multiplied by Decimal or int only")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def to_json(self) -> dict[str, str]:
        return {"amount": format(self.amount, "f"), "currency": self.currency}


# Plain decimal notation only: Decimal() would also take "1e3", " 1.5", "1_000", "+2", ".5", "NaN" and
# digits of other scripts. A sign is let through so that "-0.25" is told it must not be negative.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.([0-9]+))?\Z")
STRING_ONLY = 'must be a decimal string such as "0.25"; JSON numbers are not accepted'
NUMBER_OR_STRING = 'must be a number or a decimal string such as "0.25"'


def parse_decimal(value: object, field_name: str, *, max_decimals: int | None = MAX_PRICE_DECIMALS,
                  allow_negative: bool = False, numbers: bool = False, floats: bool = False,
                  maximum: Decimal | None = None) -> Decimal:
    """The one reader of decimals from the outside world, or ``InvalidInput`` naming ``field_name``.

    Text must be plain notation (``"12.5"``). Money and prices come only as text; with ``numbers``
    (quantities and percentages, as OCPI and Stripe send them) an exact number is read too: an
    ``int``, or a ``Decimal`` that the edge decoded from the JSON number's own digits. A ``float``
    has lost digits already, so it is refused unless ``floats`` (partners' OCPI documents, read
    through ``repr`` so that 0.1 stays 0.1).
    """
    fraction: str | None = None   # the digits after the point, when the value was text
    if isinstance(value, str):
        plain = PLAIN_DECIMAL.match(value)
        if not plain:
            raise InvalidInput.field(field_name, 'must be a plain decimal string such as "0.25" (digits and at '
                                                 'most one point: no exponent, spaces or plus sign)')
        number = Decimal(value)
        fraction = plain[1] or ""
    elif isinstance(value, bool) or not numbers:
        raise InvalidInput.field(field_name, NUMBER_OR_STRING if numbers else STRING_ONLY)
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float) and floats:
        try:
            number = Decimal(repr(value))
        except InvalidOperation:
            raise InvalidInput.field(field_name, "must be a finite number") from None
    else:
        raise InvalidInput.field(field_name, NUMBER_OR_STRING)
    if fraction is None and not number.is_finite():   # plain text is always finite
        raise InvalidInput.field(field_name, "must be a finite number")
    if number and number.adjusted() >= MAX_MAGNITUDE_DIGITS:
        raise InvalidInput.field(field_name, f"must be below 10^{MAX_MAGNITUDE_DIGITS}")
    if not allow_negative and number < 0:
        raise InvalidInput.field(field_name, "must not be negative")
    if maximum is not None and number > maximum:
        raise InvalidInput.field(field_name, f"must be at most {maximum}")
    if max_decimals is not None:
        if fraction is not None:
            decimals = len(fraction)
        else:
            exponent = number.as_tuple().exponent
            decimals = -exponent if isinstance(exponent, int) else 0
        if decimals > max_decimals:
            raise InvalidInput.field(field_name, f"at most {max_decimals} decimals")
    return number


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's minor unit as an integer (12.34 EUR → 1234, 500 JPY → 500, 1.234 KWD →
    1234), exactly: ``InvalidInput`` when it has more decimals than the currency's ISO 4217 exponent."""
    if not is_currency(currency):
        raise InvalidInput.field("currency", f"{currency!r} is not an ISO 4217 currency code")
    scaled = amount.scaleb(CURRENCY_EXPONENTS[currency])
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise InvalidInput.field("amount", f"{amount} is not in {currency}'s minor unit")
    return int(scaled)


def from_minor_units(minor: int, currency: str) -> Decimal:
    """The inverse of ``to_minor_units``: 1234 EUR minor units → Decimal("12.34")."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("minor units are an int")
    if not is_currency(currency):
        raise InvalidInput.field("currency", f"{currency!r} is not an ISO 4217 currency code")
    return Decimal(minor).scaleb(-CURRENCY_EXPONENTS[currency])
