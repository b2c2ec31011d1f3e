"""The OCPP websocket server: negotiates the subprotocol and refuses identities it does not know.

The charge-point registry arrives with the charging-network feature; until a charge point is
registered, every identity is unknown and its upgrade is refused with 404, as API.md requires.
"""

from __future__ import annotations

import http
import logging
import re
from collections.abc import Awaitable, Callable

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

log = logging.getLogger("charge.ocpp")

SUBPROTOCOLS = ["ocpp2.0.1", "ocpp1.6"]
_PATH = re.compile(r"^/ocpp/(?P<identity>[A-Za-z0-9._:*+|@-]{1,48})/?$")

KnownChargePoint = Callable[[str], Awaitable[bool]]


async def _no_charge_points(_identity: str) -> bool:
    return False


def identity_from_path(path: str) -> str | None:
    match = _PATH.match(path.split("?", 1)[0])
    return match.group("identity") if match else None


async def start_ocpp_server(host: str, port: int, *, is_known: KnownChargePoint = _no_charge_points) -> Server:
    async def process_request(connection: ServerConnection, request: Request) -> Response | None:
        identity = identity_from_path(request.path)
        if identity is None or not await is_known(identity):
            return connection.respond(http.HTTPStatus.NOT_FOUND, "unknown charge point\n")
        return None

    async def handler(connection: ServerConnection) -> None:
        log.info("charge point connected", extra={"path": connection.request.path if connection.request else None})
        await connection.wait_closed()

    return await serve(handler, host, port, subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
                       process_request=process_request)
