"""The ChargePointCommands port over OCPP: a neutral command becomes its version's call on the live connection.

Not connected → ``Unavailable``; no answer in time (waiting for the call lock included) → ``Timeout``;
a command its version lacks, or one that would not pass the schema → ``InvalidInput`` (nothing is sent).
A CallError answer is an answer: its error code becomes the result's status.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

from ocpp import v21
from ocpp.v201 import call as call_v201
from websockets.exceptions import ConnectionClosed

from adapters.ocpp import commands_v16, commands_v201
from adapters.ocpp.connections import ConnectionRegistry
from adapters.ocpp.errors import ErrorAnswer, InvalidOutgoing
from adapters.ocpp.outgoing import Outgoing
from adapters.ocpp.peer import PeerGone, snake_keys
from application.ports.charge_point_commands import Command, CommandResult
from domain.errors import InvalidInput, Timeout, Unavailable

log = logging.getLogger("charge.ocpp.commands")

_TRANSLATORS = {
    "1.6": commands_v16.outgoing,
    "2.0.1": partial(commands_v201.outgoing, call=call_v201),
    "2.1": partial(commands_v201.outgoing, call=v21.call),
}


def _field(path: str) -> str:
    """The command field an OCPP payload path stands for (``requestedMessage`` → ``message``)."""
    last = next((p for p in reversed(path.split("/")) if not p.isdigit()), "") if path else ""
    name = next(iter(snake_keys({last: None}))) if last else "command"
    return {"requested_message": "message", "type": "kind", "id_token": "id_tag"}.get(name, name)


class OcppCommandGateway:
    def __init__(self, connections: ConnectionRegistry, timeout: float = 30.0) -> None:
        self._connections = connections
        self._timeout = timeout

    def translate(self, ocpp_version: str, command: Command) -> Outgoing:
        try:
            translator = _TRANSLATORS[ocpp_version]
        except KeyError:
            raise InvalidInput.field("command", f"OCPP {ocpp_version} takes no commands here") from None
        return translator(command)  # type: ignore[operator]

    async def send(self, charge_point_id: str, command: Command) -> CommandResult:
        connection = self._connections.get(charge_point_id)
        if connection is None:
            raise Unavailable(f"charge point {charge_point_id} is not connected")
        outgoing = self.translate(connection.ocpp_version, command)
        action = type(outgoing.payload).__name__
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                answer = await connection.request(outgoing.payload)
        except TimeoutError:
            log.warning("charge point did not answer", extra={"charge_point_id": charge_point_id, "action": action,
                                                              "timeout_s": self._timeout})
            raise Timeout(f"charge point {charge_point_id} did not answer {action} "
                          f"within {self._timeout:g} s") from None
        except InvalidOutgoing as error:
            raise InvalidInput.field(_field(error.path), f"not valid for OCPP {connection.ocpp_version}: "
                                                         f"{error.message}") from None
        except ErrorAnswer as error:
            result = CommandResult(error.code, {"error_description": error.description,
                                                "error_details": error.details})
        except (PeerGone, ConnectionClosed):
            raise Unavailable(f"charge point {charge_point_id} disconnected before answering {action}") from None
        else:
            result = outgoing.read(answer)
        log.info("charge point command", extra={"charge_point_id": charge_point_id, "action": action,
                                                "status": result.status,
                                                "ms": round((time.perf_counter() - started) * 1000, 1)})
        return result
