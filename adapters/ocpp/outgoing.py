"""A command on its way out: the library payload to send, and how to read the charge point's answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from attrs import frozen
from ocpp.charge_point import camel_to_snake_case

from application.ports.charge_point_commands import CommandResult


def answered_status(answer: dict[str, Any]) -> CommandResult:
    """Most answers are a ``status`` and maybe details (statusInfo, a transactionId…)."""
    rest = {k: v for k, v in answer.items() if k != "status"}
    return CommandResult(str(answer.get("status", "Unknown")), camel_to_snake_case(rest))


@frozen
class Outgoing:
    payload: Any                                             # an ocpp.v16/v201/v21 ``call`` dataclass
    read: Callable[[dict[str, Any]], CommandResult] = answered_status


def timestamp(moment: datetime) -> str:
    """UTC with a Z, as OCPP 2.0.1 requires and 1.6 recommends."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
