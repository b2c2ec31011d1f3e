"""The event outbox: domain events stored with the change that raised them, then handed to handlers."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from attrs import define

from application.pagination import Page, PageRequest
from domain.events import DomainEvent


class EventStatus(str, enum.Enum):
    PENDING = "pending"        # committed, not yet handled (or handled and failed: retried later)
    HANDLED = "handled"        # every handler ran
    DEAD = "dead"              # a handler kept failing; left for an operator to look at


@define
class StoredEvent:
    event: DomainEvent
    recorded_at: datetime
    status: EventStatus = EventStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None    # when it is due (again); while claimed, the end of the lease
    handled_at: datetime | None = None
    last_error: str | None = None

    @property
    def id(self) -> str:
        return self.event.id


class EventRepository(Protocol):
    # Events this says nobody waits for are stored already handled, and not dispatched after the commit
    # (the dispatcher sets it to "no handler subscribes to this event"): they stay readable, cost no claim.
    settled: Callable[[DomainEvent], bool] | None

    async def add(self, events: Sequence[DomainEvent]) -> None:
        """Store events in the unit of work's transaction: they commit, or roll back, with the change."""
        ...
    async def claim(self, now: datetime, lease_until: datetime, limit: int,
                    ids: Sequence[str] | None = None) -> list[StoredEvent]:
        """Pending events due by ``now`` (only these ``ids`` when given), oldest first, leased until
        ``lease_until`` so that no other dispatcher takes them meanwhile; each claim counts an attempt."""
        ...
    async def save(self, stored: StoredEvent) -> None: ...
    async def get(self, organization_id: str, event_id: str) -> StoredEvent | None: ...
    async def list(self, organization_id: str, page: PageRequest) -> Page[StoredEvent]: ...
