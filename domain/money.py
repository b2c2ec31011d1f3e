"""Money: a Decimal amount in an ISO 4217 currency, rounded to the minor unit only when billed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from attrs import field, frozen

from domain.errors import InvalidInput
from domain.geography import CURRENCY_EXPONENTS, is_currency

MAX_PRICE_DECIMALS = 6
# No price or billed amount comes near a trillion; larger input is a mistake or an attack.
MAX_MAGNITUDE_DIGITS = 12


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("money amounts are Decimal or decimal strings, never float")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)):
        try:
            d = Decimal(value)
        except InvalidOperation:
            raise InvalidInput.field("amount", f"{value!r} is not a decimal number") from None
        if not d.is_finite():
            raise InvalidInput.field("amount", "amount must be finite")
        return d
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


def parse_decimal(text: object, field_name: str, *, max_decimals: int = MAX_PRICE_DECIMALS,
                  allow_negative: bool = False) -> Decimal:
    """A decimal string from the outside world (never a float) into a Decimal, or a field error."""
    if not isinstance(text, str):
        raise InvalidInput.field(field_name, "must be a decimal string such as \"0.25\"")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput.field(field_name, f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise InvalidInput.field(field_name, "must be a finite number")
    if value != 0 and value.adjusted() >= MAX_MAGNITUDE_DIGITS:
        raise InvalidInput.field(field_name, f"must be below 10^{MAX_MAGNITUDE_DIGITS}")
    if not allow_negative and value < 0:
        raise InvalidInput.field(field_name, "must not be negative")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > max_decimals:
        raise InvalidInput.field(field_name, f"at most {max_decimals} decimals")
    return value
