"""Outbound webhooks: endpoints (the signing secret shown once, rotatable with an overlap), their delivery logs,
the organization's events, and redelivery. How receivers verify ``Charge-Signature``: docs/webhooks.md."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from application.pagination import Page
from application.ports.events import StoredEvent
from application.webhook_events import SUBSCRIBABLE, event_body
from application.webhooks import MAX_OVERLAP, CreatedEndpoint, DeliveryLog, EndpointDetails
from domain.webhooks import Attempt, Delivery, WebhookEndpoint
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.shapes import Body, doc, text
from entrypoints.rest.views import View

TAG = "Webhooks"
PATH = "/api/v1/webhook-endpoints"
EVENTS = "/api/v1/events"
_EVENT_NAMES = sorted(SUBSCRIBABLE)


class WebhookEndpointBody(Body):
    """Where to post which events."""

    url: Annotated[str, text(2048), doc("The receiver: an http(s) URL on a public address.",
                                        "https://example.com/charge/webhooks")]
    events: Annotated[list[Annotated[str, text(64)]], Meta(min_length=1, max_length=len(_EVENT_NAMES),
                                                           extra_json_schema={"items": {"enum": _EVENT_NAMES}}),
                      doc("The event types to send.", ["session.completed", "invoice.finalized"])]
    description: Annotated[str, text(500), doc("What the endpoint is for.")] | None = None
    enabled: Annotated[bool, doc("False pauses deliveries; true re-enables an endpoint disabled after "
                                 "failures.")] = True


class RotateSecretBody(Body):
    """A new signing secret."""

    overlap_seconds: Annotated[int, Meta(ge=0, le=int(MAX_OVERLAP.total_seconds())), doc(
        "How long the old secret keeps signing beside the new one (both signatures are sent); default 86400.",
        3600)] | None = None


class WebhookEndpointOut(View):
    """A webhook endpoint, without its secret."""

    id: str
    url: str
    events: list[str]
    description: str | None
    status: Annotated[str, doc("`enabled`, or `disabled` (by its owner, or after three days of failures).")]
    disabled_reason: str | None
    secrets_in_use: Annotated[int, doc("Secrets signing now: 2 during a rotation's overlap.")]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, e: WebhookEndpoint, now: datetime) -> WebhookEndpointOut:
        return cls(e.id, e.url, list(e.events), e.description, e.status.value, e.disabled_reason,
                   len(e.signing_secrets(now)), e.created_at, e.updated_at)


class WebhookEndpointCreatedOut(View):
    """A webhook endpoint and its signing secret, shown this once."""

    id: str
    url: str
    events: list[str]
    description: str | None
    status: str
    secret: Annotated[str, doc("The signing secret (`whsec_…`): verify `Charge-Signature` with it. Not shown again.")]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, created: CreatedEndpoint) -> WebhookEndpointCreatedOut:
        e = created.endpoint
        return cls(e.id, e.url, list(e.events), e.description, e.status.value, created.secret, e.created_at,
                   e.updated_at)


class AttemptOut(View):
    number: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str | None

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        return cls(a.number, a.attempted_at, a.duration_ms, a.status_code, a.error, a.response_excerpt)


class DeliveryOut(View):
    """One event to one endpoint, with the log of its attempts."""

    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: Annotated[str, doc("`pending` (due at `next_attempt_at`), `succeeded`, or `failed` (given up).")]
    attempt_count: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    created_at: datetime
    attempts: list[AttemptOut]

    @classmethod
    def of(cls, log: DeliveryLog) -> DeliveryOut:
        d: Delivery = log.delivery
        return cls(d.id, d.endpoint_id, d.event_id, d.event_name, d.status.value, d.attempts, d.next_attempt_at,
                   d.delivered_at, d.last_error, d.created_at, [AttemptOut.of(a) for a in log.attempts])


class EventOut(View):
    """An event as webhooks deliver it: ``{id, type, created_at, organization_id, data}``."""

    id: str
    type: str
    created_at: str
    organization_id: str
    data: Annotated[dict[str, Any], msgspec.Meta(description="The event's fields (see contracts/events/).")]

    @classmethod
    def of(cls, stored: StoredEvent) -> EventOut:
        body = event_body(stored.event)
        return cls(body["id"], body["type"], body["created_at"], body["organization_id"], body["data"])


def _details(body: WebhookEndpointBody) -> EndpointDetails:
    return EndpointDetails(url=body.url, events=tuple(body.events), description=body.description,
                           enabled=body.enabled)


async def create_endpoint(call: Call) -> WebhookEndpointCreatedOut:
    created = await call.use_cases.create_webhook_endpoint(call.organization_id, _details(call.body), call.caller)
    return WebhookEndpointCreatedOut.of(created)


async def list_endpoints(call: Call) -> Page[WebhookEndpointOut]:
    page = await call.use_cases.list_webhook_endpoints(call.organization_id, call.caller, call.page)
    now = call.now()
    return page.map(lambda e: WebhookEndpointOut.of(e, now))


async def get_endpoint(call: Call) -> WebhookEndpointOut:
    endpoint = await call.use_cases.get_webhook_endpoint(call.organization_id, call.ids["endpoint_id"], call.caller)
    return WebhookEndpointOut.of(endpoint, call.now())


async def update_endpoint(call: Call) -> WebhookEndpointOut:
    endpoint = await call.use_cases.update_webhook_endpoint(call.organization_id, call.ids["endpoint_id"],
                                                            _details(call.body), call.caller)
    return WebhookEndpointOut.of(endpoint, call.now())


async def delete_endpoint(call: Call) -> None:
    await call.use_cases.delete_webhook_endpoint(call.organization_id, call.ids["endpoint_id"], call.caller)


async def rotate_secret(call: Call) -> WebhookEndpointCreatedOut:
    body: RotateSecretBody = call.body
    overlap = None if body.overlap_seconds is None else timedelta(seconds=body.overlap_seconds)
    created = await call.use_cases.rotate_webhook_secret(call.organization_id, call.ids["endpoint_id"], overlap,
                                                         call.caller)
    return WebhookEndpointCreatedOut.of(created)


async def list_deliveries(call: Call) -> Page[DeliveryOut]:
    page = await call.use_cases.list_webhook_deliveries(call.organization_id, call.ids["endpoint_id"], call.caller,
                                                        call.page)
    return page.map(DeliveryOut.of)


async def list_events(call: Call) -> Page[EventOut]:
    page = await call.use_cases.list_events(call.organization_id, call.caller, call.page)
    return page.map(EventOut.of)


async def get_event(call: Call) -> EventOut:
    return EventOut.of(await call.use_cases.get_event(call.organization_id, call.ids["event_id"], call.caller))


async def redeliver(call: Call) -> list[DeliveryOut]:
    deliveries = await call.use_cases.redeliver_event(call.organization_id, call.ids["event_id"], call.caller)
    return [DeliveryOut.of(DeliveryLog(d, [])) for d in deliveries]


_ENDPOINT = PATH + "/{endpoint_id}"
ENDPOINTS = [
    Endpoint("POST", PATH, create_endpoint, "createWebhookEndpoint", "Create a webhook endpoint", TAG, status=201,
             body=WebhookEndpointBody, response=WebhookEndpointCreatedOut, creates=True, secret=True, tenant=True,
             headers={"Cache-Control": "no-store"}, errors=(403,),
             description="`secret` signs every delivery (`Charge-Signature: t=…,v1=…`, HMAC-SHA256 of `t.body`); "
                         "it is shown in this response only. 422 naming `url` for a URL on a loopback, private or "
                         "link-local address (unless CHARGE_WEBHOOK_ALLOW_PRIVATE_URLS=true), `events` for an "
                         "unknown event type."),
    Endpoint("GET", PATH, list_endpoints, "listWebhookEndpoints", "List webhook endpoints", TAG,
             response=WebhookEndpointOut, paginated=True, tenant=True, errors=(403,)),
    Endpoint("GET", _ENDPOINT, get_endpoint, "getWebhookEndpoint", "Get a webhook endpoint", TAG,
             response=WebhookEndpointOut, tenant=True, errors=(403,)),
    Endpoint("PUT", _ENDPOINT, update_endpoint, "updateWebhookEndpoint", "Update a webhook endpoint", TAG,
             body=WebhookEndpointBody, response=WebhookEndpointOut, tenant=True, errors=(403,),
             description="Replaces url, events and description. `enabled: true` re-enables an endpoint disabled "
                         "after failures (redeliver what it missed with POST /api/v1/events/{id}/redeliver)."),
    Endpoint("DELETE", _ENDPOINT, delete_endpoint, "deleteWebhookEndpoint", "Delete a webhook endpoint", TAG,
             status=204, tenant=True, errors=(403,), description="The endpoint, its deliveries and their log."),
    Endpoint("POST", _ENDPOINT + "/rotate-secret", rotate_secret, "rotateWebhookSecret",
             "Rotate a webhook endpoint's signing secret", TAG, body=RotateSecretBody,
             response=WebhookEndpointCreatedOut, secret=True, tenant=True, headers={"Cache-Control": "no-store"},
             errors=(403,),
             description="A new secret, shown once. During `overlap_seconds` (default a day) deliveries carry a "
                         "`v1` signature for each secret, so receivers switch without losing a delivery."),
    Endpoint("GET", _ENDPOINT + "/deliveries", list_deliveries, "listWebhookDeliveries",
             "List an endpoint's deliveries", TAG, response=DeliveryOut, paginated=True, tenant=True, errors=(403,),
             description="Newest first, each with every attempt (when, how long, the status code or error, the "
                         "start of the answer)."),
    Endpoint("GET", EVENTS, list_events, "listEvents", "List events", TAG, response=EventOut, paginated=True,
             tenant=True, description="The organization's events, newest first, as webhooks deliver them."),
    Endpoint("GET", EVENTS + "/{event_id}", get_event, "getEvent", "Get an event", TAG, response=EventOut,
             tenant=True),
    Endpoint("POST", EVENTS + "/{event_id}/redeliver", redeliver, "redeliverEvent", "Redeliver an event", TAG,
             status=202, response=list[DeliveryOut], tenant=True, errors=(403,),
             description="Sends the event again, now, to every enabled endpoint subscribed to its type; answers "
                         "the deliveries (202: they are posted by the delivery worker)."),
]
