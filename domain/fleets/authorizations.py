"""Authorization decisions: whether an id tag may charge, the status a charge point is told, and the log row.

Every decision a charge point asks for (Authorize, a transaction's start, a remote start) is kept in the
authorization log with its reason, so an operator or a fleet manager can see why a driver could not charge.
A refusal also records the domain event ``authorization.refused``, stored with the row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import define, field

from domain.errors import Conflict
from domain.events import DomainEvent
from domain.fleets.events import AuthorizationRefused


class Refusal(str, enum.Enum):
    """Why an id tag was refused: the authorization log's ``reason``."""

    UNKNOWN_ID_TAG = "unknown_id_tag"
    DRIVER_DEACTIVATED = "driver_deactivated"
    CONNECTOR_RESERVED = "connector_reserved"
    LOCATION_NOT_ALLOWED = "location_not_allowed"
    CONNECTOR_TYPE_NOT_ALLOWED = "connector_type_not_allowed"
    OUTSIDE_TIME_WINDOWS = "outside_time_windows"
    DAILY_ENERGY_LIMIT_REACHED = "daily_energy_limit_reached"
    MONTHLY_SPEND_LIMIT_REACHED = "monthly_spend_limit_reached"


class AuthorizationStatus(str, enum.Enum):
    """The answer, version-neutral: the OCPP door words it for 1.6 (which knows only Accepted, Blocked,
    Expired, Invalid and ConcurrentTx) or 2.0.1."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"                           # the driver exists but is deactivated
    INVALID = "Invalid"                           # nobody we know
    RESERVED = "Reserved"                         # the connector is held for another tag
    NOT_AT_THIS_LOCATION = "NotAtThisLocation"
    NOT_AT_THIS_TIME = "NotAtThisTime"
    NOT_ALLOWED_TYPE_EVSE = "NotAllowedTypeEVSE"
    NO_CREDIT = "NoCredit"                        # a day's energy or a month's spend is used up


STATUS_OF: dict[Refusal, AuthorizationStatus] = {
    Refusal.UNKNOWN_ID_TAG: AuthorizationStatus.INVALID,
    Refusal.DRIVER_DEACTIVATED: AuthorizationStatus.BLOCKED,
    Refusal.CONNECTOR_RESERVED: AuthorizationStatus.RESERVED,
    Refusal.LOCATION_NOT_ALLOWED: AuthorizationStatus.NOT_AT_THIS_LOCATION,
    Refusal.CONNECTOR_TYPE_NOT_ALLOWED: AuthorizationStatus.NOT_ALLOWED_TYPE_EVSE,
    Refusal.OUTSIDE_TIME_WINDOWS: AuthorizationStatus.NOT_AT_THIS_TIME,
    Refusal.DAILY_ENERGY_LIMIT_REACHED: AuthorizationStatus.NO_CREDIT,
    Refusal.MONTHLY_SPEND_LIMIT_REACHED: AuthorizationStatus.NO_CREDIT,
}


class AuthorizationResult(str, enum.Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"


class Trigger(str, enum.Enum):
    """What made the central system decide."""

    AUTHORIZE = "Authorize"
    START_TRANSACTION = "StartTransaction"           # 1.6
    STOP_TRANSACTION = "StopTransaction"             # 1.6: the tag that ended a transaction
    TRANSACTION_EVENT = "TransactionEvent"           # 2.0.1: Started, or a tag presented during a transaction
    REMOTE_START = "RemoteStart"                     # an operator's remote start, before it is sent


@define
class AuthorizationRecord:
    id: str
    organization_id: str
    at: datetime
    charge_point_id: str
    id_tag: str
    trigger: Trigger
    status: AuthorizationStatus
    reason: Refusal | None = None
    detail: str | None = None
    driver_id: str | None = None
    fleet_id: str | None = None
    vehicle_id: str | None = None
    location_id: str | None = None
    connector_id: int | None = None
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    @property
    def result(self) -> AuthorizationResult:
        return AuthorizationResult.ACCEPTED if self.status is AuthorizationStatus.ACCEPTED \
            else AuthorizationResult.REFUSED

    @classmethod
    def decided(cls, *, id: str, organization_id: str, at: datetime, charge_point_id: str, id_tag: str,
                trigger: Trigger, status: AuthorizationStatus, reason: Refusal | None = None,
                detail: str | None = None, driver_id: str | None = None, fleet_id: str | None = None,
                vehicle_id: str | None = None, location_id: str | None = None,
                connector_id: int | None = None) -> AuthorizationRecord:
        record = cls(id=id, organization_id=organization_id, at=at, charge_point_id=charge_point_id, id_tag=id_tag,
                     trigger=trigger, status=status, reason=reason, detail=detail, driver_id=driver_id,
                     fleet_id=fleet_id, vehicle_id=vehicle_id, location_id=location_id, connector_id=connector_id)
        if record.result is AuthorizationResult.REFUSED:
            record.pending_events.append(AuthorizationRefused(
                organization_id=organization_id, occurred_at=at, authorization_id=id, charge_point_id=charge_point_id,
                id_tag=id_tag, trigger=trigger.value, status=status.value,
                reason=reason.value if reason else "refused", detail=detail, driver_id=driver_id,
                fleet_id=fleet_id, vehicle_id=vehicle_id, location_id=location_id, connector_id=connector_id))
        return record

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events


class ChargingRefused(Conflict):
    """An operator's remote start for an id tag that may not charge there now (the decision is logged)."""

    code = "authorization_refused"

    def __init__(self, reason: Refusal | None, detail: str | None) -> None:
        super().__init__(f"{reason.value if reason else 'refused'}: {detail or 'the id tag may not charge'}")
        self.reason = reason
