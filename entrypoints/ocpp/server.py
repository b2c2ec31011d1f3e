"""The OCPP websocket server: charge points connect at ws(s)://HOST:9000/ocpp/{charge_point_id}.

The upgrade is refused before any websocket exists for an unknown identity (404) or a missing or
wrong password (401). A charge point offering no subprotocol we speak gets the handshake without
one and an immediate close (OCPP-J §3.1.2). Each connection becomes a version's ``ChargePoint``
subclass, registered so the core can send it commands; a reconnect replaces (and closes) the old one.
"""

from __future__ import annotations

import asyncio
import http
import logging
import ssl
import weakref
from collections.abc import Sequence

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from adapters.ocpp.connections import ConnectionRegistry
from application.ports import Clock
from domain.errors import NotFound, Unauthenticated
from domain.network import ChargePoint, ValidationMode
from entrypoints.ocpp import handshake
from entrypoints.ocpp.central import CentralSystemPeer
from entrypoints.ocpp.central_v16 import CentralSystem16
from entrypoints.ocpp.central_v201 import CentralSystem21, CentralSystem201
from entrypoints.ocpp.use_cases import OcppUseCases

log = logging.getLogger("charge.ocpp")

PEERS: dict[str, type[CentralSystemPeer]] = {"ocpp1.6": CentralSystem16, "ocpp2.0.1": CentralSystem201,
                                              "ocpp2.1": CentralSystem21}
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_POLICY = 1008
CLOSE_INTERNAL = 1011
OPEN_TIMEOUT = 30.0


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """Security profile 2: server-authenticated TLS 1.2 or newer."""
    if not cert_file or not key_file:
        raise ValueError("OCPP TLS needs both --ocpp-tls-cert and --ocpp-tls-key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class OcppDoor:
    def __init__(self, use_cases: OcppUseCases, connections: ConnectionRegistry, clock: Clock) -> None:
        self.use_cases = use_cases
        self.connections = connections
        self.clock = clock
        self._admitted: weakref.WeakKeyDictionary[ServerConnection, ChargePoint] = weakref.WeakKeyDictionary()
        self._closing: set[asyncio.Task[None]] = set()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        identity = handshake.identity_from_path(request.path)
        if identity is None:
            return connection.respond(http.HTTPStatus.NOT_FOUND, "unknown charge point\n")
        password = handshake.basic_password(request.headers.get("Authorization"), identity)
        try:
            self._admitted[connection] = await self.use_cases.admit_charge_point(identity, password)
        except NotFound:
            log.info("unknown charge point refused", extra={"charge_point_id": identity})
            return connection.respond(http.HTTPStatus.NOT_FOUND, "unknown charge point\n")
        except Unauthenticated:
            log.warning("charge point refused: wrong or missing password", extra={"charge_point_id": identity})
            response = connection.respond(http.HTTPStatus.UNAUTHORIZED, "wrong or missing password\n")
            response.headers["WWW-Authenticate"] = 'Basic realm="Charge OCPP", charset="UTF-8"'
            return response
        except Exception:  # the database is down: the charge point retries later
            log.exception("charge point admission failed", extra={"charge_point_id": identity})
            return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "try again later\n")
        return None

    def select_subprotocol(self, connection: ServerConnection, offered: Sequence[str]) -> str | None:
        return handshake.select_subprotocol(offered)

    def _lock(self, charge_point_id: str) -> asyncio.Lock:
        """Connection events of one charge point in order: a quick reconnect's "connected" must not be
        overtaken by the old connection's "disconnected" (which would show it offline while it is online)."""
        lock = self._locks.get(charge_point_id)
        if lock is None:
            lock = self._locks[charge_point_id] = asyncio.Lock()
        return lock

    async def handle(self, connection: ServerConnection) -> None:
        charge_point = self._admitted.pop(connection, None)
        subprotocol = connection.subprotocol
        if charge_point is None or subprotocol not in PEERS:
            await connection.close(CLOSE_PROTOCOL_ERROR, "no supported OCPP subprotocol offered")
            return
        peer = PEERS[subprotocol](charge_point.id, connection, use_cases=self.use_cases, clock=self.clock,
                                  lenient=charge_point.validation_mode is ValidationMode.LENIENT)
        context = {"charge_point_id": peer.id, "ocpp_version": peer.ocpp_version}
        lock = self._lock(peer.id)
        try:
            async with lock:
                replaced = self.connections.register(peer)
                if replaced is not None:
                    # Not awaited: the old connection may be dead, and its close handshake would delay this one.
                    task = asyncio.create_task(replaced.close(CLOSE_POLICY, "replaced by a new connection"))
                    self._closing.add(task)
                    task.add_done_callback(self._closing.discard)
                await self.use_cases.charge_point_connected(peer.id, peer.ocpp_version)
            log.info("charge point connected", extra={**context, "replaced": replaced is not None})
            await peer.start()
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("charge point connection failed", extra=context)
            await connection.close(CLOSE_INTERNAL, "server error")
        finally:
            async with lock:
                if self.connections.unregister(peer):
                    try:
                        await self.use_cases.charge_point_disconnected(peer.id)
                    except Exception:
                        log.exception("recording a disconnection failed", extra=context)
            log.info("charge point disconnected", extra={**context, "close_code": connection.close_code})


async def start_ocpp_server(host: str, port: int, *, use_cases: OcppUseCases, connections: ConnectionRegistry,
                            clock: Clock, tls: ssl.SSLContext | None = None) -> Server:
    door = OcppDoor(use_cases, connections, clock)
    # No per-message compression: OCPP frames are small, and a deflate context per connection costs
    # memory at tens of thousands of charge points. The opening handshake (admission included) may take
    # up to 30 s: in a reconnect storm admissions queue for the database, and a charge point dropped
    # mid-handshake only comes back later, adding to the next storm.
    return await serve(door.handle, host, port, process_request=door.process_request, open_timeout=OPEN_TIMEOUT,
                       select_subprotocol=door.select_subprotocol,  # type: ignore[arg-type]
                       subprotocols=list(handshake.SUBPROTOCOLS),  # type: ignore[arg-type]
                       ssl=tls, compression=None, server_header=None)
