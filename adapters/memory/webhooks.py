"""Webhook endpoints, deliveries and attempts in memory, with the SQL adapter's semantics."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters.memory.repositories import _newest_first, _page
from application.pagination import Page, PageRequest
from domain.webhooks import Attempt, Delivery, DeliveryStatus, WebhookEndpoint


class InMemoryWebhooks:
    def __init__(self, endpoints: dict[str, Any], deliveries: dict[str, Any], attempts: dict[str, Any]) -> None:
        self.endpoints, self.deliveries, self.attempts = endpoints, deliveries, attempts

    async def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self.endpoints[endpoint.id] = copy.deepcopy(endpoint)

    async def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self.endpoints[endpoint.id] = copy.deepcopy(endpoint)

    async def get_endpoint(self, organization_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        found = self.endpoints.get(endpoint_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        return copy.deepcopy(self.endpoints.get(endpoint_id))

    async def delete_endpoint(self, organization_id: str, endpoint_id: str) -> None:
        if await self.get_endpoint(organization_id, endpoint_id) is None:
            return
        del self.endpoints[endpoint_id]
        for delivery in [d for d in self.deliveries.values() if d.endpoint_id == endpoint_id]:
            del self.deliveries[delivery.id]
            self.attempts.pop(delivery.id, None)

    async def list_endpoints(self, organization_id: str, page: PageRequest) -> Page[WebhookEndpoint]:
        return _page([e for e in self.endpoints.values() if e.organization_id == organization_id], page,
                     lambda e: e.id)

    async def subscribed(self, organization_id: str, event_name: str) -> builtins.list[WebhookEndpoint]:
        return [copy.deepcopy(e) for e in sorted(self.endpoints.values(), key=lambda e: e.id)
                if e.organization_id == organization_id and e.subscribes(event_name)]

    async def add_delivery(self, delivery: Delivery) -> bool:
        if any(d.endpoint_id == delivery.endpoint_id and d.event_id == delivery.event_id
               for d in self.deliveries.values()):
            return False
        self.deliveries[delivery.id] = copy.deepcopy(delivery)
        return True

    async def save_delivery(self, delivery: Delivery) -> None:
        self.deliveries[delivery.id] = copy.deepcopy(delivery)

    async def deliveries_of_event(self, organization_id: str, event_id: str) -> builtins.list[Delivery]:
        return [copy.deepcopy(d) for d in sorted(self.deliveries.values(), key=lambda d: d.id)
                if d.organization_id == organization_id and d.event_id == event_id]

    async def list_deliveries(self, organization_id: str, endpoint_id: str, page: PageRequest) -> Page[Delivery]:
        return _newest_first((d for d in self.deliveries.values()
                              if d.organization_id == organization_id and d.endpoint_id == endpoint_id),
                             page, lambda d: d.id)

    async def claim_deliveries(self, now: datetime, lease_until: datetime, limit: int) -> builtins.list[Delivery]:
        due = sorted((d for d in self.deliveries.values() if d.status is DeliveryStatus.PENDING
                      and d.next_attempt_at is not None and d.next_attempt_at <= now),
                     key=lambda d: (d.next_attempt_at, d.id))[:limit]
        for delivery in due:
            delivery.next_attempt_at = lease_until
            delivery.attempts += 1
        return [copy.deepcopy(d) for d in due]

    async def pending_of_endpoint(self, endpoint_id: str) -> builtins.list[Delivery]:
        return [copy.deepcopy(d) for d in self.deliveries.values()
                if d.endpoint_id == endpoint_id and d.status is DeliveryStatus.PENDING]

    async def add_attempt(self, attempt: Attempt) -> None:
        self.attempts.setdefault(attempt.delivery_id, []).append(attempt)

    async def attempts_of(self, delivery_ids: Sequence[str]) -> Mapping[str, builtins.list[Attempt]]:
        return {i: sorted(self.attempts.get(i, []), key=lambda a: a.number) for i in delivery_ids}
