"""``charge serve --workers N``: the REST door in N processes sharing one listening socket.

One Python process serves REST on one core; a node with more cores runs several. The parent binds
the port (so ``--http-port 0`` still names one port), forks the workers before any event loop or
database connection exists, and hands each the socket: the kernel gives each new connection to
whichever worker accepts first. Workers are whole ``Server``s without OCPP: a charge point keeps
its one connection to one process, whose registry routes the core's commands to it, so OCPP runs
as its own node (a plain ``charge serve``). gRPC is served by the first worker only (its port is
its own). Background jobs run in every worker; each is safe to run on several nodes (leases,
idempotent sweeps). SIGTERM or SIGINT to the parent stops every worker; a worker that dies stops the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from typing import Any

from entrypoints import http_stack
from entrypoints.collector import SERVER_THRESHOLDS, freeze_startup_heap
from entrypoints.config import Settings

MAX_WORKERS = 64


async def _worker(settings: Settings, sock: socket.socket, grpc: bool) -> int:
    from entrypoints.server import Server

    server = Server(settings, ocpp=False, grpc=grpc, http_socket=sock)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_stop)
    await server.start()
    freeze_startup_heap(SERVER_THRESHOLDS)
    await server.wait()
    await server.stop()
    return 0


def serve_workers(settings: Settings, count: int, *, grpc: bool, bind: Any) -> int:
    """Fork ``count`` REST workers on one socket bound here; returns when they have all stopped."""
    if not 1 <= count <= MAX_WORKERS:
        print(f"charge: --workers must be between 1 and {MAX_WORKERS}", file=sys.stderr)
        return 2
    sock = bind(settings.host, settings.http_port)
    port = sock.getsockname()[1]
    children: list[int] = []
    for index in range(count):
        pid = os.fork()
        if pid == 0:   # the worker: its own event loop, engines and connections, made after the fork
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = http_stack.run(_worker(settings, sock, grpc and index == 0))
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()   # the workers hold it

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    print(f"charge: REST http://{settings.host}:{port} in {count} worker processes", flush=True)
    worst = 0
    remaining = set(children)
    while remaining:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        remaining.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and remaining:   # one worker down: the node is not what the operator started
            forward(signal.SIGTERM, None)
        worst = worst or max(0, code)
    return worst
