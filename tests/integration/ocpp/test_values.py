"""OCPP field values into the core's terms: timestamps, meter samples, authorization statuses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ocpp.v201 import call as call201

from adapters.ocpp.errors import RpcError
from application.id_tags import AuthorizationStatus
from entrypoints.ocpp.values import STATUS_16, STATUS_201, parse_timestamp, samples_16, samples_201
from entrypoints.simulator import charge_point

T = "2026-01-15T08:00:00Z"


def test_timestamps_are_utc_whatever_offset_they_carry():
    assert parse_timestamp("2026-01-15T09:00:00+01:00") == datetime(2026, 1, 15, 8, tzinfo=UTC)
    assert parse_timestamp("2026-01-15T08:00:00.250Z") == datetime(2026, 1, 15, 8, 0, 0, 250_000, tzinfo=UTC)
    assert parse_timestamp("2026-01-15T08:00:00") == datetime(2026, 1, 15, 8, tzinfo=UTC)   # no offset: UTC
    assert parse_timestamp("2026-01-15T08:00:00-05:00").tzinfo is UTC
    with pytest.raises(RpcError):
        parse_timestamp("15/01/2026")


def test_16_samples_default_to_the_energy_register_in_wh_and_skip_what_is_not_a_number():
    samples = samples_16([{"timestamp": T, "sampled_value": [
        {"value": "12.5", "unit": "kWh"},
        {"value": "7200", "measurand": "Power.Active.Import", "unit": "W", "phase": "L1"},
        {"value": "3045022100ab", "format": "SignedData"},
        {"value": "lots"}]}])
    assert [(s.measurand, s.value, s.unit, s.phase) for s in samples] == [
        ("Energy.Active.Import.Register", Decimal("12.5"), "kWh", None),
        ("Power.Active.Import", Decimal(7200), "W", "L1")]
    assert samples[0].normalised().value == Decimal(12500) and samples[0].is_energy_register


def test_201_samples_apply_the_multiplier_and_default_unit():
    samples = samples_201([{"timestamp": T, "sampled_value": [
        {"value": Decimal("1.5"), "unit_of_measure": {"unit": "kWh", "multiplier": 1}},
        {"value": 7, "measurand": "Power.Active.Import", "unit_of_measure": {"unit": "W", "multiplier": 3}},
        {"value": 5000}]}])
    assert [(s.value, s.unit) for s in samples] == [(Decimal(15), "kWh"), (Decimal(7000), "W"), (Decimal(5000), "Wh")]
    assert samples[0].timestamp == datetime(2026, 1, 15, 8, tzinfo=UTC)


def test_a_reserved_connector_is_invalid_in_16_and_not_at_this_time_in_201():
    assert STATUS_16[AuthorizationStatus.RESERVED] == "Invalid"
    assert STATUS_201[AuthorizationStatus.RESERVED] == "NotAtThisTime"
    assert set(STATUS_16) == set(STATUS_201) == set(AuthorizationStatus)


async def test_informational_messages_are_logged_with_their_fields_and_answered(world, caplog):
    caplog.set_level(logging.INFO, logger="charge.ocpp")
    async with charge_point(world.url, "CP-2", "2.0.1") as cp:
        await cp.call(call201.SecurityEventNotification(type="TamperDetectionActivated", timestamp=T,
                                                        tech_info="lid open"))
        answer = await cp.call(call201.DataTransfer(vendor_id="com.example", message_id="Hello"))
    assert answer.status == "UnknownVendorId"
    [note] = [r for r in caplog.records if getattr(r, "action", None) == "SecurityEventNotification"]
    assert (note.charge_point_id, note.event_type, note.tech_info) == ("CP-2", "TamperDetectionActivated", "lid open")
