"""The event outbox: domain events stored with the change that raised them, then handed to handlers, and read
in the order they committed (the feed live streams resume from)."""

from __future__ import annotations

import base64
import binascii
import enum
import re
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol

from attrs import define, frozen

from application.pagination import Page, PageRequest
from domain.errors import InvalidInput
from domain.events import DomainEvent

_POSITION = re.compile(r"feed\.([0-9]{1,19})")
_MAX = 2**63 - 1


class EventStatus(str, enum.Enum):
    PENDING = "pending"        # committed, not yet handled (or handled and failed: retried later)
    HANDLED = "handled"        # every handler ran
    DEAD = "dead"              # a handler kept failing; left for an operator to look at


@frozen(order=True)
class FeedPosition:
    """An event's place in the feed: the order in which the feed's sequencer numbered committed events.

    Numbers are given after the commit, by one sequencer at a time (``EventRepository.sequence``), so
    they become visible in increasing order: once a reader has passed a number, no event can appear
    before it. (Numbers given as events are stored would be visible in commit order, not number order.)
    """

    sequence: int

    def token(self) -> str:
        """The position as an opaque cursor for clients."""
        return base64.urlsafe_b64encode(f"feed.{self.sequence}".encode()).rstrip(b"=").decode()

    @classmethod
    def from_token(cls, token: str, field: str = "cursor") -> FeedPosition:
        """A cursor ``token`` gave back; anything else is ``InvalidInput`` naming ``field``."""
        bad = InvalidInput.field(field, "is not a cursor this stream returned")
        if not isinstance(token, str) or len(token) > 60 or not token.isascii():
            raise bad
        try:
            text = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode("ascii")
        except (binascii.Error, ValueError):
            raise bad from None
        match = _POSITION.fullmatch(text)
        if match is None or int(match[1]) > _MAX:
            raise bad
        return cls(int(match[1]))


START = FeedPosition(0)   # before every event


@define
class StoredEvent:
    event: DomainEvent
    recorded_at: datetime
    status: EventStatus = EventStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None    # when it is due (again); while claimed, the end of the lease
    handled_at: datetime | None = None
    last_error: str | None = None
    position: FeedPosition | None = None       # in the feed (set when read back; see ``FeedPosition``)

    @property
    def id(self) -> str:
        return self.event.id


@frozen
class FeedRead:
    """One read of the feed: the events named, and how far it read (named or not) to find them."""

    events: list[StoredEvent]
    through: FeedPosition      # the last event read: the next read starts after it
    full: bool                 # as many events were read as asked: more may follow at once


class EventRepository(Protocol):
    # Events this says nobody waits for are stored already handled, and not dispatched after the commit
    # (the dispatcher sets it to "no handler subscribes to this event"): they stay readable, cost no claim.
    # It is asked of every event added (the dispatching unit of work learns so that it stored events).
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
    async def sequence(self, limit: int) -> int:
        """Give the next feed positions to committed events that have none and are past their handlers
        (handled, or given up: a pending event is the dispatcher's), the oldest recorded first, at most
        ``limit``; returns how many. Only one unit of work at a time does this (the others wait), and its
        numbers are all higher than any given before: commit it, and readers see them at once, all together."""
        ...
    async def feed(self, organization_id: str, after: FeedPosition, names: Collection[str], limit: int) -> FeedRead:
        """The organization's events after ``after`` in feed order, reading at most ``limit`` of them; those
        named ``names`` are returned, each with its ``position``."""
        ...
    async def feed_head(self, organization_id: str) -> FeedPosition:
        """The organization's latest position in the feed (``START`` if none): reading from it yields only
        what is numbered afterwards."""
        ...
