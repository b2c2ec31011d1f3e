"""One process serving every door: REST (uvicorn), OCPP (websockets), gRPC, plus the mail relay."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import uvicorn

from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.grpc.server import start_grpc_server
from entrypoints.http_stack import uvicorn_config
from entrypoints.ocpp.server import start_ocpp_server, tls_context

log = logging.getLogger("charge.server")
# Clients retry a request within hours; a day later the key is forgotten (as Stripe does).
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)
# How often the server looks for months its organizations' invoice_day makes due.
INVOICE_CHECK_SECONDS = 600


class _Uvicorn(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The process owner (``charge serve``) handles signals for every door at once.
        yield


class DoorUnavailable(OSError):
    """A door could not listen: which one, where and why, in one line (``charge serve`` prints it as is)."""

    def __init__(self, door: str, host: str, port: int, cause: BaseException) -> None:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE:
            reason = "the address is already in use (another charge serve, or another program, listens there)"
        elif isinstance(cause, OSError) and cause.strerror:
            reason = cause.strerror[0].lower() + cause.strerror[1:]
        else:
            reason = str(cause)
        super().__init__(f"cannot serve {door} on {where}: {reason}")


@contextlib.contextmanager
def _door(name: str, host: str, port: int) -> Iterator[None]:
    try:
        yield
    except DoorUnavailable:
        raise
    except (OSError, RuntimeError) as exc:  # gRPC reports a failed bind as RuntimeError
        raise DoorUnavailable(name, host, port, exc) from None


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then; without it every keep-alive
    # request waits ~40 ms on the delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class Server:
    def __init__(self, settings: Settings, container: Application | None = None, *,
                 ocpp: bool = True, grpc: bool = True, http_socket: socket.socket | None = None) -> None:
        self.settings = settings
        self._http_socket = http_socket   # bound already (REST workers share their parent's)
        self.container = container or Application(config=settings.as_config())
        self.enable_ocpp, self.enable_grpc = ocpp, grpc
        self.http_port: int | None = None
        self.ocpp_port: int | None = None
        self.grpc_port: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._ocpp: Any = None
        self._grpc: Any = None
        self._uvicorn: _Uvicorn | None = None
        self._rest_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open every door; if one cannot listen, close those already open and raise ``DoorUnavailable``."""
        try:
            await self._start()
        except BaseException:
            with contextlib.suppress(Exception):   # the failure to start is what the caller must see
                await self.stop()
            raise

    async def _start(self) -> None:
        from entrypoints.rest.app import create_app  # the REST door is built when served, not at import

        s = self.settings
        # Before anything listens: a missing or unreadable certificate stops the start with one error.
        tls = (tls_context(s.ocpp_tls_cert, s.ocpp_tls_key)
               if self.enable_ocpp and (s.ocpp_tls_cert or s.ocpp_tls_key) else None)
        # OCPP binds first: with port 0 the bound port is known before REST hands out ocpp_url links.
        if self.enable_ocpp:
            await self.container.use_cases.no_charge_point_connected()
            with _door("OCPP", s.host, s.ocpp_port):
                self._ocpp = await start_ocpp_server(s.host, s.ocpp_port, use_cases=self.container.use_cases,
                                                     connections=self.container.adapters.ocpp_connections(),
                                                     clock=self.container.core.clock(), tls=tls)
            self.ocpp_port = next(iter(self._ocpp.sockets)).getsockname()[1]
            self.container.config.ocpp_port.from_value(self.ocpp_port)
        with _door("REST", s.host, s.http_port):
            sock = self._http_socket or _bind(s.host, s.http_port)
        self.http_port = sock.getsockname()[1]
        self._uvicorn = _Uvicorn(uvicorn_config(create_app(self.container)))
        self._rest_task = asyncio.create_task(self._uvicorn.serve(sockets=[sock]))
        while not self._uvicorn.started:
            if self._rest_task.done():
                self._rest_task.result()
            await asyncio.sleep(0.01)
        if self.enable_grpc:
            with _door("gRPC", s.host, s.grpc_port):
                self._grpc, self.grpc_port = await start_grpc_server(s.host, s.grpc_port, self.container)
        self._tasks.append(asyncio.create_task(self._every(self.settings.mail_poll_seconds, self._relay_mail)))
        # At start-up, then every few seconds: events a crash (or a failed handler) left pending.
        self._tasks.append(asyncio.create_task(self._every(self.settings.event_sweep_seconds,
                                                           self._dispatch_pending_events)))
        self._tasks.append(asyncio.create_task(self._every(600, self._purge_idempotency_keys)))
        self._tasks.append(asyncio.create_task(self._every(30, self._expire_reservations)))
        self._tasks.append(asyncio.create_task(self._every(self.settings.evidence_prune_seconds,
                                                           self._prune_evidence)))
        # Outbound webhooks: a task of its own with its own HTTP client, never on a request's path.
        if s.webhook_worker:
            self._tasks.append(asyncio.create_task(self._every(s.webhook_poll_seconds, self._deliver_webhooks)))
        # Invoice runs a stop left unfinished carry on; then, every few minutes, months that fall due.
        for run in await self.container.use_cases.unfinished_invoice_runs():
            self.container.background().invoice_run(run)
        self._tasks.append(asyncio.create_task(self._every(INVOICE_CHECK_SECONDS, self._start_due_invoice_runs)))
        # Declined card payments whose retry (organization's payment_retry_days) has come.
        self._tasks.append(asyncio.create_task(self._every(self.settings.payment_retry_sweep_seconds,
                                                           self._retry_due_payments)))
        log.info("serving", extra={"http_port": self.http_port, "ocpp_port": self.ocpp_port,
                                   "grpc_port": self.grpc_port})

    async def _every(self, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        while not self._stopping.is_set():
            try:
                await job()
            except Exception:  # background jobs outlive a database hiccup; the next round retries
                log.exception("background job failed", extra={"job": job.__name__})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _dispatch_pending_events(self) -> None:
        dispatcher = self.container.adapters.events()
        while await dispatcher.dispatch_pending():
            pass
        # Events a stopped process committed without numbering them for the live streams' feed.
        await self.container.adapters.feed_sequencer().sequence_pending()

    async def _deliver_webhooks(self) -> None:
        while await self.container.use_cases.deliver_webhooks() and not self._stopping.is_set():
            pass

    async def _relay_mail(self) -> None:
        await self.container.use_cases.relay_due_emails()

    async def _expire_reservations(self) -> None:
        await self.container.use_cases.expire_reservations()

    async def _prune_evidence(self) -> None:
        await self.container.use_cases.prune_evidence()

    async def _start_due_invoice_runs(self) -> None:
        for run in await self.container.use_cases.due_invoice_runs():
            self.container.background().invoice_run(run)

    async def _retry_due_payments(self) -> None:
        await self.container.use_cases.retry_due_payments()

    async def _purge_idempotency_keys(self) -> None:
        now = self.container.core.clock().now()
        await self.container.adapters.idempotency().purge_older_than(now - IDEMPOTENCY_KEY_LIFETIME)

    async def wait(self) -> None:
        await self._stopping.wait()

    def request_stop(self) -> None:
        self._stopping.set()

    async def stop(self) -> None:
        self._stopping.set()
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._rest_task is not None:
            await self._rest_task
        if self._ocpp is not None:
            self._ocpp.close()
            await self._ocpp.wait_closed()
        if self._grpc is not None:
            await self._grpc.stop(grace=1)
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.container.adapters.feed_sequencer().close()
        # Invoice runs stop between batches (whole batches are committed) and carry on at the next start.
        background = self.container.background()
        background.cancel()
        await background.wait()
        await self.container.adapters.webhook_sender().close()
        # After the OCPP door has closed: the last frames, status changes and meter samples are written before the
        # database goes.
        await self.container.use_cases.frame_recorder().close()
        await self.container.use_cases.charge_point_writes().close()
        await self.container.use_cases.charge_point_reads().close()
        meter_sink = self.container.adapters.meter_sink()
        if hasattr(meter_sink, "close"):
            await meter_sink.close()
        await self.container.adapters.database().dispose()
