"""What happens to a charging session, as domain events (see ``domain.events``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen

from domain.events import DomainEvent, event_type


@event_type
@frozen(kw_only=True)
class SessionStarted(DomainEvent):
    name = "session.started"
    session_id: str
    charge_point_id: str
    transaction_id: str
    connector_id: int | None
    evse_id: int | None
    id_tag: str | None
    driver_id: str | None
    fleet_id: str | None = None
    vehicle_id: str | None = None


@event_type
@frozen(kw_only=True)
class SessionCompleted(DomainEvent):
    """The session ended and its start is known: it is billable, and the pricing handler rates it."""

    name = "session.completed"
    session_id: str
    charge_point_id: str
    started_at: datetime | None
    stopped_at: datetime | None
    energy_wh: Decimal
    stop_reason: str | None


@event_type
@frozen(kw_only=True)
class SessionStopRequested(DomainEvent):
    """The central system asked the charge point to stop a session that reached its energy cap."""

    name = "session.stop_requested"
    session_id: str
    charge_point_id: str
    transaction_id: str
    reason: str
    energy_wh: Decimal
    energy_cap_wh: Decimal


@event_type
@frozen(kw_only=True)
class SessionPriced(DomainEvent):
    name = "session.priced"
    session_id: str
    currency: str
    total_excl_vat: Decimal
    vat: Decimal
    total: Decimal


@event_type
@frozen(kw_only=True)
class OrphanTransactionRecorded(DomainEvent):
    """A charge point reported a transaction whose start was never seen; the operator should look."""

    name = "transaction.orphaned"
    orphan_id: str
    charge_point_id: str
    transaction_id: str
