"""Domain events: facts an aggregate records when its state changes, named in the past tense.

An aggregate appends its events to ``pending_events`` as it changes; the repository that stores the
aggregate stores its events with it, in the same transaction (the outbox), and a dispatcher hands
them to their handlers after the commit. Each event type has a stable ``name`` (``session.completed``):
it is what the outbox stores, what handlers are registered under, and what webhooks will call it.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, TypeVar

from attrs import field, frozen

from domain.ids import PREFIXES, new_id


def _event_id() -> str:
    return new_id(PREFIXES["event"])


@frozen(kw_only=True)
class DomainEvent:
    """The base of every event: which tenant it belongs to and when it happened."""

    name: ClassVar[str] = "event"
    organization_id: str
    occurred_at: datetime
    id: str = field(factory=_event_id)


_REGISTRY: dict[str, type[DomainEvent]] = {}
E = TypeVar("E", bound=type[DomainEvent])


def event_type(cls: E) -> E:
    """Class decorator: registers an event type under its ``name`` (so the outbox can read it back)."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise TypeError(f"two event types are named {cls.name}")
    _REGISTRY[cls.name] = cls
    return cls


def event_types() -> dict[str, type[DomainEvent]]:
    """Every registered event type by name."""
    return dict(_REGISTRY)
