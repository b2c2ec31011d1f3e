"""Money: Decimal only, minor-unit rounding half-up, currencies kept apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.money import Money, parse_decimal

amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False)


def test_rounding_is_half_up_to_the_currency_minor_unit():
    assert Money("0.125", "EUR").rounded().amount == Decimal("0.13")
    assert Money("-0.125", "EUR").rounded().amount == Decimal("-0.13")
    assert Money("100.5", "JPY").rounded().amount == Decimal(101)
    assert Money("1.2345", "KWD").rounded().amount == Decimal("1.235")


def test_float_and_unknown_currency_are_refused():
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Money("1", "EURO")
    with pytest.raises(ValueError):
        Money("1", "EUR") + Money("1", "GBP")


@given(amounts, amounts)
def test_addition_is_exact_and_rounding_moves_less_than_half_a_minor_unit(a, b):
    total = Money(a, "EUR") + Money(b, "EUR")
    assert total.amount == a + b
    assert abs(total.rounded().amount - total.amount) <= Decimal("0.005")


@given(amounts)
def test_rounding_is_idempotent(a):
    once = Money(a, "EUR").rounded()
    assert once.rounded() == once


@pytest.mark.parametrize("text", ["abc", "1e999999", "NaN", "-1", "0.1234567"])
def test_parse_decimal_rejects_bad_prices(text):
    with pytest.raises(InvalidInput):
        parse_decimal(text, "price")


def test_parse_decimal_rejects_floats():
    with pytest.raises(InvalidInput):
        parse_decimal(0.25, "price")
    assert parse_decimal("0.250000", "price") == Decimal("0.25")


@pytest.mark.parametrize("text", ["1e3", " 0.25", "+0.25", ".5", "1_000", "٣", "0.25\n", "Infinity"])
def test_parse_decimal_reads_plain_notation_only(text):
    with pytest.raises(InvalidInput) as caught:
        parse_decimal(text, "price")
    assert [e.field for e in caught.value.errors] == ["price"]


def test_parse_decimal_reads_exact_numbers_for_quantities_only():
    with pytest.raises(InvalidInput):
        parse_decimal(20, "price")  # money and prices: text only
    assert parse_decimal(20, "vat", numbers=True) == Decimal(20)
    exact = Decimal("0.1000000000000000000001")  # as the edge decodes a JSON number: its own digits
    assert parse_decimal(exact, "kwh", numbers=True, max_decimals=None) == exact
    with pytest.raises(InvalidInput):
        parse_decimal(0.1, "kwh", numbers=True)  # a float has lost digits already
    assert parse_decimal(0.1, "kwh", numbers=True, floats=True) == Decimal("0.1")  # partners' OCPI: via repr
    for bad in (True, Decimal("NaN"), Decimal("1E+999")):
        with pytest.raises(InvalidInput):
            parse_decimal(bad, "kwh", numbers=True)
    with pytest.raises(InvalidInput):
        parse_decimal("100.5", "vat", maximum=Decimal(100))


def test_money_reads_its_text_with_the_same_parser():
    assert Money("-1.25", "EUR").amount == Decimal("-1.25")
    with pytest.raises(InvalidInput) as caught:
        Money("1e3", "EUR")
    assert [e.field for e in caught.value.errors] == ["amount"]


plain_texts = st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{1,9})?", fullmatch=True)


@given(plain_texts, st.sampled_from([None, 0, 2, 4, 6]), st.booleans())
def test_text_and_the_same_exact_number_get_the_same_answer(text, max_decimals, allow_negative):
    """Text is read on its own path (its decimals counted from its digits); an exact number, the same
    value with the same digits, on the general one. Both must accept and refuse alike."""
    def outcome(value: object) -> object:
        try:
            return parse_decimal(value, "q", max_decimals=max_decimals, allow_negative=allow_negative, numbers=True)
        except InvalidInput as refused:
            return [e.message for e in refused.errors]

    assert outcome(text) == outcome(Decimal(text))
