"""Webhook endpoints, deliveries (one per endpoint and event) and their attempt log in SQL."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import dialect_insert, fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import webhook_attempts, webhook_deliveries, webhook_endpoints
from application.pagination import Page, PageRequest
from domain.webhooks import Attempt, Delivery, DeliveryStatus, EndpointStatus, SigningSecret, WebhookEndpoint

_PENDING = DeliveryStatus.PENDING.value


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def endpoint_to_row(e: WebhookEndpoint) -> dict[str, Any]:
    return {"id": e.id, "organization_id": e.organization_id, "url": e.url, "events": list(e.events),
            "description": e.description, "status": e.status.value, "failing_since": e.failing_since,
            "disabled_reason": e.disabled_reason, "created_at": e.created_at, "updated_at": e.updated_at,
            "secrets": [{"value": s.value, "created_at": _instant(s.created_at), "expires_at": _instant(s.expires_at)}
                        for s in e.secrets]}


def endpoint_from_row(row: Row[Any]) -> WebhookEndpoint:
    secrets = [SigningSecret(s["value"], _parse(s["created_at"]), _parse(s["expires_at"]))  # type: ignore[arg-type]
               for s in row.secrets]
    return WebhookEndpoint(id=row.id, organization_id=row.organization_id, url=row.url, events=tuple(row.events),
                           description=row.description, created_at=row.created_at, updated_at=row.updated_at,
                           secrets=secrets, status=EndpointStatus(row.status), failing_since=row.failing_since,
                           disabled_reason=row.disabled_reason)


def delivery_to_row(d: Delivery) -> dict[str, Any]:
    return {"id": d.id, "organization_id": d.organization_id, "endpoint_id": d.endpoint_id, "event_id": d.event_id,
            "event_name": d.event_name, "status": d.status.value, "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at, "created_at": d.created_at, "delivered_at": d.delivered_at,
            "last_error": d.last_error}


def delivery_from_row(row: Row[Any]) -> Delivery:
    return Delivery(id=row.id, organization_id=row.organization_id, endpoint_id=row.endpoint_id,
                    event_id=row.event_id, event_name=row.event_name, created_at=row.created_at,
                    status=DeliveryStatus(row.status), attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                    delivered_at=row.delivered_at, last_error=row.last_error)


def _attempt_from_row(row: Row[Any]) -> Attempt:
    return Attempt(delivery_id=row.delivery_id, number=row.number, attempted_at=row.attempted_at,
                   duration_ms=row.duration_ms, status_code=row.status_code, error=row.error,
                   response_excerpt=row.response_excerpt)


class SqlWebhooks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        # An organization's enabled endpoints, read once per unit of work: a transaction that stores many events
        # (a batch of charge points' changes) fans each out without reading them again. Forgotten when this unit
        # of work changes an endpoint.
        self._enabled: dict[str, builtins.list[WebhookEndpoint]] = {}

    async def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self._enabled.clear()
        await insert_or_conflict(self._connection, webhook_endpoints, endpoint_to_row(endpoint), "endpoint exists")

    async def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self._enabled.clear()
        await upsert(self._connection, webhook_endpoints, endpoint_to_row(endpoint), {"id": endpoint.id},
                     "endpoint exists")

    async def get_endpoint(self, organization_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        t = webhook_endpoints
        row = (await self._connection.execute(select(t).where(t.c.organization_id == organization_id,
                                                              t.c.id == endpoint_id))).first()
        return endpoint_from_row(row) if row is not None else None

    async def endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        t = webhook_endpoints
        row = (await self._connection.execute(select(t).where(t.c.id == endpoint_id))).first()
        return endpoint_from_row(row) if row is not None else None

    async def delete_endpoint(self, organization_id: str, endpoint_id: str) -> None:
        self._enabled.clear()
        d = webhook_deliveries
        owned = select(d.c.id).where(d.c.endpoint_id == endpoint_id, d.c.organization_id == organization_id)
        await self._connection.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(owned)))
        await self._connection.execute(delete(d).where(d.c.endpoint_id == endpoint_id,
                                                       d.c.organization_id == organization_id))
        await self._connection.execute(delete(webhook_endpoints).where(
            webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.organization_id == organization_id))

    async def list_endpoints(self, organization_id: str, page: PageRequest) -> Page[WebhookEndpoint]:
        t = webhook_endpoints
        return await fetch_page(self._connection, select(t).where(t.c.organization_id == organization_id), t.c.id,
                                page, endpoint_from_row, lambda e: e.id)

    async def subscribed(self, organization_id: str, event_name: str) -> builtins.list[WebhookEndpoint]:
        # An organization has few endpoints: the event filter is applied here (JSON arrays differ per engine).
        enabled = self._enabled.get(organization_id)
        if enabled is None:
            t = webhook_endpoints
            rows = await self._connection.execute(select(t).where(t.c.organization_id == organization_id,
                                                                  t.c.status == EndpointStatus.ENABLED.value)
                                                  .order_by(t.c.id))
            enabled = self._enabled[organization_id] = list(map(endpoint_from_row, rows))
        return [copy.copy(e) for e in enabled if e.subscribes(event_name)]

    async def add_delivery(self, delivery: Delivery) -> bool:
        statement = dialect_insert(self._connection, webhook_deliveries).values(delivery_to_row(delivery))
        result = await self._connection.execute(statement.on_conflict_do_nothing())
        return bool(result.rowcount)

    async def save_delivery(self, delivery: Delivery) -> None:
        await upsert(self._connection, webhook_deliveries, delivery_to_row(delivery), {"id": delivery.id},
                     "delivery exists")

    async def deliveries_of_event(self, organization_id: str, event_id: str) -> builtins.list[Delivery]:
        d = webhook_deliveries
        rows = await self._connection.execute(select(d).where(d.c.organization_id == organization_id,
                                                              d.c.event_id == event_id).order_by(d.c.id))
        return [delivery_from_row(row) for row in rows]

    async def list_deliveries(self, organization_id: str, endpoint_id: str, page: PageRequest) -> Page[Delivery]:
        d = webhook_deliveries
        statement = select(d).where(d.c.organization_id == organization_id, d.c.endpoint_id == endpoint_id)
        return await fetch_page(self._connection, statement, d.c.id, page, delivery_from_row, lambda x: x.id,
                                newest_first=True)

    async def claim_deliveries(self, now: datetime, lease_until: datetime, limit: int) -> builtins.list[Delivery]:
        d = webhook_deliveries
        due = (select(d).where(d.c.status == _PENDING, d.c.next_attempt_at <= now)
               .order_by(d.c.next_attempt_at, d.c.id).limit(limit))
        if self._connection.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)   # another sender's claim is skipped, not waited for
        # SQLite: the unit of work holds the write lock, so nobody claims these before the update below.
        claimed = [delivery_from_row(row) for row in await self._connection.execute(due)]
        if claimed:
            await self._connection.execute(update(d).where(d.c.id.in_([x.id for x in claimed]))
                                           .values(next_attempt_at=lease_until, attempts=d.c.attempts + 1))
        for delivery in claimed:
            delivery.next_attempt_at, delivery.attempts = lease_until, delivery.attempts + 1
        return claimed

    async def pending_of_endpoint(self, endpoint_id: str) -> builtins.list[Delivery]:
        d = webhook_deliveries
        rows = await self._connection.execute(select(d).where(d.c.endpoint_id == endpoint_id, d.c.status == _PENDING))
        return [delivery_from_row(row) for row in rows]

    async def add_attempt(self, attempt: Attempt) -> None:
        await insert_or_conflict(self._connection, webhook_attempts,
                                 {"delivery_id": attempt.delivery_id, "number": attempt.number,
                                  "attempted_at": attempt.attempted_at, "duration_ms": attempt.duration_ms,
                                  "status_code": attempt.status_code, "error": attempt.error,
                                  "response_excerpt": attempt.response_excerpt}, "attempt exists")

    async def attempts_of(self, delivery_ids: Sequence[str]) -> Mapping[str, builtins.list[Attempt]]:
        found: dict[str, builtins.list[Attempt]] = {i: [] for i in delivery_ids}
        if not delivery_ids:
            return found
        a = webhook_attempts
        rows = await self._connection.execute(select(a).where(a.c.delivery_id.in_(list(delivery_ids)))
                                              .order_by(a.c.delivery_id, a.c.number))
        for row in rows:
            found[row.delivery_id].append(_attempt_from_row(row))
        return found
