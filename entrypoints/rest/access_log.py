"""One structured log line per REST request: method, path, status, duration and client, nothing more.

No headers, bodies or query strings are logged: they can carry tokens (a cursor, a portal token, a
password). The path is the route's, with its ids; the client is resolved once here (see ``clients``).
Answered probes of ``quiet`` paths (``/healthz``: a load balancer asks it every few seconds, forever) are
not logged; a failed one is, and so is everything else.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.rest.clients import SCOPE_KEY, ClientAddresses

logger = logging.getLogger("charge.access")


class AccessLog:
    """ASGI middleware: resolves the client address for the request, then logs the answer's status."""

    def __init__(self, app: ASGIApp, clients: ClientAddresses, quiet: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.clients = clients
        self.quiet = quiet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client = self.clients.of_scope(scope)
        scope[SCOPE_KEY] = client
        status = 500  # what the client sees if the app fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method, path = scope["method"], scope["path"]
            if status >= 400 or path not in self.quiet:
                _log(method, path, status, started, client)


def _log(method: str, path: str, status: int, started: float, client: str | None) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    logger.info("%s %s %s %.2fms %s", method, path, status, duration_ms, client or "-",
                extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms, "client": client})
