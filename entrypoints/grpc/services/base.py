"""What every servicer needs from the composition root: the use cases, the clock, the idempotency store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from entrypoints.grpc import idempotency
from entrypoints.grpc.calls import caller
from entrypoints.rest.links import ocpp_url_builder

M = TypeVar("M", bound=Message)


class Door:
    """The container, seen from the gRPC door (the REST door has one like it)."""

    def __init__(self, container: Any) -> None:
        self.container = container
        self.use_cases = container.use_cases

    def now(self) -> datetime:
        now: datetime = self.container.core.clock().now()
        return now

    def ocpp_url(self, identity: str) -> str:
        # Built when asked: the OCPP door may have bound port 0 after this door was made.
        config = self.container.config
        build = ocpp_url_builder(config.public_url() or "http://localhost", int(config.ocpp_port() or 9000),
                                 tls=bool(config.ocpp_tls_cert()))
        return build(identity)

    async def once(self, method: str, request: Message, response_type: type[M], context: grpc.aio.ServicerContext,
                   respond: Callable[[], Awaitable[M]]) -> M:
        """A creating call, honouring ``idempotency-key`` (see ``entrypoints.grpc.idempotency``)."""
        return await idempotency.once(self.container.adapters.idempotency(), caller(), method, request,
                                      response_type, context, self.now(), respond)
