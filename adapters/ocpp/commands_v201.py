"""Version-neutral charge point commands as OCPP 2.0.1 (and 2.1) calls, and their answers as ``CommandResult``.

A command that names only a connector (the 1.6 way) addresses the EVSE of that number, and its
connector 1 where a connector id is required: the common one-connector-per-EVSE layout.
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ocpp.charge_point import camel_to_snake_case

from adapters.ocpp.outgoing import Outgoing, timestamp
from application.ports.charge_point_commands import (
    CancelReservation,
    ChangeAvailability,
    ChangeConfiguration,
    ClearCache,
    Command,
    CommandResult,
    GetConfiguration,
    GetVariables,
    RemoteStart,
    RemoteStop,
    ReserveNow,
    Reset,
    SetChargingProfile,
    SetVariables,
    TriggerMessage,
    UnlockConnector,
)
from domain.errors import InvalidInput

_RESET = {"soft": "OnIdle", "hard": "Immediate"}
_PURPOSE = {"ChargePointMaxProfile": "ChargingStationMaxProfile"}
_RFID_UID = re.compile(r"^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{20})$")
# remoteStartId only has to tell this server's requests apart; a random start avoids reuse across restarts.
_remote_start_ids = itertools.count(secrets.randbelow(1 << 30) + 1)


def id_token(tag: str) -> dict[str, str]:
    """A 4, 7 or 10 byte hex UID is an RFID card's (ISO14443); anything else is an id the CSMS issued."""
    return {"id_token": tag, "type": "ISO14443" if _RFID_UID.match(tag) else "Central"}


def _evse(evse_id: int | None, connector_id: int | None) -> dict[str, int] | None:
    if evse_id is not None:
        return {"id": evse_id, **({"connector_id": connector_id} if connector_id else {})}
    if connector_id:
        return {"id": connector_id}
    return None


def _all_accepted(results_key: str, status_key: str = "attributeStatus") -> Callable[[dict[str, Any]], CommandResult]:
    def read(answer: dict[str, Any]) -> CommandResult:
        results = answer.get(results_key, [])
        accepted = all(isinstance(r, dict) and r.get(status_key) == "Accepted" for r in results)
        return CommandResult("Accepted" if accepted else "Rejected", camel_to_snake_case(answer))
    return read


def outgoing(command: Command, call: ModuleType) -> Outgoing:
    """``call`` is ``ocpp.v201.call`` or ``ocpp.v21.call`` (the fields used here are the same in both)."""
    match command:
        case RemoteStart():
            remote_start_id = command.remote_start_id or next(_remote_start_ids)
            return Outgoing(call.RequestStartTransaction(id_token=id_token(command.id_tag),
                                                         remote_start_id=remote_start_id,
                                                         evse_id=command.evse_id or command.connector_id))
        case RemoteStop():
            return Outgoing(call.RequestStopTransaction(transaction_id=command.transaction_id))
        case Reset():
            if command.kind not in _RESET:
                raise InvalidInput.field("kind", "soft or hard")
            return Outgoing(call.Reset(type=_RESET[command.kind]))
        case UnlockConnector():
            evse_id = command.evse_id if command.evse_id is not None else command.connector_id
            connector_id = command.connector_id if command.evse_id is not None else 1
            return Outgoing(call.UnlockConnector(evse_id=evse_id, connector_id=connector_id))
        case ChangeAvailability():
            return Outgoing(call.ChangeAvailability(
                operational_status="Operative" if command.available else "Inoperative",
                evse=_evse(command.evse_id, command.connector_id)))
        case TriggerMessage():
            return Outgoing(call.TriggerMessage(requested_message=command.message,
                                                evse=_evse(command.evse_id, command.connector_id)))
        case GetVariables():
            data = [{"component": {"name": v.component}, "variable": {"name": v.variable}} for v in command.variables]
            return Outgoing(call.GetVariables(get_variable_data=data), _all_accepted("getVariableResult"))
        case SetVariables():
            if any(v.value is None for v in command.variables):
                raise InvalidInput.field("variables", "every variable to set needs a value")
            values: list[dict[str, Any]] = [
                {"attribute_value": v.value, "component": {"name": v.component}, "variable": {"name": v.variable}}
                for v in command.variables]
            return Outgoing(call.SetVariables(set_variable_data=values), _all_accepted("setVariableResult"))
        case SetChargingProfile():
            return Outgoing(_charging_profile(command, call))
        case ClearCache():
            return Outgoing(call.ClearCache())
        case ReserveNow():
            return Outgoing(call.ReserveNow(id=command.reservation_id, expiry_date_time=timestamp(command.expires_at),
                                            id_token=id_token(command.id_tag),
                                            evse_id=command.evse_id or command.connector_id))
        case CancelReservation():
            return Outgoing(call.CancelReservation(reservation_id=command.reservation_id))
        case GetConfiguration() | ChangeConfiguration():
            raise InvalidInput.field("command", "OCPP 2.0.1 configures through its device model; "
                                                "use GetVariables/SetVariables")
    raise InvalidInput.field("command", f"{type(command).__name__} is not an OCPP 2.0.1 command")


def _charging_profile(command: SetChargingProfile, call: ModuleType) -> Any:
    purpose = _PURPOSE.get(command.purpose, command.purpose)
    if purpose == "TxProfile":
        raise InvalidInput.field("purpose", "a TxProfile belongs to a running transaction; use TxDefaultProfile")
    evse_id = command.evse_id if command.evse_id is not None else command.connector_id
    schedule = {"id": command.profile_id, "charging_rate_unit": command.unit,
                "charging_schedule_period": [{"start_period": 0, "limit": command.limit}]}
    profile = {"id": command.profile_id, "stack_level": command.stack_level, "charging_profile_purpose": purpose,
               "charging_profile_kind": "Relative", "charging_schedule": [schedule]}
    return call.SetChargingProfile(evse_id=evse_id, charging_profile=profile)
