"""VINs (structure everywhere, the check digit where the region uses one) and vehicles' fields."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.fleets import Vehicle
from domain.fleets.vins import CHECK_POSITION, check_digit, normalize_vin, transliterated, vin_problem

ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
FLEET = "flt_01JD0000000000000000000000"


def with_check_digit(body: str) -> str:
    vin = body[:CHECK_POSITION] + "0" + body[CHECK_POSITION + 1:]
    return vin[:CHECK_POSITION] + check_digit(vin) + vin[CHECK_POSITION + 1:]


north_american = st.tuples(st.sampled_from("12345"), st.text(ALPHABET, min_size=16, max_size=16)).map(
    lambda parts: with_check_digit(parts[0] + parts[1]))


@pytest.mark.parametrize("vin", [
    "1HGCM82633A004352",     # the textbook example (Honda, USA)
    "1M8GDM9AXKP042788",     # check digit X
    "WVWZZZ1JZXW000001",     # Volkswagen, Germany: no check digit in Europe
    "VF1RFB00X56789012",     # Renault, France: position 9 is anything
    "JTDKB20U093456789",     # Japan: structure only
])
def test_real_looking_vins_pass(vin):
    assert vin_problem(vin) is None


@pytest.mark.parametrize(("vin", "message"), [
    ("1HGCM82634A004352", "check digit"),          # the Honda with one digit changed
    ("LSVAU033512345678", "check digit"),           # China uses the check digit too
    ("1HGCM82633A00435", "17 characters"),
    ("1HGCM82633A0043521", "17 characters"),
    ("WVWZZZ1JZXW00000I", "other than I, O and Q"),
    ("WVWZZZ1JZXW0000O1", "other than I, O and Q"),
    ("wvwzzz1jzxw000001", "capital letters"),
    ("WVWZZZ1JZ-W000001", "digits and capital letters"),
])
def test_bad_vins_say_why(vin, message):
    problem = vin_problem(vin)
    assert problem is not None and message in problem


@given(north_american)
def test_a_north_american_vin_with_its_check_digit_passes(vin):
    assert vin_problem(vin) is None


@given(north_american, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_changing_a_weighted_character_to_another_value_is_caught(vin, position, replacement):
    changed = vin[:position] + replacement + vin[position + 1:]
    if position == CHECK_POSITION:
        assert (vin_problem(changed) is None) is (replacement == vin[CHECK_POSITION])
    elif transliterated(replacement) != transliterated(vin[position]) and position > 0:
        assert vin_problem(changed) is not None and "check digit" in vin_problem(changed)
    else:
        # Same value (A and J are both 1), or a new region that may not use the check digit.
        assert vin_problem(changed) is None or changed[0] in "12345L"


@given(st.sampled_from("ABCDEFGHJKMNPRSTUVWXYZ6789"), st.text(ALPHABET, min_size=16, max_size=16))
def test_outside_north_america_and_china_only_the_structure_is_checked(first, rest):
    assert vin_problem(first + rest) is None


def test_vins_are_normalized_as_typed():
    assert normalize_vin("  wvwzzz1jzxw000001 ") == "WVWZZZ1JZXW000001"


def test_a_vehicle_names_every_bad_field():
    with pytest.raises(InvalidInput) as refused:
        Vehicle.validate(fleet_id="nope", vin="1HGCM82634A004352", make=" ", model="e-Golf", battery_kwh=0,
                         connector_types=["IEC_62196_T2", "IEC_62196_T2"], licence_plate="\x01")
    assert {e.field for e in refused.value.errors} == {"fleet_id", "vin", "make", "battery_kwh",
                                                        "connector_types[1]", "licence_plate"}
    assert Vehicle.validate(fleet_id=FLEET, vin="WVWZZZ1JZXW000001", make="VW", model="e-Golf",
                            battery_kwh="35.8", connector_types=["IEC_62196_T2_COMBO"],
                            licence_plate="AB12 CDE") == Decimal("35.8")
