"""A reservation holds one connector for one id tag until it expires, is used, or is cancelled."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import define, field

from domain.errors import InvalidState
from domain.events import DomainEvent
from domain.network.events import ReservationCancelled, ReservationCreated, ReservationExpired, ReservationUsed


class ReservationStatus(str, enum.Enum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@define
class Reservation:
    id: str
    organization_id: str
    charge_point_id: str
    connector_id: int
    id_tag: str
    expires_at: datetime
    ocpp_reservation_id: int
    created_at: datetime
    status: ReservationStatus = ReservationStatus.ACTIVE
    closed_at: datetime | None = None
    session_id: str | None = None
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    @classmethod
    def make(cls, *, id: str, organization_id: str, charge_point_id: str, connector_id: int, id_tag: str,
             expires_at: datetime, ocpp_reservation_id: int, now: datetime) -> Reservation:
        """A reservation the charge point has accepted."""
        reservation = cls(id=id, organization_id=organization_id, charge_point_id=charge_point_id,
                          connector_id=connector_id, id_tag=id_tag, expires_at=expires_at,
                          ocpp_reservation_id=ocpp_reservation_id, created_at=now)
        reservation.pending_events.append(ReservationCreated(
            organization_id=organization_id, occurred_at=now, reservation_id=id, charge_point_id=charge_point_id,
            connector_id=connector_id, id_tag=id_tag, expires_at=expires_at))
        return reservation

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events

    def status_at(self, now: datetime) -> ReservationStatus:
        if self.status is ReservationStatus.ACTIVE and now >= self.expires_at:
            return ReservationStatus.EXPIRED
        return self.status

    def holds(self, connector_id: int, now: datetime) -> bool:
        return self.connector_id == connector_id and self.status_at(now) is ReservationStatus.ACTIVE

    def admits(self, id_tag: str) -> bool:
        return id_tag == self.id_tag

    def use(self, session_id: str, now: datetime) -> None:
        if self.status_at(now) is not ReservationStatus.ACTIVE:
            raise InvalidState(f"reservation is {self.status_at(now).value}")
        self.status, self.session_id, self.closed_at = ReservationStatus.USED, session_id, now
        self.pending_events.append(ReservationUsed(organization_id=self.organization_id, occurred_at=now,
                                                   reservation_id=self.id, charge_point_id=self.charge_point_id,
                                                   session_id=session_id))

    def cancel(self, now: datetime) -> None:
        status = self.status_at(now)
        if status is not ReservationStatus.ACTIVE:
            raise InvalidState(f"reservation is {status.value}")
        self.status, self.closed_at = ReservationStatus.CANCELLED, now
        self.pending_events.append(ReservationCancelled(organization_id=self.organization_id, occurred_at=now,
                                                        reservation_id=self.id, charge_point_id=self.charge_point_id))

    def expire(self, now: datetime) -> bool:
        if self.status is ReservationStatus.ACTIVE and now >= self.expires_at:
            self.status, self.closed_at = ReservationStatus.EXPIRED, self.expires_at
            self.pending_events.append(ReservationExpired(organization_id=self.organization_id,
                                                          occurred_at=self.expires_at, reservation_id=self.id,
                                                          charge_point_id=self.charge_point_id))
            return True
        return False
