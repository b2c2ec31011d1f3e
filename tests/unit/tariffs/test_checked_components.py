"""A price component the parser built without re-running the validators is the same value as one built with them."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.tariffs import parse_tariff
from domain.tariffs.model import DimensionType, PriceComponent

decimals = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False)


@given(st.sampled_from(list(DimensionType)), decimals, st.integers(1, 86_400), st.none() | decimals)
def test_checked_equals_the_validated_constructor(kind, price, step_size, vat):
    checked = PriceComponent.checked(kind, price, step_size, vat)
    built = PriceComponent(type=kind, price=price, step_size=step_size, vat=vat)
    assert checked == built and hash(checked) == hash(built) and repr(checked) == repr(built)


@given(st.sampled_from(list(DimensionType)), decimals, st.none() | decimals.filter(lambda d: d <= 100))
def test_a_parsed_component_is_the_one_its_fields_describe(kind, price, vat):
    document = {"currency": "EUR", "elements": [{"price_components": [
        {"type": str(kind), "price": format(price, "f"), "step_size": 1,
         **({} if vat is None else {"vat": format(vat, "f")})}]}]}
    component = parse_tariff(document).elements[0].price_components[0]
    assert component == PriceComponent(type=kind, price=price, step_size=1, vat=vat)
    assert isinstance(component.price, Decimal)
