"""Tariff validation names every bad field by its JSON path; the REST shape round-trips."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.tariffs import DimensionType, parse_tariff, tariff_to_json


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "Day and night",
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "21", "step_size": 1},
                                  {"type": "PARKING_TIME", "price": "2.00", "vat": "21", "step_size": 300}],
             "restrictions": {"start_time": "08:00", "end_time": "22:00"}},
            {"price_components": [{"type": "ENERGY", "price": "0.20", "vat": "21", "step_size": 1}]},
        ],
    }
    doc.update(changes)
    return doc


def _errors(doc: object, **options: bool) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        parse_tariff(doc, **options)
    return {e.field: e.message for e in raised.value.errors}


def _with(path: list[object], value: object) -> dict[str, Any]:
    doc = _doc()
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def test_a_valid_tariff_parses():
    tariff = parse_tariff(_doc())
    assert tariff.currency == "EUR" and tariff.name == "Day and night"
    first = tariff.elements[0]
    assert first.price_components[0].price == Decimal("0.30")
    assert first.price_components[1].type is DimensionType.PARKING_TIME
    assert first.restrictions is not None and first.restrictions.start_time == time(8, 0)
    assert tariff.elements[1].restrictions is None


def test_a_negative_price_is_named_by_its_path():
    errors = _errors(_with(["elements", 0, "price_components", 1, "price"], "-1.00"))
    assert errors == {"elements[0].price_components[1].price": "must not be negative"}


def test_an_unknown_component_type_is_named():
    errors = _errors(_with(["elements", 1, "price_components", 0, "type"], "KWH"))
    assert list(errors) == ["elements[1].price_components[0].type"]
    assert "ENERGY" in errors["elements[1].price_components[0].type"]


def test_a_bad_currency_is_named():
    assert list(_errors(_doc(currency="EURO"))) == ["currency"]
    assert list(_errors(_doc(currency="eur"))) == ["currency"]


def test_a_json_float_price_is_refused_in_our_api_but_read_from_ocpi_documents():
    doc = _with(["elements", 0, "price_components", 0, "price"], 0.3)
    assert "decimal string" in _errors(doc)["elements[0].price_components[0].price"]
    tariff = parse_tariff(doc, allow_numbers=True)
    assert tariff.elements[0].price_components[0].price == Decimal("0.3")  # via str: not 0.29999…


def test_a_json_integer_price_is_refused_too_in_strict_mode():
    doc = _with(["elements", 0, "price_components", 0, "price"], 1)
    assert "elements[0].price_components[0].price" in _errors(doc)


@pytest.mark.parametrize("bad", ["1e3", "2E-1", " 0.25", "0.25 ", "+0.25", ".5", "5.", "1_000", "0,25", "١٢",
                                 "0.25\n", "NaN", "Infinity", ""])
def test_a_price_must_be_a_plain_decimal_string(bad: str):
    errors = _errors(_with(["elements", 0, "price_components", 0, "price"], bad))
    assert list(errors) == ["elements[0].price_components[0].price"]
    assert "plain decimal" in errors["elements[0].price_components[0].price"]


@pytest.mark.parametrize(("text", "message"), [
    ("Nacht\x00tarif", "control characters"), ("bell\x07", "control characters"), ("\ud800", "lone surrogates"),
    ("   ", "blank"), ("x" * 513, "at most 512"),
])
def test_an_alt_text_must_be_text_that_can_be_stored_and_shown(text: str, message: str):
    errors = _errors(_doc(tariff_alt_text=[{"language": "en", "text": text}]))
    assert list(errors) == ["tariff_alt_text[0].text"] and message in errors["tariff_alt_text[0].text"]


def test_an_alt_text_may_run_over_several_lines():
    text = "0.25 EUR/kWh\n\tparking 2 EUR/h after two hours"
    assert parse_tariff(_doc(tariff_alt_text=[{"language": "en", "text": text}])).tariff_alt_text[0].text == text


@pytest.mark.parametrize(("key", "value"), [("start_time", "08:00\n"), ("start_date", "2024-01-01\n")])
def test_a_trailing_newline_is_not_part_of_a_time_or_date(key: str, value: str):
    assert list(_errors(_with(["elements", 0, "restrictions", key], value))) == [f"elements[0].restrictions.{key}"]


def test_a_trailing_newline_is_not_part_of_a_url_or_language():
    assert list(_errors(_doc(tariff_alt_url="https://example.com/t\n"))) == ["tariff_alt_url"]
    assert list(_errors(_doc(tariff_alt_text=[{"language": "en\n", "text": "Hi"}]))) == ["tariff_alt_text[0].language"]


@pytest.mark.parametrize("bad", ["25:00", "7:5", "24:00", "08:60", "0800", "", 800])
def test_a_bad_time_of_day_is_named(bad: object):
    errors = _errors(_with(["elements", 0, "restrictions", "start_time"], bad))
    assert list(errors) == ["elements[0].restrictions.start_time"]


def test_every_bad_field_is_reported_at_once():
    doc = _doc(currency="XXX1")
    doc["elements"][0]["price_components"][0]["price"] = "abc"
    doc["elements"][0]["price_components"][1]["step_size"] = 0
    doc["elements"][0]["restrictions"]["end_time"] = "22:5"
    doc["elements"][1]["restrictions"] = {"min_kwh": "10", "max_kwh": "5", "day_of_week": ["MONDAY", "FUNDAY"]}
    errors = _errors(doc)
    assert set(errors) == {
        "currency",
        "elements[0].price_components[0].price",
        "elements[0].price_components[1].step_size",
        "elements[0].restrictions.end_time",
        "elements[1].restrictions.max_kwh",
        "elements[1].restrictions.day_of_week[1]",
    }


def test_unknown_keys_are_refused_in_strict_mode_and_ignored_in_ocpi_documents():
    doc = _doc(country_code="NL", party_id="ABC")
    doc["elements"][0]["price_components"][0]["currency"] = "EUR"
    doc["elements"][0]["restrictions"]["weekday"] = "MONDAY"
    errors = _errors(doc)
    assert set(errors) == {"country_code", "party_id", "elements[0].price_components[0].currency",
                           "elements[0].restrictions.weekday"}
    assert all(message == "unknown field" for message in errors.values())
    assert parse_tariff(doc, allow_numbers=True).currency == "EUR"


@pytest.mark.parametrize(("path", "value", "field"), [
    (["elements", 0, "price_components", 0, "vat"], "101", "elements[0].price_components[0].vat"),
    (["elements", 0, "price_components", 0, "vat"], "-1", "elements[0].price_components[0].vat"),
    (["elements", 0, "price_components", 0, "price"], "0.1234567", "elements[0].price_components[0].price"),
    (["elements", 0, "price_components", 0, "price"], "NaN", "elements[0].price_components[0].price"),
    (["elements", 0, "price_components", 0, "price"], "1e13", "elements[0].price_components[0].price"),
    (["elements", 0, "price_components", 0, "price"], True, "elements[0].price_components[0].price"),
    (["elements", 0, "price_components", 0, "step_size"], 0, "elements[0].price_components[0].step_size"),
    (["elements", 0, "price_components", 0, "step_size"], 1.5, "elements[0].price_components[0].step_size"),
    (["elements", 0, "price_components", 0, "step_size"], "1", "elements[0].price_components[0].step_size"),
    (["elements", 0, "price_components", 1, "step_size"], 86_401, "elements[0].price_components[1].step_size"),
    (["elements", 0, "restrictions", "min_duration"], -1, "elements[0].restrictions.min_duration"),
    (["elements", 0, "restrictions", "start_date"], "2024-02-30", "elements[0].restrictions.start_date"),
    (["elements", 0, "restrictions", "reservation"], "YES", "elements[0].restrictions.reservation"),
    (["elements", 0, "restrictions", "day_of_week"], ["MONDAY", "MONDAY"], "elements[0].restrictions.day_of_week[1]"),
    (["elements", 0, "price_components"], [], "elements[0].price_components"),
    (["elements", 0], "ENERGY", "elements[0]"),
    (["elements"], [], "elements"),
    (["tariff_alt_url"], "ftp://x", "tariff_alt_url"),
    (["tariff_alt_text"], [{"language": "english", "text": "Hi"}], "tariff_alt_text[0].language"),
    (["start_date_time"], "2024-01-01T00:00:00", "start_date_time"),
    (["type"], "CHEAP", "type"),
])
def test_each_rule_names_its_field(path: list[object], value: object, field: str):
    assert field in _errors(_with(path, value))


def test_repeated_component_types_are_refused_in_strict_mode_only():
    doc = _doc()
    doc["elements"][1]["price_components"].append({"type": "ENERGY", "price": "0.10", "step_size": 1})
    assert list(_errors(doc)) == ["elements[1].price_components[1].type"]
    assert len(parse_tariff(doc, allow_numbers=True).elements[1].price_components) == 2


def test_flat_fees_may_have_step_size_zero_as_in_the_ocpi_examples():
    doc = _with(["elements", 1, "price_components"], [{"type": "FLAT", "price": "1.00", "step_size": 0}])
    assert parse_tariff(doc).elements[1].price_components[0].step_size == 0


def test_price_bounds_must_be_consistent():
    errors = _errors(_doc(min_price={"excl_vat": "5.00", "incl_vat": "4.00"},
                          max_price={"excl_vat": "1.00"}))
    assert set(errors) == {"min_price.incl_vat", "max_price.excl_vat"}


def test_ranges_must_not_be_empty():
    doc = _with(["elements", 0, "restrictions"], {"min_duration": 600, "max_duration": 600,
                                                  "start_date": "2024-02-01", "end_date": "2024-01-01"})
    assert set(_errors(doc)) == {"elements[0].restrictions.max_duration", "elements[0].restrictions.end_date"}


def test_the_top_level_must_be_an_object():
    assert _errors([]) == {"tariff": "must be an object"}


def test_ocpi_date_times_without_designator_are_utc_and_ours_must_carry_one():
    doc = _doc(start_date_time="2024-01-01T00:00:00", end_date_time="2024-06-30T23:59:59Z")
    tariff = parse_tariff(doc, allow_numbers=True)
    assert tariff.start_date_time == datetime(2024, 1, 1, tzinfo=UTC)
    assert tariff.is_active_at(datetime(2024, 3, 1, tzinfo=UTC))
    assert not tariff.is_active_at(datetime(2024, 7, 1, tzinfo=UTC))


def test_the_rest_shape_round_trips():
    doc = _doc(id="t-1", type="REGULAR", tariff_alt_url="https://example.com/t",
               tariff_alt_text=[{"language": "en", "text": "Cheaper at night"}],
               min_price={"excl_vat": "0.50", "incl_vat": "0.605"}, max_price={"excl_vat": "50"},
               start_date_time="2024-01-01T00:00:00Z")
    doc["elements"][0]["restrictions"].update({"day_of_week": ["MONDAY", "FRIDAY"], "min_kwh": "0.5",
                                               "max_power": "22", "reservation": "RESERVATION"})
    tariff = parse_tariff(doc)
    out = tariff_to_json(tariff)
    assert parse_tariff(out) == tariff
    assert out["elements"][0]["price_components"][0] == {"type": "ENERGY", "price": "0.30", "vat": "21",
                                                         "step_size": 1}
    assert out["elements"][0]["restrictions"]["start_time"] == "08:00"
    assert out["start_date_time"] == "2024-01-01T00:00:00Z"


def test_vat_and_restrictions_take_exact_numbers_as_partners_send_them_but_prices_do_not():
    doc = _with(["elements", 0, "price_components", 0, "vat"], 20)
    doc["elements"][0]["restrictions"] = {"min_power": 50, "max_kwh": Decimal("22.5")}
    tariff = parse_tariff(doc)
    assert tariff.elements[0].price_components[0].vat == Decimal(20)
    assert tariff.elements[0].restrictions.min_power == Decimal(50)
    assert tariff.elements[0].restrictions.max_kwh == Decimal("22.5")
    # A float has lost digits: strict mode refuses it (the REST edge hands over the JSON number's digits).
    assert "elements[0].price_components[0].vat" in _errors(_with(["elements", 0, "price_components", 0, "vat"], 20.5))
    assert "elements[0].price_components[0].price" in _errors(
        _with(["elements", 0, "price_components", 0, "price"], Decimal("0.30")))
