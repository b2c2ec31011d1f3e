"""The in-memory event outbox: events stored with the unit of work's copy, so they commit with the change."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from adapters.memory.repositories import _newest_first, _Table
from application.pagination import Page, PageRequest
from application.ports.events import START, EventStatus, FeedPosition, FeedRead, StoredEvent
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
            if self.settled is not None and self.settled(event):
                self.data[event.id] = StoredEvent(copy.deepcopy(event), recorded_at=recorded_at,
                                                  status=EventStatus.HANDLED, handled_at=recorded_at,
                                                  position=self._next())
                continue
            self.data[event.id] = StoredEvent(copy.deepcopy(event), recorded_at=recorded_at)
            self.recorded.append(event.id)

    def _next(self) -> FeedPosition:
        # Commits replace the whole store one at a time, so an event takes its place in the feed as soon as
        # it is past its handlers, as the SQL sequencer would give it: the fake's ``sequence`` finds nothing.
        return FeedPosition(self._last() + 1)

    def _last(self) -> int:
        return max((e.position.sequence for e in self.data.values() if e.position is not None), default=0)

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
        if stored.status is not EventStatus.PENDING and stored.position is None:
            stored.position = self._next()
        self._put(stored.id, stored)

    async def get(self, organization_id: str, event_id: str) -> StoredEvent | None:
        found = self.data.get(event_id)
        return copy.deepcopy(found) if found is not None and found.event.organization_id == organization_id else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[StoredEvent]:
        return _newest_first((e for e in self.data.values() if e.event.organization_id == organization_id), page,
                             lambda e: e.id)

    async def sequence(self, limit: int) -> int:
        return 0

    async def feed(self, organization_id: str, after: FeedPosition, names: Collection[str], limit: int) -> FeedRead:
        read = sorted((e for e in self.data.values() if e.event.organization_id == organization_id
                       and e.position is not None and e.position > after), key=lambda e: e.position or START)[:limit]
        wanted = set(names)
        return FeedRead([copy.deepcopy(e) for e in read if e.event.name in wanted],
                        read[-1].position or after if read else after, len(read) == limit)

    async def feed_head(self, organization_id: str) -> FeedPosition:
        return max((e.position for e in self.data.values()
                    if e.event.organization_id == organization_id and e.position is not None), default=START)
