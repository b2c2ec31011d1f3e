"""An endpoint declared once — route, body, answer, errors — served by the app and documented by OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import define, field, frozen
from starlette.requests import Request

from application.authorization import Actor
from application.pagination import PageRequest
from domain.errors import Unauthenticated

Handler = Callable[["Call"], Awaitable[Any]]


@frozen
class Endpoint:
    """One method on one path. ``response`` is the view type (the item type when ``paginated``)."""

    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    status: int = 200
    body: type | None = None
    response: Any = None
    paginated: bool = False
    public: bool = False
    creates: bool = False  # a creating POST: honours Idempotency-Key
    # The answer carries a secret shown once: an idempotent replay must not store it, so a repeated
    # key answers 409 naming the created object instead of replaying the secret.
    secret: bool = False
    description: str = ""
    errors: tuple[int, ...] = ()  # statuses beyond those implied by the flags above
    headers: Mapping[str, str] = field(factory=dict)  # static response headers (e.g. no-store on secrets)

    @property
    def error_statuses(self) -> list[int]:
        implied: set[int] = set(self.errors)
        if not self.public:
            implied.add(401)
        if self.body is not None:
            implied.update({400, 413, 415, 422})
        if self.paginated:
            implied.add(422)
        if "{" in self.path:
            implied.add(404)
        if "{org_id}" in self.path:
            implied.add(403)
        if self.creates:
            implied.update({409, 422})
        return sorted(implied)


@define
class Call:
    """What a handler gets: the parsed request, the caller, and the use cases to call."""

    request: Request
    use_cases: Any
    now: Callable[[], datetime]
    actor: Actor | None
    body: Any
    ids: dict[str, str]
    page: PageRequest | None

    @property
    def caller(self) -> Actor:
        if self.actor is None:  # only public endpoints run without one, and they never ask
            raise Unauthenticated("this endpoint needs a bearer token")
        return self.actor

    @property
    def client_address(self) -> str | None:
        return self.request.client.host if self.request.client else None
