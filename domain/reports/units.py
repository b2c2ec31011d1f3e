"""How report figures are shown: exact integer sums as decimals with a fixed number of places, half-up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.geography import CURRENCY_EXPONENTS

_KWH = Decimal("0.001")
_HOURS = Decimal("0.001")
_PERCENT = Decimal("0.01")
_PRICE_PLACES = 4          # a price per kWh: as tariffs state theirs, to the hundredth of a minor unit
_MWH_PER_KWH = Decimal(1_000_000)
_US_PER_HOUR = Decimal(3_600_000_000)


def kwh(mwh: int, count: int = 1) -> Decimal:
    """Milliwatt-hours (divided by ``count``: an average) as kWh to the Wh."""
    return (Decimal(mwh) / _MWH_PER_KWH / max(count, 1)).quantize(_KWH, rounding=ROUND_HALF_UP)


def hours(us: int, count: int = 1) -> Decimal:
    """Microseconds (divided by ``count``) as hours to 3.6 seconds."""
    return (Decimal(us) / _US_PER_HOUR / max(count, 1)).quantize(_HOURS, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent to two places; None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_PERCENT, rounding=ROUND_HALF_UP)


def price_per_kwh(minor: int, mwh: int, currency: str) -> Decimal | None:
    """``minor`` units of ``currency`` per kWh of ``mwh`` milliwatt-hours, to the hundredth of a minor unit
    (4 places in euros); None without energy."""
    if mwh <= 0:
        return None
    places = Decimal(1).scaleb(-(CURRENCY_EXPONENTS[currency] + 2))
    return (Decimal(minor).scaleb(-CURRENCY_EXPONENTS[currency]) * _MWH_PER_KWH / Decimal(mwh)).quantize(
        places, rounding=ROUND_HALF_UP)


_M_PER_100KM = Decimal(100_000)


def price_per_100km(minor: int, metres: int, currency: str) -> Decimal | None:
    """``minor`` units of ``currency`` per 100 km of ``metres`` driven, to the hundredth of a minor unit (as
    ``price_per_kwh``); None without distance."""
    if metres <= 0:
        return None
    places = Decimal(1).scaleb(-(CURRENCY_EXPONENTS[currency] + 2))
    return (Decimal(minor).scaleb(-CURRENCY_EXPONENTS[currency]) * _M_PER_100KM / Decimal(metres)).quantize(
        places, rounding=ROUND_HALF_UP)
