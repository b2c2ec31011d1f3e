"""Commands the core sends to charge points, in version-neutral terms; the OCPP adapter translates them.

``send`` raises ``Unavailable`` when the charge point is not connected, ``Timeout`` when it does
not answer in time, and ``InvalidInput`` when its OCPP version has no such command.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from attrs import field, frozen


@frozen
class RemoteStart:
    id_tag: str
    connector_id: int | None = None
    evse_id: int | None = None
    remote_start_id: int | None = None       # 2.0.1 remoteStartId; allocated by the caller


@frozen
class RemoteStop:
    transaction_id: str


@frozen
class Reset:
    kind: str = "soft"                       # soft | hard


@frozen
class UnlockConnector:
    connector_id: int
    evse_id: int | None = None


@frozen
class ChangeAvailability:
    available: bool
    connector_id: int = 0                    # 0: the charge point as a whole
    evse_id: int | None = None


@frozen
class TriggerMessage:
    message: str                             # BootNotification, Heartbeat, StatusNotification, MeterValues…
    connector_id: int | None = None
    evse_id: int | None = None


@frozen
class GetConfiguration:
    keys: tuple[str, ...] = ()


@frozen
class ChangeConfiguration:
    key: str
    value: str


@frozen
class VariableRef:
    component: str
    variable: str
    value: str | None = None


@frozen
class GetVariables:
    variables: tuple[VariableRef, ...]


@frozen
class SetVariables:
    variables: tuple[VariableRef, ...]


@frozen
class SetChargingProfile:
    limit: Decimal                           # per period
    unit: str = "A"                          # A | W
    connector_id: int = 0
    evse_id: int | None = None
    purpose: str = "TxDefaultProfile"
    profile_id: int = 1
    stack_level: int = 0


@frozen
class ClearCache:
    pass


@frozen
class ReserveNow:
    reservation_id: int
    connector_id: int
    id_tag: str
    expires_at: datetime
    evse_id: int | None = None


@frozen
class CancelReservation:
    reservation_id: int


Command = (RemoteStart | RemoteStop | Reset | UnlockConnector | ChangeAvailability | TriggerMessage
           | GetConfiguration | ChangeConfiguration | GetVariables | SetVariables | SetChargingProfile
           | ClearCache | ReserveNow | CancelReservation)


@frozen
class CommandResult:
    status: str                              # what the charge point answered (Accepted, Rejected, …)
    data: dict[str, Any] = field(factory=dict)


class ChargePointCommands(Protocol):
    async def send(self, charge_point_id: str, command: Command) -> CommandResult: ...
