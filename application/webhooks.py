"""Outbound webhooks: endpoints (the secret shown once, rotatable with an overlap), the fan-out of committed
events into deliveries, and the sender that posts them, signed, retrying for three days.

Deliveries hang on the event outbox. A subscribable event is stored with its change; once committed, the
dispatcher hands it to ``fan_out``, which writes one delivery per subscribed endpoint (idempotent: one per
endpoint and event, so a sweep after a crash adds none twice). Nothing is written for a rolled-back change,
whose events never commit; nothing is lost if the process dies after the commit, since the event stays
pending until fanned out and a delivery stays due until answered. ``deliver_due`` (the server's own task,
or ``charge webhooks deliver``) claims due deliveries with a lease and posts them: never on a request's path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.credentials import new_secret
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.events import StoredEvent
from application.ports.mail import EmailMessage, OutboundEmail
from application.ports.webhooks import Response, UrlNotAllowed, WebhookSender
from application.webhook_events import SUBSCRIBABLE, event_bytes
from domain.errors import FieldErrors, InvalidInput, NotFound
from domain.events import DomainEvent
from domain.ids import PREFIXES, new_id
from domain.webhooks import FIRST_RETRY, Attempt, Delivery, DeliveryStatus, WebhookEndpoint, signature_header
from domain.webhooks.endpoints import EndpointStatus

log = logging.getLogger("charge.webhooks")

SECRET_PREFIX = "whsec_"
MAX_OVERLAP = timedelta(days=7)
DEFAULT_OVERLAP = timedelta(hours=24)
LEASE = timedelta(seconds=60)
CONCURRENCY = 16
_MAX_URL = 2048
_MAX_DESCRIPTION = 500


@frozen
class EndpointDetails:
    url: str
    events: tuple[str, ...]
    description: str | None = None
    enabled: bool = True


@frozen
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


@frozen
class DeliveryLog:
    delivery: Delivery
    attempts: list[Attempt]


async def _validate(details: EndpointDetails, sender: WebhookSender) -> EndpointDetails:
    errors = FieldErrors()
    url_ok = isinstance(details.url, str) and 0 < len(details.url) <= _MAX_URL
    errors.check("url", url_ok, "must be an http(s) URL of at most 2048 characters")
    events = details.events
    errors.check("events", isinstance(events, tuple | list) and len(events) > 0, "must name at least one event")
    unknown = sorted(e for e in events if e not in SUBSCRIBABLE) if isinstance(events, tuple | list) else []
    errors.check("events", not unknown, f"unknown event types {unknown}; known: {sorted(SUBSCRIBABLE)}")
    errors.check("description", details.description is None or len(details.description) <= _MAX_DESCRIPTION,
                 "at most 500 characters")
    errors.raise_if_any()
    try:
        await sender.check(details.url)
    except UrlNotAllowed as exc:
        raise InvalidInput.field("url", str(exc)) from None
    return EndpointDetails(url=details.url, events=tuple(sorted(set(events))), description=details.description,
                           enabled=details.enabled)


async def create_endpoint(organization_id: str, details: EndpointDetails, actor: Actor, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock, sender: WebhookSender) -> CreatedEndpoint:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
    details = await _validate(details, sender)
    now = clock.now()
    secret = new_secret(SECRET_PREFIX)
    endpoint = WebhookEndpoint(id=new_id(PREFIXES["webhook_endpoint"]), organization_id=organization_id,
                               url=details.url, events=details.events, description=details.description,
                               created_at=now, updated_at=now)
    endpoint.rotate(secret, now, timedelta(0))
    if not details.enabled:
        endpoint.disable(now)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        await uow.webhooks.add_endpoint(endpoint)
        await uow.commit()
    return CreatedEndpoint(endpoint, secret)


async def get_endpoint(organization_id: str, endpoint_id: str, actor: Actor, *,
                       uow_factory: UnitOfWorkFactory) -> WebhookEndpoint:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        return await _endpoint(uow, organization_id, endpoint_id)


async def _endpoint(uow: UnitOfWork, organization_id: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await uow.webhooks.get_endpoint(organization_id, endpoint_id)
    if endpoint is None:
        raise NotFound("webhook_endpoint", endpoint_id)
    return endpoint


async def list_endpoints(organization_id: str, actor: Actor, page: PageRequest, *,
                         uow_factory: UnitOfWorkFactory) -> Page[WebhookEndpoint]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        return await uow.webhooks.list_endpoints(organization_id, page)


async def update_endpoint(organization_id: str, endpoint_id: str, details: EndpointDetails, actor: Actor, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock, sender: WebhookSender) -> WebhookEndpoint:
    """Replace url, events, description; ``enabled`` turns it back on (a disabled endpoint starts afresh)."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        await _endpoint(uow, organization_id, endpoint_id)
    details = await _validate(details, sender)
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        endpoint = await _endpoint(uow, organization_id, endpoint_id)
        endpoint.url, endpoint.events, endpoint.description, endpoint.updated_at = (details.url, details.events,
                                                                                    details.description, now)
        if details.enabled and endpoint.status is EndpointStatus.DISABLED:
            endpoint.enable(now)
        elif not details.enabled and endpoint.status is EndpointStatus.ENABLED:
            endpoint.disable(now)
        await uow.webhooks.save_endpoint(endpoint)
        await uow.commit()
    return endpoint


async def delete_endpoint(organization_id: str, endpoint_id: str, actor: Actor, *,
                          uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        await _endpoint(uow, organization_id, endpoint_id)
        await uow.webhooks.delete_endpoint(organization_id, endpoint_id)
        await uow.commit()


async def rotate_secret(organization_id: str, endpoint_id: str, overlap: timedelta | None, actor: Actor, *,
                        uow_factory: UnitOfWorkFactory, clock: Clock) -> CreatedEndpoint:
    """A new secret, shown once; the old ones keep signing (both signatures sent) for ``overlap``."""
    overlap = DEFAULT_OVERLAP if overlap is None else overlap
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise InvalidInput.field("overlap_seconds", "must be between 0 and 604800 (7 days)")
    secret = new_secret(SECRET_PREFIX)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        endpoint = await _endpoint(uow, organization_id, endpoint_id)
        endpoint.rotate(secret, clock.now(), overlap)
        await uow.webhooks.save_endpoint(endpoint)
        await uow.commit()
    return CreatedEndpoint(endpoint, secret)


async def list_deliveries(organization_id: str, endpoint_id: str, actor: Actor, page: PageRequest, *,
                          uow_factory: UnitOfWorkFactory) -> Page[DeliveryLog]:
    """The endpoint's deliveries, newest first, each with its attempts (the delivery log)."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        await _endpoint(uow, organization_id, endpoint_id)
        deliveries = await uow.webhooks.list_deliveries(organization_id, endpoint_id, page)
        attempts = await uow.webhooks.attempts_of([d.id for d in deliveries.items])
    return deliveries.map(lambda d: DeliveryLog(d, list(attempts.get(d.id, []))))


async def list_events(organization_id: str, actor: Actor, page: PageRequest, *,
                      uow_factory: UnitOfWorkFactory) -> Page[StoredEvent]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.events.list(organization_id, page)


async def get_event(organization_id: str, event_id: str, actor: Actor, *,
                    uow_factory: UnitOfWorkFactory) -> StoredEvent:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        stored = await uow.events.get(organization_id, event_id)
    if stored is None:
        raise NotFound("event", event_id)
    return stored


async def redeliver(organization_id: str, event_id: str, actor: Actor, *, uow_factory: UnitOfWorkFactory,
                    clock: Clock) -> list[Delivery]:
    """Send the event again, now, to every enabled endpoint subscribed to it (those that had it, and new ones)."""
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        stored = await uow.events.get(organization_id, event_id)
        if stored is None:
            raise NotFound("event", event_id)
        if stored.event.name not in SUBSCRIBABLE:
            raise InvalidInput.field("id", f"{stored.event.name} events are not sent to webhooks")
        existing = {d.endpoint_id: d for d in await uow.webhooks.deliveries_of_event(organization_id, event_id)}
        deliveries = []
        for endpoint in await uow.webhooks.subscribed(organization_id, stored.event.name):
            delivery = existing.get(endpoint.id)
            if delivery is None:
                delivery = _delivery(endpoint, stored.event, now)
                await uow.webhooks.add_delivery(delivery)
            else:
                delivery.again(now)
                await uow.webhooks.save_delivery(delivery)
            deliveries.append(delivery)
        await uow.commit()
    return deliveries


def _delivery(endpoint: WebhookEndpoint, event: DomainEvent, now: datetime) -> Delivery:
    return Delivery(id=new_id(PREFIXES["webhook_delivery"]), organization_id=endpoint.organization_id,
                    endpoint_id=endpoint.id, event_id=event.id, event_name=event.name, created_at=now,
                    next_attempt_at=now)


async def fan_out(event: DomainEvent, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """Event handler: one delivery per enabled endpoint subscribed to the event (none twice)."""
    async with uow_factory() as uow:
        await fan_out_within(event, uow, clock=clock)
        await uow.commit()


async def fan_out_within(event: DomainEvent, uow: UnitOfWork, *, clock: Clock) -> None:
    """The fan-out inside the unit of work that stores the event: its deliveries commit with the change."""
    now = clock.now()
    for endpoint in await uow.webhooks.subscribed(event.organization_id, event.name):
        await uow.webhooks.add_delivery(_delivery(endpoint, event, now))


# ------------------------------------------------------------------------------------------- the sender


async def deliver_due(*, uow_factory: UnitOfWorkFactory, sender: WebhookSender, clock: Clock,
                      limit: int = 100, lease: timedelta = LEASE, first_retry: timedelta = FIRST_RETRY) -> int:
    """Post the deliveries due now (at most ``limit``, ``CONCURRENCY`` at once); returns how many were tried.
    A failed attempt is retried after a backoff that starts at ``first_retry`` and doubles."""
    now = clock.now()
    async with uow_factory() as uow:
        claimed = await uow.webhooks.claim_deliveries(now, now + lease, limit)
        await uow.commit()
    if not claimed:
        return 0
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(delivery: Delivery) -> None:
        async with gate:
            try:
                await _deliver(delivery, uow_factory=uow_factory, sender=sender, clock=clock, first_retry=first_retry)
            except Exception:  # the lease runs out and it is tried again
                log.exception("webhook delivery failed to record", extra={"delivery_id": delivery.id})

    await asyncio.gather(*(one(d) for d in claimed))
    return len(claimed)


async def _deliver(delivery: Delivery, *, uow_factory: UnitOfWorkFactory, sender: WebhookSender,
                   clock: Clock, first_retry: timedelta) -> None:
    async with uow_factory(read_only=True) as uow:
        endpoint = await uow.webhooks.endpoint(delivery.endpoint_id)
        stored = await uow.events.get(delivery.organization_id, delivery.event_id)
    if endpoint is None or stored is None or endpoint.status is EndpointStatus.DISABLED:
        async with uow_factory() as uow:
            delivery.give_up("endpoint disabled" if endpoint is not None and stored is not None
                             else "endpoint or event deleted")
            if endpoint is not None:
                await uow.webhooks.save_delivery(delivery)
            await uow.commit()
        return
    body = event_bytes(stored.event)
    now = clock.now()
    timestamp = int(now.timestamp())
    headers = {"Content-Type": "application/json", "User-Agent": "Charge-Webhooks/1",
               "Charge-Signature": signature_header(endpoint.signing_secrets(now), timestamp, body),
               "Charge-Event-Id": stored.event.id, "Charge-Event-Type": stored.event.name,
               "Charge-Delivery-Id": delivery.id}
    started = time.monotonic()
    try:
        response = await sender.post(endpoint.url, body, headers)
    except UrlNotAllowed as exc:
        response = Response(None, f"URL not allowed: {exc}", int((time.monotonic() - started) * 1000))
    attempt = Attempt(delivery_id=delivery.id, number=delivery.attempts, attempted_at=now,
                      duration_ms=response.duration_ms, status_code=response.status_code,
                      error=response.error, response_excerpt=response.excerpt)
    done = clock.now()
    async with uow_factory() as uow:
        current = await uow.webhooks.endpoint(endpoint.id)
        if current is None:
            return
        delivery.record(attempt, done, first_retry=first_retry)
        await uow.webhooks.add_attempt(attempt)
        await uow.webhooks.save_delivery(delivery)
        if attempt.ok:
            current.succeeded()
        elif current.failed(done, delivery.created_at if delivery.status is DeliveryStatus.FAILED else None):
            for pending in await uow.webhooks.pending_of_endpoint(current.id):
                pending.give_up("endpoint disabled after three days of failures")
                await uow.webhooks.save_delivery(pending)
            await _tell_disabled(uow, current, done)
        await uow.webhooks.save_endpoint(current)
        await uow.commit()
    log.info("webhook delivered" if attempt.ok else "webhook attempt failed",
             extra={"delivery_id": delivery.id, "status_code": attempt.status_code, "attempt": attempt.number})


async def _tell_disabled(uow: UnitOfWork, endpoint: WebhookEndpoint, now: datetime) -> None:
    organization = await uow.organizations.get(endpoint.organization_id)
    if organization is None or not organization.settings.billing_email:
        return
    text = (f"Charge has disabled the webhook endpoint {endpoint.id} ({endpoint.url}) of {organization.name}: "
            f"it has failed every delivery since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC.\n\n"
            "Its pending deliveries were given up. Fix the receiver, then enable the endpoint again "
            f"(PUT /api/v1/webhook-endpoints/{endpoint.id} with \"enabled\": true) and redeliver the events "
            "you need (POST /api/v1/events/{id}/redeliver).\n")
    await uow.outbox.add(OutboundEmail(
        id=new_id(PREFIXES["email"]), created_at=now,
        message=EmailMessage(to=organization.settings.billing_email,
                             subject=f"Webhook endpoint disabled: {endpoint.url}", text=text)))

