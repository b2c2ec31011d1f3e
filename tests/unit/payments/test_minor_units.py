"""Amounts to a provider's minor units and back: exact for every ISO 4217 exponent, never through float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.geography import CURRENCY_EXPONENTS
from domain.money import from_minor_units, to_minor_units


@given(currency=st.sampled_from(sorted(CURRENCY_EXPONENTS)), minor=st.integers(0, 10**12))
def test_minor_units_round_trip_exactly(currency, minor):
    amount = from_minor_units(minor, currency)
    assert to_minor_units(amount, currency) == minor
    assert amount == Decimal(minor) / (10 ** CURRENCY_EXPONENTS[currency])


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("12.34", "EUR", 1234), ("12.3", "EUR", 1230), ("500", "JPY", 500), ("1.234", "KWD", 1234),
    ("0.01", "USD", 1), ("1000000.00", "GBP", 100000000), ("7", "CLP", 7), ("0.100", "BHD", 100)])
def test_known_exponents(amount, currency, minor):
    assert to_minor_units(Decimal(amount), currency) == minor


@pytest.mark.parametrize(("amount", "currency"), [("0.001", "EUR"), ("1.5", "JPY"), ("1.2345", "KWD")])
def test_an_amount_finer_than_the_minor_unit_is_refused(amount, currency):
    with pytest.raises(InvalidInput):
        to_minor_units(Decimal(amount), currency)


def test_no_float_and_no_unknown_currency():
    with pytest.raises(TypeError):
        from_minor_units(12.0, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        to_minor_units(Decimal(1), "XXY")
