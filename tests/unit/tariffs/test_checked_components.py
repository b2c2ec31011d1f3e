"""Values built without re-running their validators (a parsed price component, a measured period) equal the
validated constructors' results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.tariffs import parse_tariff
from domain.tariffs.localtime import to_us
from domain.tariffs.model import DimensionType, PriceComponent
from domain.tariffs.profile import ChargingPeriod

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


instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(instants, st.integers(1, 86_400 * 10**6), st.integers(0, 10**7))
def test_a_measured_period_equals_the_checked_constructor(start, micros, wh):
    end = start + timedelta(microseconds=micros)
    energy = Decimal(wh) / 1000
    built = ChargingPeriod(start, end, energy, charging=energy > 0)
    for period in (ChargingPeriod.measured(start, end, energy),
                   ChargingPeriod.measured(start, end, energy, to_us(start), to_us(end))):
        assert period == built
        assert (period.kind, period.start_us, period.end_us, period.billable, period.billable_us) == (
            built.kind, built.start_us, built.end_us, built.billable, built.billable_us)
