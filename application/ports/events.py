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

_POSITION = re.compile(r"([0-9]{1,19})\.([0-9]{1,19})")
_MAX = 2**63 - 1


class EventStatus(str, enum.Enum):
    PENDING = "pending"        # committed, not yet handled (or handled and failed: retried later)
    HANDLED = "handled"        # every handler ran
    DEAD = "dead"              # a handler kept failing; left for an operator to look at


@frozen(order=True)
class FeedPosition:
    """Where an event stands in the feed: the order in which events became visible, i.e. committed.

    ``transaction`` orders first. On PostgreSQL it is the id of the transaction that stored the event, and
    a feed read returns only events of transactions older than every transaction still running: so once a
    reader has moved past a position, no event can later appear before it (ids are handed out when a
    transaction first writes, not when it commits). Where writers commit one at a time (SQLite, the
    in-memory fake), it is 0, and ``sequence``, given as each event is stored, is the commit order.
    """

    transaction: int
    sequence: int

    def token(self) -> str:
        """The position as an opaque cursor for clients."""
        return base64.urlsafe_b64encode(f"{self.transaction}.{self.sequence}".encode()).rstrip(b"=").decode()

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
        if match is None or int(match[1]) > _MAX or int(match[2]) > _MAX:
            raise bad
        return cls(int(match[1]), int(match[2]))


START = FeedPosition(0, 0)   # before every event


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
    async def feed(self, organization_id: str, after: FeedPosition, names: Collection[str],
                   limit: int) -> Sequence[StoredEvent]:
        """The organization's committed events named ``names`` after ``after``, in feed order, each with its
        ``position``; at most ``limit``. No event a later call returns can stand before the last one here."""
        ...
    async def feed_head(self, organization_id: str) -> FeedPosition:
        """The position of the organization's latest event a ``feed`` read can return now (``START`` if none):
        reading from it yields only what is stored afterwards."""
        ...
