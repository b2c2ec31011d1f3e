"""Version-neutral charge point commands as OCPP 1.6 calls, and their answers as ``CommandResult``."""

from __future__ import annotations

from decimal import Decimal

from ocpp.v16 import call, datatypes

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

_RESET = {"soft": "Soft", "hard": "Hard"}
# 1.6 names the whole-station limit after the "charge point"; 2.0.1 after the "charging station".
_PURPOSE = {"ChargingStationMaxProfile": "ChargePointMaxProfile"}


def _configuration(answer: dict) -> CommandResult:
    return CommandResult("Accepted", {"configuration_key": answer.get("configurationKey", []),
                                      "unknown_key": answer.get("unknownKey", [])})


def outgoing(command: Command) -> Outgoing:
    match command:
        case RemoteStart():
            return Outgoing(call.RemoteStartTransaction(id_tag=command.id_tag, connector_id=command.connector_id))
        case RemoteStop():
            if not command.transaction_id.isdigit():
                raise InvalidInput.field("transaction_id", "OCPP 1.6 transaction ids are integers")
            return Outgoing(call.RemoteStopTransaction(transaction_id=int(command.transaction_id)))
        case Reset():
            if command.kind not in _RESET:
                raise InvalidInput.field("kind", "soft or hard")
            return Outgoing(call.Reset(type=_RESET[command.kind]))
        case UnlockConnector():
            return Outgoing(call.UnlockConnector(connector_id=command.connector_id))
        case ChangeAvailability():
            return Outgoing(call.ChangeAvailability(connector_id=command.connector_id,
                                                    type="Operative" if command.available else "Inoperative"))
        case TriggerMessage():
            return Outgoing(call.TriggerMessage(requested_message=command.message, connector_id=command.connector_id))
        case GetConfiguration():
            return Outgoing(call.GetConfiguration(key=list(command.keys) or None), _configuration)
        case ChangeConfiguration():
            return Outgoing(call.ChangeConfiguration(key=command.key, value=command.value))
        case SetChargingProfile():
            return Outgoing(_charging_profile(command))
        case ClearCache():
            return Outgoing(call.ClearCache())
        case ReserveNow():
            return Outgoing(call.ReserveNow(connector_id=command.connector_id,
                                            expiry_date=timestamp(command.expires_at), id_tag=command.id_tag,
                                            reservation_id=command.reservation_id))
        case CancelReservation():
            return Outgoing(call.CancelReservation(reservation_id=command.reservation_id))
        case GetVariables() | SetVariables():
            raise InvalidInput.field("command",
                                     "OCPP 1.6 has no device model; use GetConfiguration/ChangeConfiguration")
    raise InvalidInput.field("command", f"{type(command).__name__} is not an OCPP 1.6 command")


def _charging_profile(command: SetChargingProfile) -> call.SetChargingProfile:
    purpose = _PURPOSE.get(command.purpose, command.purpose)
    if purpose == "TxProfile":
        raise InvalidInput.field("purpose", "a TxProfile belongs to a running transaction; use TxDefaultProfile")
    # The 1.6 schema allows one decimal; a "Relative" schedule applies from whenever it takes effect.
    limit = command.limit.quantize(Decimal("0.1"))
    schedule = datatypes.ChargingSchedule(charging_rate_unit=command.unit, charging_schedule_period=[
        datatypes.ChargingSchedulePeriod(start_period=0, limit=limit)])
    profile = datatypes.ChargingProfile(charging_profile_id=command.profile_id, stack_level=command.stack_level,
                                        charging_profile_purpose=purpose,
                                        charging_profile_kind="Relative",
                                        charging_schedule=schedule)
    return call.SetChargingProfile(connector_id=command.connector_id, cs_charging_profiles=profile)

