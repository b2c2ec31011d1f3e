"""The events organizations may subscribe webhooks to, and the JSON each is delivered as.

One table: a subscribable event's name → its JSON Schema (``contracts/events/<name>.json``, describing the
whole delivered body). Adding an event type to webhooks is one line here and one schema file.

The body is ``{id, type, created_at, organization_id, data}`` (``../shared/API.md``); ``data`` is the event's
own fields, money and quantities as decimal strings, times as RFC 3339 UTC.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from domain.events import DomainEvent

SCHEMAS: dict[str, str] = {
    "session.started": "session.started.json",
    "session.completed": "session.completed.json",
    "invoice.finalized": "invoice.finalized.json",
    "invoice.paid": "invoice.paid.json",
    "reservation.created": "reservation.created.json",
    "reservation.cancelled": "reservation.cancelled.json",
    "reservation.expired": "reservation.expired.json",
    "charge_point.status_changed": "charge_point.status_changed.json",
    "authorization.refused": "authorization.refused.json",
    "payment.failed": "payment.failed.json",
    "dispute.created": "dispute.created.json",
    "dispute.updated": "dispute.updated.json",
    "dispute.resolved": "dispute.resolved.json",
}
SUBSCRIBABLE = frozenset(SCHEMAS)
_ENVELOPE = ("id", "organization_id", "occurred_at")


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    return value


def event_body(event: DomainEvent) -> dict[str, Any]:
    data = {f.name: _value(getattr(event, f.name)) for f in attrs.fields(type(event)) if f.name not in _ENVELOPE}
    return {"id": event.id, "type": event.name, "created_at": _value(event.occurred_at),
            "organization_id": event.organization_id, "data": data}


def event_bytes(event: DomainEvent) -> bytes:
    """The exact bytes posted (and signed)."""
    return json.dumps(event_body(event), separators=(",", ":"), sort_keys=True).encode("utf-8")
