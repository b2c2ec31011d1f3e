"""OCPP field values ↔ the core's: timestamps, numbers, meter samples, authorization statuses, enumerations.

Every number a charge point sends is read by one rule, ``domain.charging.quantities.read``: finite,
and within the physical range of what it measures. A value outside it is a CallError
(``PropertyConstraintViolation``, or a format violation when it is not a number at all); a bad
sample inside an otherwise valid message is dropped and logged with its reason, so that one
glitching sensor does not stop a transaction.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from adapters.ocpp.errors import ErrorKind, RpcError
from application.id_tags import AuthorizationStatus
from domain.charging import ENERGY_REGISTER, MeterSample
from domain.charging.quantities import Quantity, number, quantity_of, read_int, within
from domain.errors import InvalidInput

log = logging.getLogger("charge.ocpp")
E = TypeVar("E", bound=enum.Enum)

# 1.6 knows only Accepted, Blocked, Expired, Invalid and ConcurrentTx: a reserved connector says Invalid (as the
# reservation's holder is somebody else), a charging policy's refusal Blocked (the tag is known, not allowed now).
# 2.0.1 has a word for each.
STATUS_16 = {AuthorizationStatus.ACCEPTED: "Accepted", AuthorizationStatus.BLOCKED: "Blocked",
             AuthorizationStatus.INVALID: "Invalid", AuthorizationStatus.RESERVED: "Invalid",
             AuthorizationStatus.NOT_AT_THIS_LOCATION: "Blocked", AuthorizationStatus.NOT_AT_THIS_TIME: "Blocked",
             AuthorizationStatus.NOT_ALLOWED_TYPE_EVSE: "Blocked", AuthorizationStatus.NO_CREDIT: "Blocked"}
STATUS_201 = {AuthorizationStatus.ACCEPTED: "Accepted", AuthorizationStatus.BLOCKED: "Blocked",
              AuthorizationStatus.INVALID: "Invalid", AuthorizationStatus.RESERVED: "NotAtThisTime",
              AuthorizationStatus.NOT_AT_THIS_LOCATION: "NotAtThisLocation",
              AuthorizationStatus.NOT_AT_THIS_TIME: "NotAtThisTime",
              AuthorizationStatus.NOT_ALLOWED_TYPE_EVSE: "NotAllowedTypeEVSE",
              AuthorizationStatus.NO_CREDIT: "NoCredit"}
# Units whose values the core scales to its base unit before judging their range.
_SCALE = {"kWh": Decimal(1000), "kW": Decimal(1000), "kvarh": Decimal(1000), "kvar": Decimal(1000),
          "kVA": Decimal(1000)}
_MAX_MULTIPLIER = 9


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


def optional_integer(value: Any, quantity: Quantity, field: str) -> int | None:
    """An optional identifier or counter, read by ``read_int`` when present."""
    return None if value is None else read_int(value, quantity, field)


def _sample(at: datetime, sampled: dict[str, Any], value: Decimal, unit: str | None) -> MeterSample:
    measurand = sampled.get("measurand", ENERGY_REGISTER)
    base = value * _SCALE.get(unit or "", Decimal(1))
    within(base, quantity_of(measurand), "sampledValue.value")
    return MeterSample(at, measurand, value, unit, sampled.get("phase"), sampled.get("context"),
                       sampled.get("location"))


def _kept(found: list[MeterSample], refused: list[InvalidInput], require_one: bool) -> tuple[MeterSample, ...]:
    for error in refused:
        log.warning("meter sample dropped", extra={"reason": error.detail[:200]})
    if require_one and refused and not found:
        raise refused[0]  # nothing in the message could be read: the charge point hears why
    return tuple(found)


def samples_16(meter_values: Iterable[dict[str, Any]] | None, *, require_one: bool = False) -> tuple[MeterSample, ...]:
    """1.6 MeterValue[] (snake_case keys): values are decimal strings; signed data carries no number to use.

    ``require_one``: a message that carries nothing but unreadable samples is refused (MeterValues);
    otherwise (a StopTransaction's transactionData) bad samples are dropped and the message kept."""
    found: list[MeterSample] = []
    refused: list[InvalidInput] = []
    for meter_value in meter_values or ():
        at = parse_timestamp(meter_value["timestamp"], "meterValue.timestamp")
        for sampled in meter_value.get("sampled_value", ()):
            if sampled.get("format") == "SignedData":
                continue
            try:
                unit = sampled.get("unit", "Wh")
                found.append(_sample(at, sampled, number(sampled.get("value"), "sampledValue.value"), unit))
            except InvalidInput as error:
                refused.append(error)
    return _kept(found, refused, require_one)


def samples_201(meter_values: Iterable[dict[str, Any]] | None, *,
                require_one: bool = False) -> tuple[MeterSample, ...]:
    """2.0.1 MeterValueType[] (snake_case keys): numeric values scaled by 10^multiplier (see ``samples_16``)."""
    found: list[MeterSample] = []
    refused: list[InvalidInput] = []
    for meter_value in meter_values or ():
        at = parse_timestamp(meter_value["timestamp"], "meterValue.timestamp")
        for sampled in meter_value.get("sampled_value", ()):
            unit = sampled.get("unit_of_measure") or {}
            multiplier = unit.get("multiplier", 0)
            if not -_MAX_MULTIPLIER <= multiplier <= _MAX_MULTIPLIER:
                # Real meters scale by at most 10^±9; more is junk, not a reading.
                raise RpcError(ErrorKind.PROPERTY, f"unitOfMeasure.multiplier out of range: {multiplier}")
            try:
                value = number(sampled.get("value"), "sampledValue.value") * (Decimal(10) ** multiplier)
                found.append(_sample(at, sampled, value, unit.get("unit", "Wh")))
            except InvalidInput as error:
                refused.append(error)
    return _kept(found, refused, require_one)
