"""Reading what a request carries: the bounded raw body, the bearer token, paging, path ids, and the
organization an operator endpoint acts in (the body's JSON is ``decoding``'s)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from starlette.requests import ClientDisconnect, Request

from application.authorization import Actor, acting_organization
from application.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from domain.errors import InvalidInput, NotFound
from domain.ids import is_id
from domain.network.charge_points import IDENTITY
from entrypoints.rest.problems import BearerChallenge, HttpProblem

# Path parameters and the id prefix each must carry; anything else cannot exist, so it is a 404.
# A None prefix marks an OCPP identity: chosen by the operator, not a prefixed id.
PATH_IDS: dict[str, tuple[str | None, str]] = {
    "org_id": ("org", "organization"),
    "user_id": ("usr", "member"),
    "invitation_id": ("inv", "invitation"),
    "key_id": ("key", "api_key"),
    "location_id": ("loc", "location"),
    "charge_point_id": (None, "charge_point"),
    "driver_id": ("drv", "driver"),
    "session_id": ("ses", "session"),
    "reservation_id": ("rsv", "reservation"),
    "tariff_id": ("trf", "tariff"),
    "plan_id": ("pln", "plan"),
    "subscription_id": ("sub", "subscription"),
    "customer_id": ("cus", "customer"),
    "invoice_id": ("invc", "invoice"),
    "run_id": ("run", "invoice run"),
    "fleet_id": ("flt", "fleet"),
    "vehicle_id": ("veh", "vehicle"),
    "dispute_id": ("dsp", "dispute"),
    "portal_token_id": ("ptk", "portal_token"),
    "method_id": ("pmt", "payment method"),
    "endpoint_id": ("we", "webhook_endpoint"),
    "event_id": ("evt", "event"),
    "site_owner_id": ("so", "site_owner"),
    "project_id": ("prj", "project"),
}
# Path parameters that carry a secret rather than an id: the use case checks them (and answers 401).
PATH_SECRETS = frozenset({"token"})
ORGANIZATION_HEADER = "X-Organization-Id"


def is_identity(value: str) -> bool:
    """An OCPP charge point identity: what charge point ids in paths and cursors look like."""
    return bool(IDENTITY.fullmatch(value))


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if header is None:
        raise BearerChallenge("this endpoint needs `Authorization: Bearer <token>`", error=None)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise BearerChallenge("the Authorization header must be `Bearer <token>`", error="invalid_request")
    return token


def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise HttpProblem(415, "unsupported_media_type", "the request body must be sent as application/json",
                          headers={"Accept-Post": "application/json"} if request.method == "POST" else None)


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused with 413 as soon as it exceeds ``max_bytes`` (never buffered past that)."""
    too_large = HttpProblem(413, "payload_too_large", f"the request body exceeds {max_bytes} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise HttpProblem(400, "client_disconnected", "the client went away before sending the body") from None
    return b"".join(chunks)


def page_request(request: Request, cursor_key: Callable[[str], bool] = is_id) -> PageRequest:
    params = request.query_params
    limit = DEFAULT_LIMIT
    raw_limit = params.get("limit")
    if raw_limit is not None:
        if not (raw_limit.isascii() and raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_LIMIT):
            raise InvalidInput.field("limit", f"must be an integer between 1 and {MAX_LIMIT}")
        limit = int(raw_limit)
    after = None
    raw_cursor = params.get("cursor")
    if raw_cursor is not None and raw_cursor != "":
        after = decode_cursor(raw_cursor, cursor_key)
    return PageRequest(limit=limit, after=after)


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, cursor_key: Callable[[str], bool] = is_id) -> str:
    bad = InvalidInput.field("cursor", "is not a cursor returned by this list")
    if len(cursor) > 200 or not cursor.isascii():
        raise bad
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise bad from None
    if not cursor_key(value):
        raise bad
    return value


def path_ids(request: Request) -> dict[str, str]:
    """Path ids, checked for shape: an id that cannot exist is answered like one that does not."""
    ids: dict[str, str] = {}
    for name, value in request.path_params.items():
        if name in PATH_SECRETS:
            ids[name] = value
            continue
        prefix, kind = PATH_IDS.get(name, ("", name))
        if not (is_identity(value) if prefix is None else is_id(value, prefix or None)):
            raise NotFound(kind)
        ids[name] = value
    return ids


def organization_of(request: Request, actor: Actor | None) -> str:
    """The organization an operator endpoint outside ``/organizations/{org_id}`` acts in: the API key's, or
    the one ``X-Organization-Id`` names for a user (see ``application.authorization.acting_organization``)."""
    return acting_organization(actor or Actor(), request.headers.get(ORGANIZATION_HEADER), ORGANIZATION_HEADER)
