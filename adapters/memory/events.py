"""The in-memory event outbox: events stored with the unit of work's copy, so they commit with the change."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from adapters.memory.repositories import _newest_first, _Table
from application.pagination import Page, PageRequest
from application.ports.events import START, EventStatus, FeedPosition, StoredEvent
from domain.events import DomainEvent


class InMemoryEvents(_Table):
    def __init__(self, data: dict[str, Any], now: Any) -> None:
        super().__init__(data)
        self._now = now                     # when an event is recorded: the fake's idea of "now"
        self.recorded: list[str] = []       # added in this transaction, not committed yet
        self.settled: Callable[[DomainEvent], bool] | None = None

    async def add(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            recorded_at = self._now()
            # Commits replace the whole store one at a time: the next number of the organization is its order.
            position = FeedPosition(0, self._head(event.organization_id).sequence + 1)
            if self.settled is not None and self.settled(event):
                self.data[event.id] = StoredEvent(copy.deepcopy(event), recorded_at=recorded_at,
                                                  status=EventStatus.HANDLED, handled_at=recorded_at,
                                                  position=position)
                continue
            self.data[event.id] = StoredEvent(copy.deepcopy(event), recorded_at=recorded_at, position=position)
            self.recorded.append(event.id)

    def _head(self, organization_id: str) -> FeedPosition:
        return max((e.position for e in self.data.values()
                    if e.event.organization_id == organization_id and e.position is not None), default=START)

    async def claim(self, now: datetime, lease_until: datetime, limit: int,
                    ids: Sequence[str] | None = None) -> list[StoredEvent]:
        wanted = set(ids) if ids is not None else None
        due = sorted((e for e in self.data.values() if e.status is EventStatus.PENDING
                      and (wanted is None or e.id in wanted)
                      and (e.next_attempt_at is None or e.next_attempt_at <= now)), key=lambda e: e.id)[:limit]
        for stored in due:
            stored.next_attempt_at = lease_until
            stored.attempts += 1
        return [copy.deepcopy(e) for e in due]

    async def save(self, stored: StoredEvent) -> None:
        self._put(stored.id, stored)

    async def get(self, organization_id: str, event_id: str) -> StoredEvent | None:
        found = self.data.get(event_id)
        return copy.deepcopy(found) if found is not None and found.event.organization_id == organization_id else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[StoredEvent]:
        return _newest_first((e for e in self.data.values() if e.event.organization_id == organization_id), page,
                             lambda e: e.id)

    async def feed(self, organization_id: str, after: FeedPosition, names: Collection[str],
                   limit: int) -> Sequence[StoredEvent]:
        wanted = set(names)
        found = sorted((e for e in self.data.values() if e.event.organization_id == organization_id
                        and e.event.name in wanted and e.position is not None and e.position > after),
                       key=lambda e: e.position or START)
        return [copy.deepcopy(e) for e in found[:limit]]

    async def feed_head(self, organization_id: str) -> FeedPosition:
        return self._head(organization_id)
