"""The compiled schemas only ever say "valid", and only of what jsonschema's Draft 4 validator passes too:
so every verdict and every violation message is jsonschema's, exactly as before the fast path."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.ocpp import schemas


def maybe(strategy, *odd):
    """Mostly a valid value, sometimes a wrong one (wrong type, out of range, unknown)."""
    return st.one_of(strategy, strategy, strategy, st.sampled_from(odd) if odd else st.nothing())


WRONG = (None, True, "x", -1, Decimal("1.5"), 1.5, [], {})
integer = maybe(st.integers(0, 10**6), *WRONG, 2**40)
timestamp = maybe(st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123+02:00"]), *WRONG,
                  "yesterday", "2026-13-01T00:00:00Z")
sampled_value = st.fixed_dictionaries(
    {"value": maybe(st.sampled_from(["1000", "0.5", "-3"]), 1000, None, Decimal("1.5"))},
    optional={"measurand": maybe(st.sampled_from(["Energy.Active.Import.Register", "Power.Active.Import", "SoC"]),
                                 "Energy", 3),
              "unit": maybe(st.sampled_from(["Wh", "kWh", "W", "Percent"]), "Furlongs", 1),
              "context": maybe(st.sampled_from(["Sample.Periodic", "Transaction.Begin"]), "Later"),
              "phase": maybe(st.sampled_from(["L1", "L2-N"]), "L9"),
              "format": maybe(st.sampled_from(["Raw", "SignedData"]), "Cooked"),
              "surprise": st.just(1)})
meter_value = st.fixed_dictionaries({"timestamp": timestamp,
                                     "sampledValue": maybe(st.lists(sampled_value, max_size=3), *WRONG)},
                                    optional={"extra": st.just("x")})
PAYLOADS = {
    ("1.6", "MeterValues"): st.fixed_dictionaries(
        {"connectorId": integer, "meterValue": maybe(st.lists(meter_value, max_size=2), *WRONG)},
        optional={"transactionId": integer, "unknownField": st.just(1)}),
    ("1.6", "StartTransaction"): st.fixed_dictionaries(
        {"connectorId": integer, "idTag": maybe(st.text(max_size=25), *WRONG), "meterStart": integer,
         "timestamp": timestamp}, optional={"reservationId": integer, "unknownField": st.just(1)}),
    ("1.6", "BootNotification"): st.fixed_dictionaries(
        {"chargePointVendor": maybe(st.text(max_size=25), *WRONG),
         "chargePointModel": maybe(st.text(max_size=25), *WRONG)},
        optional={"firmwareVersion": maybe(st.text(max_size=55), *WRONG), "unknownField": st.just(1)}),
}


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), message=st.sampled_from(sorted(PAYLOADS)))
def test_what_the_compiled_schema_passes_jsonschema_passes(data, message):
    version, action = message
    payload = data.draw(PAYLOADS[message])
    fast = schemas._surely_valid(version, action, payload, False)
    checker = schemas.validator(version, action, False)
    assert checker is not None
    if fast:
        assert checker.is_valid(payload), payload


def test_a_valid_meter_values_is_passed_by_the_fast_path_and_a_bad_one_named_by_jsonschema():
    good = {"connectorId": 1, "transactionId": 5, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z",
            "sampledValue": [{"value": "1000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]}
    assert schemas._surely_valid("1.6", "MeterValues", good, False)
    assert schemas.violation("1.6", "MeterValues", good, response=False) is None
    bad = json.loads(json.dumps(good), parse_float=Decimal)
    bad["meterValue"][0]["sampledValue"][0]["unit"] = "Furlongs"
    problem = schemas.violation("1.6", "MeterValues", bad, response=False)
    assert problem is not None and problem.path == "meterValue/0/sampledValue/0/unit"
