"""The Starlette application: serves the declared endpoints over one composition root."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.sql.database import dropped_connection
from application.authorization import Actor
from application.pagination import Page
from application.portal_access import DriverActor
from application.site_owners import SiteOwnerActor
from domain.errors import DomainError, RateLimited, Unavailable
from entrypoints.rest import idempotency
from entrypoints.rest.access_log import AccessLog
from entrypoints.rest.clients import ClientAddresses, parse_trusted
from entrypoints.rest.decoding import decode_body, decode_query
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.inputs import (
    bearer_token,
    encode_cursor,
    organization_of,
    page_request,
    path_ids,
    read_body,
    require_json,
)
from entrypoints.rest.links import ocpp_url_builder
from entrypoints.rest.openapi import openapi_json
from entrypoints.rest.problems import HttpProblem, handle_exception, problem, problem_for
from entrypoints.rest.routes import ENDPOINTS
from entrypoints.rest.routes.commands import COMMANDS_PATH, unknown_command
from entrypoints.rest.views import PageOut, Renderer
from entrypoints.web.dashboard import dashboard_routes
from entrypoints.web.portal import portal_routes
from entrypoints.web.site_owner import site_owner_routes
from entrypoints.web.templating import STATIC

if TYPE_CHECKING:
    from entrypoints.containers import Application

JSON = "application/json"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT_SECONDS = 5.0
PAGING = frozenset({"limit", "cursor"})

logger = logging.getLogger("charge.rest")
T = TypeVar("T")


class Door:
    """Runs every endpoint the same way: authenticate, read and check the input, call, render."""

    def __init__(self, container: Application, endpoints: list[Endpoint]) -> None:
        self.container = container
        self.endpoints = endpoints
        self.max_body_bytes = int(container.config.max_body_bytes() or 1_048_576)
        self.renderer = Renderer()
        self._ping_in_flight: asyncio.Future[None] | None = None
        self._health_window = timedelta(seconds=float(container.config.health_cache_seconds() or 0))
        self._healthy_until: datetime | None = None
        config = container.config
        self.ocpp_url = ocpp_url_builder(config.public_url() or "http://localhost", int(config.ocpp_port() or 9000),
                                         tls=bool(config.ocpp_tls_cert()))

    def routes(self) -> list[Route]:
        by_path: dict[str, list[Endpoint]] = defaultdict(list)
        for endpoint in self.endpoints:
            by_path[endpoint.path].append(endpoint)
        return [self._route(path, group) for path, group in by_path.items()]

    def _route(self, path: str, group: list[Endpoint]) -> Route:
        by_method = {e.method: e for e in group}

        async def serve(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            return await self.serve(by_method[method], request)

        return Route(path, serve, methods=list(by_method), name=group[0].operation_id)

    async def serve(self, endpoint: Endpoint, request: Request) -> Response:
        try:
            actor = None if endpoint.public else await self._authenticate(request, endpoint)
            raw = b""
            if endpoint.body is not None:
                require_json(request)
                raw = await read_body(request, self.max_body_bytes)
            key = idempotency.idempotency_key(request) if endpoint.creates else None
            if key is None:
                response, _ = await self._respond(endpoint, request, actor, raw)
                return response
            return await idempotency.run_once(
                self.container.adapters.idempotency(), request, actor, key, raw, self._now(),
                lambda: self._respond(endpoint, request, actor, raw), endpoint.headers, secret=endpoint.secret)
        except Exception as exc:  # noqa: BLE001  # every failure leaves as a problem; unexpected ones are logged there
            return problem_for(exc)

    async def _authenticate(self, request: Request, endpoint: Endpoint) -> Actor | DriverActor | SiteOwnerActor:
        token = bearer_token(request)
        use_cases = self.container.use_cases
        check = (use_cases.authenticate_driver if endpoint.portal
                 else use_cases.authenticate_site_owner if endpoint.site_owner else use_cases.authenticate)
        actor: Actor | DriverActor | SiteOwnerActor = await _once_more_if_dropped(lambda: check(token))
        return actor

    def _now(self) -> datetime:
        now: datetime = self.container.core.clock().now()
        return now

    async def _respond(self, endpoint: Endpoint, request: Request, actor: Actor | DriverActor | SiteOwnerActor | None,
                       raw: bytes) -> tuple[Response, bool]:
        """The endpoint's answer, and whether it is transient (a retry might get another one).

        Expected errors become problems here rather than higher up, so that an Idempotency-Key
        keeps a 4xx answer like any other.
        """
        try:
            ids = path_ids(request)
            operator = actor if isinstance(actor, Actor) else None
            tenant = organization_of(request, operator) if endpoint.tenant else None
            query = decode_query(endpoint.query, request.query_params.multi_items(),
                                 PAGING if endpoint.paginated else frozenset())
            page = page_request(request, endpoint.cursor_key) if endpoint.paginated else None
            body = decode_body(endpoint.body, raw) if endpoint.body is not None else None
            call = Call(request=request, use_cases=self.container.use_cases, now=self._now, actor=actor,
                        body=body, ids=ids, page=page, query=query, tenant=tenant, ocpp_url=self.ocpp_url)
            result = await _once_more_if_dropped(lambda: endpoint.handler(call))
        except (DomainError, HttpProblem) as exc:
            return problem_for(exc), isinstance(exc, (RateLimited, Unavailable))
        return self._render(endpoint, result), False

    def _render(self, endpoint: Endpoint, result: Any) -> Response:
        if result is None:
            return Response(status_code=endpoint.status, headers=dict(endpoint.headers))
        if isinstance(result, Response):   # a document (PDF, XML) the handler made itself
            return result
        if isinstance(result, Page):
            cursor = encode_cursor(result.next_cursor) if result.next_cursor is not None else None
            content: Any = PageOut(list(result.items), result.has_more, cursor)
        else:
            content = result
        return Response(self.renderer.json(content), status_code=endpoint.status, media_type=JSON,
                        headers=dict(endpoint.headers))

    async def healthz(self, request: Request) -> Response:
        try:
            await self._ping()
        except Exception as exc:  # noqa: BLE001  # any failure to answer is "unhealthy", and worth a log line
            logger.warning("health check failed: %s", exc)
            return problem(503, "service_unavailable", "the database does not answer")
        return Response(b'{"status":"ok"}', media_type=JSON, headers={"Cache-Control": "no-store"})

    async def _ping(self) -> None:
        """One database ping for every probe that arrives while it is in flight, and none for
        ``health_cache_seconds`` after one that succeeded: a probe's answer is at most that old (a failure is
        never remembered), and however often the endpoint is asked, the database sees a ping per window."""
        now = self._now()
        if self._healthy_until is not None and now < self._healthy_until:
            return
        if self._ping_in_flight is None or self._ping_in_flight.done():
            ping = asyncio.wait_for(self.container.adapters.database().ping(), HEALTH_TIMEOUT_SECONDS)
            self._ping_in_flight = asyncio.ensure_future(ping)
        await asyncio.shield(self._ping_in_flight)
        self._healthy_until = now + self._health_window


async def _once_more_if_dropped(call: Callable[[], Awaitable[T]]) -> T:
    """Run ``call``; if it failed on a connection the database had dropped (nothing was committed on it,
    and the pool has let go of it), run it once more on a fresh one. This replaces a ping per checkout."""
    try:
        return await call()
    except Exception as exc:
        if not dropped_connection(exc):
            raise
        logger.warning("database connection was dropped; retrying once on a new one", exc_info=True)
    return await call()


async def _openapi(request: Request) -> Response:
    return Response(openapi_json(), media_type=JSON)


def create_app(container: Application) -> Starlette:
    """The REST application over ``container``, the composition root (adapters are overridden there)."""
    door = Door(container, ENDPOINTS)
    routes = [
        Route(HEALTH_PATH, door.healthz, methods=["GET"], name="healthz"),
        Route("/openapi.json", _openapi, methods=["GET"], name="openapi"),
        *door.routes(),
        # The web pages (server-rendered): the driver portal, the site owners' pages, the operator dashboard, and
        # the style sheet every site shares.
        *portal_routes(container),
        *site_owner_routes(container),
        *dashboard_routes(container),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        # After the commands themselves: any other name is an unknown command, not an unknown path.
        Route(COMMANDS_PATH + "/{name}", unknown_command, name="unknownCommand",
              methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
    clients = ClientAddresses(parse_trusted(container.config.trusted_proxies() or ""))
    app = Starlette(routes=routes, exception_handlers={HTTPException: handle_exception,
                                                        Exception: handle_exception},
                     middleware=[Middleware(AccessLog, clients=clients, quiet=frozenset({HEALTH_PATH}))])
    app.state.background = container.background()
    return app
