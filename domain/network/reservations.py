"""A reservation holds one connector for one id tag until it expires, is used, or is cancelled."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import define

from domain.errors import InvalidState


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

    def cancel(self, now: datetime) -> None:
        status = self.status_at(now)
        if status is not ReservationStatus.ACTIVE:
            raise InvalidState(f"reservation is {status.value}")
        self.status, self.closed_at = ReservationStatus.CANCELLED, now

    def expire(self, now: datetime) -> bool:
        if self.status is ReservationStatus.ACTIVE and now >= self.expires_at:
            self.status, self.closed_at = ReservationStatus.EXPIRED, self.expires_at
            return True
        return False
