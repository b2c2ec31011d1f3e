"""``Idempotency-Key`` for creating POSTs: the first response is kept and replayed byte for byte.

The key is scoped to the caller (an actor, or an anonymous client address), the method and the
path, and bound to a SHA-256 of the body: the same key with another body is a 409. Responses
that a retry could change (5xx, 429, an unavailable peer) release the key instead of keeping it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from application.authorization import Actor
from application.idempotency import IdempotencyConflict, check_key
from application.portal_access import DriverActor
from application.ports.idempotency import IdempotencyStore, StoredResponse
from application.site_owners import SiteOwnerActor
from domain.errors import Conflict
from domain.ids import is_id
from entrypoints.rest.clients import client_address
from entrypoints.rest.inputs import ORGANIZATION_HEADER

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"

logger = logging.getLogger("charge.rest")


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    return check_key(key, HEADER) if key is not None else None


def scope_of(request: Request, actor: Actor | DriverActor | SiteOwnerActor | None) -> str:
    if actor is not None:
        caller = actor.label
    else:  # signing up has no credential yet; the client address keeps strangers' keys apart
        caller = "anonymous@" + (client_address(request) or "unknown")
    # A user acting in two organizations on the same path must not get one's answer for the other.
    organization = request.headers.get(ORGANIZATION_HEADER)
    if organization is not None and is_id(organization, "org"):
        caller += " in " + organization
    return f"{caller} {request.method} {request.url.path}"


def _remembered(response: Response, secret: bool) -> StoredResponse:
    if not secret or response.status_code >= 300:
        return StoredResponse(response.status_code, bytes(response.body), response.headers.get("content-type", ""))
    created_id = json.loads(bytes(response.body)).get("id")
    problem = {
        "type": "tag:charge.dev,2025:problems/secret_not_replayed", "title": "Conflict", "status": 409,
        "code": "secret_not_replayed",
        "detail": f"{created_id} was already created with this Idempotency-Key; its secret is shown only once "
                  "and is not stored. Revoke it and create another if the secret was lost.",
    }
    return StoredResponse(409, json.dumps(problem).encode(), "application/problem+json")


async def run_once(store: IdempotencyStore, request: Request, actor: Actor | DriverActor | SiteOwnerActor | None,
                   key: str, body: bytes,
                   now: datetime, respond: Callable[[], Awaitable[tuple[Response, bool]]],
                   headers: Mapping[str, str], *, secret: bool = False) -> Response:
    """Replay the stored answer for this key, or run ``respond`` (which says if its answer is transient)."""
    scope = scope_of(request, actor)
    fingerprint = hashlib.sha256(body).hexdigest()
    try:
        stored = await store.begin(scope, key, fingerprint, now)
    except Conflict as exc:
        raise IdempotencyConflict(exc.detail) from None
    if stored is not None:
        return Response(stored.body, status_code=stored.status, media_type=stored.content_type,
                        headers={**headers, REPLAYED: "true"})
    try:
        response, transient = await respond()
    except BaseException:
        await store.release(scope, key)
        raise
    try:
        if transient or response.status_code >= 500:
            await store.release(scope, key)
        else:
            await store.complete(scope, key, _remembered(response, secret))
    except Exception:  # the work is done; failing to remember it must not turn success into an error
        logger.warning("could not record the response for an Idempotency-Key", exc_info=True)
    return response
