"""An endpoint declared once — route, body, answer, errors — served by the app and documented by OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import define, field, frozen
from starlette.requests import Request

from application.authorization import Actor
from application.pagination import PageRequest
from application.portal_access import DriverActor
from application.site_owners import SiteOwnerActor
from domain.errors import Unauthenticated
from domain.ids import is_id
from entrypoints.rest.clients import client_address

Handler = Callable[["Call"], Awaitable[Any]]


@frozen
class Endpoint:
    """One method on one path. ``body``, ``query`` and ``response`` are msgspec Structs (``bodies``,
    ``queries``, ``views``); ``response`` is the item type when ``paginated``."""

    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    status: int = 200
    body: type | None = None
    query: type | None = None  # the query parameters' Struct (``queries``)
    response: Any = None
    paginated: bool = False
    # What a page cursor may name: the id of the list's last item (an OCPP identity for charge points).
    cursor_key: Callable[[str], bool] = is_id
    # Acts in an organization the path does not name: the API key's, or X-Organization-Id's for a user.
    tenant: bool = False
    public: bool = False
    # A driver-portal endpoint: only a portal token authenticates, as the driver it stands for (``Call.driver``).
    portal: bool = False
    # A site-owner endpoint: only a site-owner token authenticates, as the site owner (``Call.site_owner``).
    site_owner: bool = False
    creates: bool = False  # a creating POST: honours Idempotency-Key
    # The answer carries a secret shown once: an idempotent replay must not store it, so a repeated
    # key answers 409 naming the created object instead of replaying the secret.
    secret: bool = False
    description: str = ""
    errors: tuple[int, ...] = ()  # statuses beyond those implied by the flags above
    headers: Mapping[str, str] = field(factory=dict)  # static response headers (e.g. no-store on secrets)
    # A document the handler answers as a Response (application/pdf…), not JSON; with ``response`` too, a second
    # form of the same answer a client asks for with Accept (text/csv).
    media_type: str | None = None
    # Other representations the handler may answer besides ``response``'s JSON (negotiated: text/csv…).
    media_types: tuple[str, ...] = ()

    @property
    def error_statuses(self) -> list[int]:
        # 422 everywhere: query parameters are checked on every endpoint (unknown or repeated ones are refused).
        implied: set[int] = {*self.errors, 422}
        if not self.public:
            # 403 too: a portal or site-owner token on an operator endpoint, an operator credential on theirs.
            implied.update({401, 403})
        if self.body is not None:
            implied.update({400, 413, 415})
        if self.tenant:
            implied.add(404)
        if "{" in self.path:
            implied.add(404)
        if "{org_id}" in self.path:
            implied.add(403)
        if self.creates:
            implied.add(409)
        return sorted(implied)


@define
class Call:
    """What a handler gets: the parsed request, the caller, and the use cases to call."""

    request: Request
    use_cases: Any
    now: Callable[[], datetime]
    actor: Actor | DriverActor | SiteOwnerActor | None
    body: Any
    ids: dict[str, str]
    page: PageRequest | None
    query: Any = None
    tenant: str | None = None
    ocpp_url: Callable[[str], str] = str

    @property
    def caller(self) -> Actor:
        if not isinstance(self.actor, Actor):  # public and portal endpoints never ask
            raise Unauthenticated("this endpoint needs an operator's bearer token")
        return self.actor

    @property
    def driver(self) -> DriverActor:
        """The signed-in driver of a ``portal`` endpoint."""
        if not isinstance(self.actor, DriverActor):
            raise Unauthenticated("this endpoint needs a driver-portal token")
        return self.actor

    @property
    def site_owner(self) -> SiteOwnerActor:
        """The signed-in site owner of a ``site_owner`` endpoint."""
        if not isinstance(self.actor, SiteOwnerActor):
            raise Unauthenticated("this endpoint needs a site-owner token")
        return self.actor

    @property
    def organization_id(self) -> str:
        """The organization a ``tenant`` endpoint acts in (see ``inputs.organization_of``)."""
        if self.tenant is None:
            raise TypeError("only endpoints declared with tenant=True act in an organization of the caller's")
        return self.tenant

    @property
    def client_address(self) -> str | None:
        """The client's address: the peer, or ``X-Forwarded-For``'s behind a trusted proxy (see ``clients``)."""
        return client_address(self.request)
