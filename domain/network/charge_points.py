"""A charge point: its OCPP identity, what it told us at boot, its connection and its connectors' status."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from attrs import define, field

from domain.errors import FieldErrors, NotFound
from domain.events import DomainEvent
from domain.network.events import ChargePointStatusChanged

# The identity is the last segment of the websocket URL: URL-safe, at most 48 characters (OCPP 2.0.1).
IDENTITY = re.compile(r"^[A-Za-z0-9._:*+|@-]{1,48}\Z")
MIN_PASSWORD, MAX_PASSWORD = 16, 40   # OCPP security profile 1 (BasicAuthPassword)


class RegistrationStatus(str, enum.Enum):
    PENDING = "Pending"        # known to us, not yet booted
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


class ChargePointStatus(str, enum.Enum):
    """One word for a charge point, from its connection and its connectors' last reported statuses."""

    OFFLINE = "Offline"
    CHARGING = "Charging"
    AVAILABLE = "Available"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"
    UNKNOWN = "Unknown"


# Connector statuses (OCPP 1.6 and 2.0.1 names) that mean a vehicle is plugged in or charging.
_IN_USE = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Occupied"})
# The first that any connector reports decides, after in-use: what a driver could do here next.
_PRECEDENCE = [("Available", ChargePointStatus.AVAILABLE), ("Reserved", ChargePointStatus.RESERVED),
               ("Unavailable", ChargePointStatus.UNAVAILABLE), ("Faulted", ChargePointStatus.FAULTED)]


class ValidationMode(str, enum.Enum):
    STRICT = "strict"          # payloads must match the official schemas
    LENIENT = "lenient"        # for chargers known to send non-conformant payloads


@define
class Connector:
    evse_id: int
    connector_id: int
    status: str = "Unknown"
    error_code: str | None = None
    updated_at: datetime | None = None
    type: str | None = None             # its plug, an OCPI connector type, when the operator said so


@define
class ChargePoint:
    id: str
    organization_id: str
    location_id: str
    created_at: datetime
    password_hash: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    ocpp_version: str | None = None
    registration_status: RegistrationStatus = RegistrationStatus.PENDING
    validation_mode: ValidationMode = ValidationMode.STRICT
    online: bool = False
    last_heartbeat_at: datetime | None = None
    last_boot_at: datetime | None = None
    connectors: list[Connector] = field(factory=list)
    next_transaction_id: int = 1
    next_reservation_id: int = 1
    tariff_id: str | None = None          # assigned tariff; the most specific wins
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    @staticmethod
    def validate_registration(identity: object, password: object, evses: list[tuple[int, list[int]]]) -> None:
        errors = FieldErrors()
        errors.check("id", isinstance(identity, str) and bool(IDENTITY.match(identity)),
                     "1 to 48 characters of A-Z a-z 0-9 . _ : * + | @ -")
        if password is not None:
            errors.check("ocpp_password", isinstance(password, str) and MIN_PASSWORD <= len(password) <= MAX_PASSWORD
                         and password.isprintable(), f"{MIN_PASSWORD} to {MAX_PASSWORD} printable characters")
        seen = set()
        for i, (evse_id, connector_ids) in enumerate(evses):
            errors.check(f"evses[{i}].evse_id", 1 <= evse_id <= 100 and evse_id not in seen, "unique, 1 to 100")
            seen.add(evse_id)
            errors.check(f"evses[{i}].connectors", 1 <= len(connector_ids) <= 10
                         and len(set(connector_ids)) == len(connector_ids)
                         and all(1 <= c <= 10 for c in connector_ids), "1 to 10 unique connector ids, 1 to 10")
        errors.raise_if_any()

    @property
    def summary_status(self) -> ChargePointStatus:
        if not self.online:
            return ChargePointStatus.OFFLINE
        statuses = {c.status for c in self.connectors}
        if statuses & _IN_USE:
            return ChargePointStatus.CHARGING
        for reported, status in _PRECEDENCE:
            if reported in statuses:
                return status
        return ChargePointStatus.UNKNOWN

    def connector(self, connector_id: int, evse_id: int | None = None) -> Connector:
        for c in self.connectors:
            if c.connector_id == connector_id and (evse_id is None or c.evse_id == evse_id):
                return c
        raise NotFound("connector", f"{self.id}/{evse_id or ''}/{connector_id}")

    def has_connector(self, connector_id: int, evse_id: int | None = None) -> bool:
        return any(c.connector_id == connector_id and (evse_id is None or c.evse_id == evse_id)
                   for c in self.connectors)

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events

    def _status_after(self, before: ChargePointStatus, now: datetime) -> None:
        """Record ``ChargePointStatusChanged`` when a change moved the one-word status."""
        after = self.summary_status
        if after is not before:
            self.pending_events.append(ChargePointStatusChanged(
                organization_id=self.organization_id, occurred_at=now, charge_point_id=self.id,
                status=after.value, previous_status=before.value))

    def connected(self, ocpp_version: str, now: datetime) -> None:
        before = self.summary_status
        self.online = True
        self.ocpp_version = ocpp_version
        self.last_heartbeat_at = now
        self._status_after(before, now)

    def disconnected(self, now: datetime) -> None:
        before = self.summary_status
        self.online = False
        self._status_after(before, now)

    def booted(self, *, vendor: str, model: str, serial_number: str | None, firmware_version: str | None,
               now: datetime) -> None:
        before = self.summary_status
        self.vendor, self.model = vendor, model
        self.serial_number, self.firmware_version = serial_number, firmware_version
        self.registration_status = RegistrationStatus.ACCEPTED
        self.last_boot_at = self.last_heartbeat_at = now
        self.online = True
        self._status_after(before, now)

    def heartbeat(self, now: datetime) -> None:
        before = self.summary_status
        self.last_heartbeat_at = now
        self.online = True
        self._status_after(before, now)

    def status_changed(self, *, evse_id: int, connector_id: int, status: str, error_code: str | None,
                       timestamp: datetime) -> None:
        """Record a connector's status; an older report (a late replay) does not overwrite a newer one.

        A connector the charge point reports but we were not told of is learned; connector 0 (1.6)
        is the charge point as a whole and is not a connector.
        """
        if connector_id == 0:
            return
        before = self.summary_status
        for c in self.connectors:
            if c.connector_id == connector_id and c.evse_id == evse_id:
                if c.updated_at is None or timestamp >= c.updated_at:
                    c.status, c.error_code, c.updated_at = status, error_code, timestamp
                break
        else:
            self.connectors.append(Connector(evse_id, connector_id, status, error_code, timestamp))
            self.connectors.sort(key=lambda c: (c.evse_id, c.connector_id))
        self._status_after(before, timestamp)

    def allocate_transaction_id(self) -> int:
        """OCPP 1.6 transaction ids are integers the central system hands out."""
        value, self.next_transaction_id = self.next_transaction_id, self.next_transaction_id + 1
        return value

    def allocate_reservation_id(self) -> int:
        value, self.next_reservation_id = self.next_reservation_id, self.next_reservation_id + 1
        return value
