"""OCPP field values ↔ the core's: timestamps, meter samples, authorization statuses, enumerations."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from adapters.ocpp.errors import ErrorKind, RpcError
from application.id_tags import AuthorizationStatus
from domain.charging import ENERGY_REGISTER, MeterSample

log = logging.getLogger("charge.ocpp")
E = TypeVar("E", bound=enum.Enum)

# A reserved connector held for another tag: 1.6 has only "Invalid" for it, 2.0.1 says "NotAtThisTime".
STATUS_16 = {AuthorizationStatus.ACCEPTED: "Accepted", AuthorizationStatus.BLOCKED: "Blocked",
             AuthorizationStatus.INVALID: "Invalid", AuthorizationStatus.RESERVED: "Invalid"}
STATUS_201 = {AuthorizationStatus.ACCEPTED: "Accepted", AuthorizationStatus.BLOCKED: "Blocked",
              AuthorizationStatus.INVALID: "Invalid", AuthorizationStatus.RESERVED: "NotAtThisTime"}


def parse_timestamp(value: str, field: str = "timestamp") -> datetime:
    """An ISO 8601 instant; one without an offset is taken as UTC (OCPP says all times are UTC)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RpcError(ErrorKind.FORMAT, f"{field}: not an ISO 8601 date-time: {str(value)[:40]!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def member(kind: type[E], value: Any, field: str) -> E:
    """An enumeration value the core knows; lenient mode lets unknown values reach this far."""
    try:
        return kind(value)
    except ValueError:
        raise RpcError(ErrorKind.PROPERTY, f"{field}: unknown value {str(value)[:40]!r}") from None


def samples_16(meter_values: Iterable[dict[str, Any]] | None) -> tuple[MeterSample, ...]:
    """1.6 MeterValue[] (snake_case keys): values are strings; signed data carries no number to use."""
    found = []
    for meter_value in meter_values or ():
        at = parse_timestamp(meter_value["timestamp"], "meterValue.timestamp")
        for sampled in meter_value.get("sampled_value", ()):
            if sampled.get("format") == "SignedData":
                continue
            try:
                value = Decimal(sampled["value"])
            except (InvalidOperation, TypeError, KeyError):
                log.warning("meter sample without a number skipped", extra={"sample": str(sampled)[:200]})
                continue
            found.append(MeterSample(at, sampled.get("measurand", ENERGY_REGISTER), value, sampled.get("unit", "Wh"),
                                     sampled.get("phase"), sampled.get("context"), sampled.get("location")))
    return tuple(found)


def samples_201(meter_values: Iterable[dict[str, Any]] | None) -> tuple[MeterSample, ...]:
    """2.0.1 MeterValueType[] (snake_case keys): numeric values scaled by 10^multiplier."""
    found = []
    for meter_value in meter_values or ():
        at = parse_timestamp(meter_value["timestamp"], "meterValue.timestamp")
        for sampled in meter_value.get("sampled_value", ()):
            unit = sampled.get("unit_of_measure") or {}
            multiplier = unit.get("multiplier", 0)
            if not -9 <= multiplier <= 9:  # real meters scale by at most 10^±9; more is junk, not a reading
                raise RpcError(ErrorKind.PROPERTY, f"unitOfMeasure.multiplier out of range: {multiplier}")
            value = Decimal(sampled["value"]) * (Decimal(10) ** multiplier)
            found.append(MeterSample(at, sampled.get("measurand", ENERGY_REGISTER), value, unit.get("unit", "Wh"),
                                     sampled.get("phase"), sampled.get("context"), sampled.get("location")))
    return tuple(found)
