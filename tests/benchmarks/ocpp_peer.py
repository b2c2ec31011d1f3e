"""The OCPP floor: an answer-only 1.6J central system on the same ``ocpp`` library and websockets as Charge.

It stores nothing and decides nothing: every call gets a fixed, valid answer from the library's own
``ChargePoint`` (which parses the frame, validates the call and the answer against the official
schemas, and routes to ``@on`` handlers). ``python -m tests.benchmarks.ocpp_peer`` serves it on
an ephemeral port and prints ``peer ws://127.0.0.1:PORT/ocpp``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result, datatypes
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import ServerConnection, serve

from entrypoints import http_stack

_transactions = itertools.count(1)


class AnswerOnly(ChargePoint):
    @on(Action.boot_notification)
    async def on_boot(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(current_time=datetime.now(UTC).isoformat(), interval=300,
                                            status=RegistrationStatus.accepted)

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=datetime.now(UTC).isoformat())

    @on(Action.status_notification)
    async def on_status(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, **_: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=datatypes.IdTagInfo(status=AuthorizationStatus.accepted))

    @on(Action.start_transaction)
    async def on_start(self, **_: Any) -> call_result.StartTransaction:
        return call_result.StartTransaction(transaction_id=next(_transactions),
                                            id_tag_info=datatypes.IdTagInfo(status=AuthorizationStatus.accepted))

    @on(Action.meter_values)
    async def on_meter_values(self, **_: Any) -> call_result.MeterValues:
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop(self, **_: Any) -> call_result.StopTransaction:
        return call_result.StopTransaction()


async def handle(connection: ServerConnection) -> None:
    path = connection.request.path if connection.request else "/"
    await AnswerOnly(path.rstrip("/").rsplit("/", 1)[-1], connection).start()


async def main() -> None:
    logging.getLogger("ocpp").setLevel(logging.WARNING)
    async with serve(handle, "127.0.0.1", 0, subprotocols=["ocpp1.6"], compression=None,  # type: ignore[list-item]
                     server_header=None, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"peer ws://127.0.0.1:{port}/ocpp", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 16_384)), hard))
    http_stack.run(main())
