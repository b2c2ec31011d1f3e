"""Webhooks: where endpoints, deliveries and their attempt logs are stored, and the port that posts them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.pagination import Page, PageRequest
from domain.webhooks import Attempt, Delivery, WebhookEndpoint


class WebhookRepository(Protocol):
    async def add_endpoint(self, endpoint: WebhookEndpoint) -> None: ...
    async def save_endpoint(self, endpoint: WebhookEndpoint) -> None: ...
    async def get_endpoint(self, organization_id: str, endpoint_id: str) -> WebhookEndpoint | None: ...
    async def delete_endpoint(self, organization_id: str, endpoint_id: str) -> None:
        """The endpoint, its deliveries and their attempts."""
        ...
    async def list_endpoints(self, organization_id: str, page: PageRequest) -> Page[WebhookEndpoint]: ...
    async def subscribed(self, organization_id: str, event_name: str) -> list[WebhookEndpoint]:
        """The organization's enabled endpoints subscribed to ``event_name``."""
        ...
    async def add_delivery(self, delivery: Delivery) -> bool:
        """Store it unless its endpoint already has a delivery of its event (then False: fan-out is idempotent)."""
        ...
    async def save_delivery(self, delivery: Delivery) -> None: ...
    async def deliveries_of_event(self, organization_id: str, event_id: str) -> list[Delivery]: ...
    async def list_deliveries(self, organization_id: str, endpoint_id: str, page: PageRequest) -> Page[Delivery]: ...
    async def claim_deliveries(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries due by ``now``, oldest first, leased until ``lease_until`` (no other sender takes
        them meanwhile; a sender that dies leaves them due again when the lease ends)."""
        ...
    async def pending_of_endpoint(self, endpoint_id: str) -> list[Delivery]: ...
    async def add_attempt(self, attempt: Attempt) -> None: ...
    async def attempts_of(self, delivery_ids: Sequence[str]) -> Mapping[str, list[Attempt]]:
        """Each delivery's attempts, in order."""
        ...
    async def endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        """By id alone (the sender works across organizations)."""
        ...


@frozen
class Response:
    status_code: int | None          # None: no answer (refused, timed out, unreachable, not allowed)
    error: str | None
    duration_ms: int
    excerpt: str | None = None       # the first bytes of the answer, for the delivery log


class UrlNotAllowed(Exception):
    """The URL is malformed or points where webhooks may not go (loopback, private, link-local…)."""


class WebhookSender(Protocol):
    async def check(self, url: str) -> None:
        """Raise ``UrlNotAllowed`` (with the reason) unless webhooks may be posted to ``url``."""
        ...

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """Post once; never raises for the receiver's failures (they are in the ``Response``)."""
        ...
