"""What happens in the charging network, as domain events (see ``domain.events``)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.events import DomainEvent, event_type


@event_type
@frozen(kw_only=True)
class ReservationCreated(DomainEvent):
    name = "reservation.created"
    reservation_id: str
    charge_point_id: str
    connector_id: int
    id_tag: str
    expires_at: datetime


@event_type
@frozen(kw_only=True)
class ReservationCancelled(DomainEvent):
    name = "reservation.cancelled"
    reservation_id: str
    charge_point_id: str


@event_type
@frozen(kw_only=True)
class ReservationExpired(DomainEvent):
    name = "reservation.expired"
    reservation_id: str
    charge_point_id: str


@event_type
@frozen(kw_only=True)
class ReservationUsed(DomainEvent):
    name = "reservation.used"
    reservation_id: str
    charge_point_id: str
    session_id: str


@event_type
@frozen(kw_only=True)
class ChargePointStatusChanged(DomainEvent):
    """The one-word status of a charge point (``ChargePoint.summary_status``) changed."""

    name = "charge_point.status_changed"
    charge_point_id: str
    status: str
    previous_status: str
