"""An OCPP-J peer on one websocket, on the ``ocpp`` library's message classes and ``@on`` routing,
hardened for untrusted traffic.

The library's ChargePoint drops frames it cannot parse, answers schema errors with the 2.0.1
spelling whatever the version, validates on a thread per message and correlates answers through
an unbounded queue. So this peer uses only the library's public parts (its payload dataclasses,
``ocpp.routing.on``/``create_route_map``, the key-case helpers) and does the rest itself: every
malformed Call gets a CallError in its version's terms and the connection stays up; validators
are cached and run inline; an answer is matched to the one outstanding call by its message id,
anything else is logged and dropped.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Callable
from functools import lru_cache
from types import ModuleType
from typing import Any, ClassVar

from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.messages import Call, CallError, CallResult
from ocpp.routing import create_route_map
from ocpp.v16.enums import Action as Action16
from ocpp.v21.enums import Action as Action21
from ocpp.v201.enums import Action as Action201

from adapters.ocpp import framing, schemas
from adapters.ocpp.errors import ErrorAnswer, ErrorKind, InvalidOutgoing, RpcError, error_code
from domain.charging.quantities import MalformedNumber
from domain.errors import DomainError, Forbidden, InvalidInput, Unauthenticated

log = logging.getLogger("charge.ocpp")
# Actions each version defines: an unhandled one is NotSupported, anything else NotImplemented.
_ACTIONS = {version: frozenset(a.value for a in actions)
            for version, actions in (("1.6", Action16), ("2.0.1", Action201), ("2.1", Action21))}


class PeerGone(Exception):
    """The connection closed while a call was waiting for its answer."""


@lru_cache(maxsize=4096)
def _snake(key: str) -> str:
    return next(iter(camel_to_snake_case({key: None})))


def snake_keys(value: Any) -> Any:
    """The library's camelCase → snake_case, with each key's conversion cached (a hot path)."""
    if isinstance(value, dict):
        return {_snake(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def wire_payload(payload: Any) -> dict[str, Any]:
    """A library payload dataclass (or a snake_case dict) as the camelCase object OCPP sends."""
    plain = serialize_as_dict(payload) if not isinstance(payload, dict) else payload
    return snake_to_camel_case(remove_nones(plain))


@lru_cache(maxsize=256)
def _signature(function: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(function)


def _domain_error_kind(error: DomainError) -> ErrorKind:
    """The one place domain errors become OCPP-J error codes (NotFound, Conflict… are GenericError)."""
    if isinstance(error, MalformedNumber):
        return ErrorKind.FORMAT
    if isinstance(error, InvalidInput):
        return ErrorKind.PROPERTY
    if isinstance(error, Unauthenticated | Forbidden):
        return ErrorKind.SECURITY
    return ErrorKind.GENERIC


class OcppPeer:
    """One side of an OCPP-J connection; a subclass names its version and that version's result classes."""

    ocpp_version: ClassVar[str]
    call_results: ClassVar[ModuleType]        # ocpp.v16.call_result, ocpp.v201.call_result…

    def __init__(self, id: str, connection: Any, *, lenient: bool = False,
                 logger: logging.Logger = log) -> None:
        self.id = id
        self.lenient = lenient
        self.logger = logger
        self._connection = connection
        self.route_map = create_route_map(self)
        self._call_lock = asyncio.Lock()          # one outstanding call per direction (OCPP-J)
        self._pending: tuple[str, asyncio.Future[CallResult | CallError]] | None = None

    async def start(self) -> None:
        """Read frames until the connection closes; then fail the call still waiting, if any."""
        try:
            async for message in self._connection:
                await self.route_message(message)
        finally:
            pending, self._pending = self._pending, None
            if pending is not None and not pending[1].done():
                pending[1].set_exception(PeerGone(f"{self.id} disconnected"))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._connection.close(code, reason)

    async def _send(self, message: str) -> None:
        self.logger.debug("ocpp send", extra={"charge_point_id": self.id, "frame": message})
        await self._connection.send(message)

    async def route_message(self, raw_msg: str | bytes) -> None:
        try:
            message = framing.parse(raw_msg)
        except RpcError as error:
            self.logger.warning("malformed OCPP frame", extra={"charge_point_id": self.id, "error": error.description})
            await self._send(framing.error_frame(error.unique_id or framing.UNKNOWN_ID,
                                                 error_code(error.kind, self.ocpp_version), error.description))
            return
        except framing.UnanswerableFrame as error:
            self.logger.warning("malformed OCPP answer dropped",
                                extra={"charge_point_id": self.id, "error": str(error)})
            return
        if isinstance(message, Call):
            answer = await self._answer(message)
            await self._send(answer)
            await self.answered(message, raw_msg if isinstance(raw_msg, str) else raw_msg.decode(), answer)
        else:
            self._correlate(message)

    async def _answer(self, call: Call) -> str:
        try:
            return framing.result_frame(call.unique_id, await self._dispatch(call))
        except RpcError as error:
            kind, description, details = error.kind, error.description, error.details
        except DomainError as error:
            kind, description = _domain_error_kind(error), error.detail
            fields = error.errors if isinstance(error, InvalidInput) else []
            details = {"field": fields[0].field} if fields else {}
        except Exception:  # a bug or an outage must not end the connection; the peer may retry
            self.logger.exception("OCPP handler failed", extra={"charge_point_id": self.id, "action": call.action})
            kind, description, details = ErrorKind.INTERNAL, "the server could not process the request", {}
        self.logger.info("OCPP call refused", extra={"charge_point_id": self.id, "action": call.action,
                                                     "error": description})
        return framing.error_frame(call.unique_id, error_code(kind, self.ocpp_version), description, details)

    async def _dispatch(self, call: Call) -> dict[str, Any]:
        route = self.route_map.get(call.action)
        handler = route.get("_on_action") if route else None
        if handler is None:
            if call.action in _ACTIONS[self.ocpp_version]:
                raise RpcError(ErrorKind.NOT_SUPPORTED, f"{call.action} is not supported here")
            raise RpcError(ErrorKind.NOT_IMPLEMENTED, f"{call.action} is not an OCPP {self.ocpp_version} action")
        if not route.get("_skip_schema_validation", False):
            problem = schemas.violation(self.ocpp_version, call.action, call.payload, response=False,
                                        lenient=self.lenient)
            if problem is not None:
                raise RpcError(problem.kind, str(problem), {"field": problem.path} if problem.path else {})
        kwargs = snake_keys(call.payload)
        try:
            _signature(handler.__func__).bind(self, **kwargs)
        except TypeError as error:  # lenient mode lets odd field names through; they must not reach Python
            raise RpcError(ErrorKind.FORMAT, f"unexpected fields: {error}") from None
        result = handler(**kwargs)
        if inspect.isawaitable(result):
            result = await result
        payload = wire_payload(result)
        problem = schemas.violation(self.ocpp_version, call.action, payload, response=True)
        if problem is not None:  # our own answer is wrong: a bug to fix, never something to send
            self.logger.error("OCPP answer fails its schema", extra={"charge_point_id": self.id,
                                                                    "action": call.action, "error": str(problem)})
            raise RpcError(ErrorKind.INTERNAL, "the server produced an invalid answer")
        return payload

    async def answered(self, call: Call, frame: str, answer: str) -> None:
        """A Call was answered (``frame`` as received, ``answer`` as sent): a subclass may keep them."""

    def _correlate(self, answer: CallResult | CallError) -> None:
        pending = self._pending
        if pending is None or pending[0] != answer.unique_id or pending[1].done():
            self.logger.warning("OCPP answer to no outstanding call dropped",
                                extra={"charge_point_id": self.id, "unique_id": answer.unique_id})
            return
        pending[1].set_result(answer)

    async def request(self, payload: Any) -> dict[str, Any]:
        """Send a Call (a library payload dataclass) and return the answer's camelCase payload.

        One call is outstanding at a time (the library's call lock); the caller bounds the wait.
        Raises ``InvalidOutgoing`` (nothing sent), ``ErrorAnswer``, ``PeerGone`` or ``ConnectionClosed``.
        """
        action = type(payload).__name__
        body = wire_payload(payload)
        problem = schemas.violation(self.ocpp_version, action, body, response=False)
        if problem is not None:
            raise InvalidOutgoing(problem.path, problem.message)
        async with self._call_lock:
            unique_id = str(uuid.uuid4())
            future: asyncio.Future[CallResult | CallError] = asyncio.get_running_loop().create_future()
            self._pending = (unique_id, future)
            try:
                await self._send(framing.call_frame(unique_id, action, body))
                answer = await future
            finally:
                if self._pending is not None and self._pending[0] == unique_id:
                    self._pending = None
        if isinstance(answer, CallError):
            raise ErrorAnswer(answer.error_code, answer.error_description, answer.error_details)
        problem = schemas.violation(self.ocpp_version, action, answer.payload, response=True, lenient=self.lenient)
        if problem is not None:
            raise ErrorAnswer(error_code(problem.kind, self.ocpp_version), f"invalid {action} answer: {problem}")
        return answer.payload

    async def call(self, payload: Any, suppress: bool = True, unique_id: str | None = None,
                   skip_schema_validation: bool = False) -> Any:
        """``request``, answering the version's result dataclass (as the library's ``ChargePoint.call`` does)."""
        try:
            answer = await self.request(payload)
        except ErrorAnswer:
            if suppress:
                return None
            raise
        return getattr(self.call_results, type(payload).__name__)(**snake_keys(answer))
