"""Every charge.v1 call runs the same way: authenticate, find the organization, call, map what fails.

An interceptor wraps the handlers of ``/charge.v1.*`` (health checking and reflection stay open):
the ``authorization: Bearer <token>`` metadata is an organization API key or a user access token
(then ``x-organization-id`` names the organization, as ``X-Organization-Id`` does over REST); the
caller is put where the servicers read it (``caller()``); whatever the call raises becomes a status
in one place (``errors``). A call that failed on a database connection the server had dropped runs
once more on a fresh one, as over REST. A stream checks its credentials again every
``RECHECK_SECONDS`` it delivers: a revoked key or token ends it with UNAUTHENTICATED.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
from attrs import frozen

from adapters.sql.database import dropped_connection
from application.authorization import Actor, acting_organization
from domain.errors import Unauthenticated
from entrypoints.grpc.errors import grpc_status, status_for

PACKAGE = "/charge.v1."
AUTHORIZATION = "authorization"
ORGANIZATION = "x-organization-id"
RECHECK_SECONDS = 30.0

log = logging.getLogger("charge.grpc")
T = TypeVar("T")


@frozen
class Caller:
    """Who calls, in which organization, with the call's metadata (lower-case keys, the last of each)."""

    actor: Actor
    organization_id: str
    metadata: dict[str, str]


_CALLER: contextvars.ContextVar[Caller] = contextvars.ContextVar("charge_grpc_caller")


def caller() -> Caller:
    """The caller of the charge.v1 call being served (set by the interceptor before the servicer runs)."""
    return _CALLER.get()


def _metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in context.invocation_metadata() or ():
        if isinstance(value, str):
            found[key.lower()] = value
    return found


def bearer(metadata: dict[str, str]) -> str:
    header = metadata.get(AUTHORIZATION)
    if header is None:
        raise Unauthenticated("this call needs `authorization: Bearer <token>` metadata")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the authorization metadata must be `Bearer <token>`")
    return token


async def once_more_if_dropped(call: Callable[[], Awaitable[T]]) -> T:
    """Run ``call``; if it failed on a connection the database had dropped (nothing was committed on it),
    run it once more on a fresh one."""
    try:
        return await call()
    except Exception as exc:
        if not dropped_connection(exc):
            raise
        log.warning("database connection was dropped; retrying once on a new one", exc_info=True)
    return await call()


class Calls(grpc.aio.ServerInterceptor):
    """The interceptor of the charge.v1 services: ``authenticate`` is the use case (a bearer → an actor)."""

    def __init__(self, authenticate: Callable[[str], Awaitable[Actor]]) -> None:
        self._authenticate = authenticate

    async def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
                                details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(PACKAGE):
            return handler
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(self._unary(handler.unary_unary),
                                                       request_deserializer=handler.request_deserializer,
                                                       response_serializer=handler.response_serializer)
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(self._stream(handler.unary_stream),
                                                        request_deserializer=handler.request_deserializer,
                                                        response_serializer=handler.response_serializer)
        return handler   # charge.v1 has no client streams

    async def _enter(self, context: grpc.aio.ServicerContext) -> str:
        metadata = _metadata(context)
        token = bearer(metadata)
        actor = await once_more_if_dropped(lambda: self._authenticate(token))
        _CALLER.set(Caller(actor, acting_organization(actor, metadata.get(ORGANIZATION), ORGANIZATION), metadata))
        return token

    def _unary(self, behavior: Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]) -> Callable[..., Any]:
        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                await self._enter(context)
                return await once_more_if_dropped(lambda: behavior(request, context))
            except grpc.aio.AbortError:
                raise
            except Exception as exc:  # noqa: BLE001 -- every failure becomes a status (unexpected ones are logged)
                await context.abort_with_status(grpc_status(status_for(exc)))

        return call

    def _stream(self, behavior: Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]) -> Callable[..., Any]:
        async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            try:
                token = await self._enter(context)
                checked = time.monotonic()
                async for response in behavior(request, context):
                    if time.monotonic() - checked > RECHECK_SECONDS:
                        await self._authenticate(token)
                        checked = time.monotonic()
                    yield response
            except grpc.aio.AbortError:
                raise
            except Exception as exc:  # noqa: BLE001 -- every failure becomes a status (unexpected ones are logged)
                await context.abort_with_status(grpc_status(status_for(exc)))

        return call
