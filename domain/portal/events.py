"""What happens to disputes, as domain events (see ``domain.events``): webhooks and settlement hang on them."""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from domain.events import DomainEvent, event_type


@event_type
@frozen(kw_only=True)
class DisputeOpened(DomainEvent):
    name = "dispute.created"
    dispute_id: str
    session_id: str | None
    driver_id: str | None
    source: str


@event_type
@frozen(kw_only=True)
class DisputeChanged(DomainEvent):
    """Assigned, under review, or withdrawn: ``status`` is the new one."""

    name = "dispute.updated"
    dispute_id: str
    status: str


@event_type
@frozen(kw_only=True)
class DisputeResolved(DomainEvent):
    name = "dispute.resolved"
    dispute_id: str
    outcome: str
    refund_amount: Decimal
    currency: str | None
