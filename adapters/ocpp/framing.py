"""OCPP-J frames: one JSON parse per frame into the library's Call / CallResult / CallError, or a precise error.

Numbers are parsed as ``Decimal`` so meter readings and schema limits (``multipleOf``) stay exact.
A frame whose own message id cannot be read is answered with id ``"-1"`` (OCPP-J 2.0.1 §4.2.3).
OCPP-J messages are text frames with message ids of at most 36 characters; a payload string that
cannot be stored or shown (NUL, a lone surrogate: JSON lets both through as escapes) is a format
violation of the message that carries it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NoReturn

from ocpp.messages import Call, CallError, CallResult, MessageType

from adapters.ocpp.errors import ErrorKind, RpcError

UNKNOWN_ID = "-1"
MAX_MESSAGE_ID = 36


class UnanswerableFrame(Exception):
    """A malformed CallResult or CallError: OCPP-J never answers those, so it is only logged."""


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")     # json.loads would otherwise accept NaN and Infinity


def parse(raw: str | bytes) -> Call | CallResult | CallError:
    if not isinstance(raw, str):
        raise RpcError(ErrorKind.RPC_FRAMEWORK, "OCPP-J messages are text frames, not binary ones",
                       unique_id=UNKNOWN_ID)
    try:
        frame = json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError):  # JSONDecodeError is a ValueError
        raise RpcError(ErrorKind.MALFORMED_JSON, "the message is not valid JSON", unique_id=UNKNOWN_ID) from None
    if not isinstance(frame, list) or not frame:
        raise RpcError(ErrorKind.RPC_FRAMEWORK, "an OCPP-J message is a non-empty JSON array",
                       unique_id=UNKNOWN_ID)
    message_type = frame[0]
    if type(message_type) is not int:
        raise RpcError(ErrorKind.RPC_FRAMEWORK, "the message type must be a number", unique_id=UNKNOWN_ID)
    unique_id = frame[1] if len(frame) > 1 else None
    if not isinstance(unique_id, str) or not 0 < len(unique_id) <= MAX_MESSAGE_ID:
        if message_type in (MessageType.CallResult, MessageType.CallError):
            raise UnanswerableFrame("an answer without a readable message id")
        raise RpcError(ErrorKind.RPC_FRAMEWORK, f"the message id must be a string of 1 to {MAX_MESSAGE_ID} characters",
                       unique_id=UNKNOWN_ID)
    if message_type == MessageType.Call:
        if "\\u" in raw:   # only an escape can carry NUL or a lone surrogate into a parsed string
            _check_text(frame[3] if len(frame) > 3 else None, unique_id)
        return _call(frame, unique_id)
    if message_type == MessageType.CallResult:
        if len(frame) != 3 or not isinstance(frame[2], dict):
            raise UnanswerableFrame(f"a CallResult must be [3, id, {{payload}}]: {unique_id}")
        return CallResult(unique_id, frame[2])
    if message_type == MessageType.CallError:
        if len(frame) != 5 or not isinstance(frame[2], str):
            raise UnanswerableFrame(f"a CallError must be [4, id, code, description, {{details}}]: {unique_id}")
        description = frame[3] if isinstance(frame[3], str) else ""
        details = frame[4] if isinstance(frame[4], dict) else {}
        return CallError(unique_id, frame[2], description, details)
    raise RpcError(ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED, f"message type {message_type} is not supported",
                   unique_id=unique_id)


def _call(frame: list[Any], unique_id: str) -> Call:
    if len(frame) < 3 or not isinstance(frame[2], str) or not frame[2]:
        raise RpcError(ErrorKind.RPC_FRAMEWORK, "a Call must name its action", unique_id=unique_id)
    if len(frame) != 4 or not isinstance(frame[3], dict):
        raise RpcError(ErrorKind.PROTOCOL, "a Call must be [2, id, action, {payload}]", unique_id=unique_id)
    return Call(unique_id, frame[2], frame[3])


def _check_text(value: object, unique_id: str, path: str = "") -> None:
    """Refuse a payload holding a string that cannot be stored or shown (NUL, a lone surrogate)."""
    if isinstance(value, str):
        bad = "\x00" in value
        if not bad:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                bad = True
        if bad:
            raise RpcError(ErrorKind.FORMAT, f"{path or 'a string'}: must be valid text (no NUL, no lone surrogate)",
                           {"field": path} if path else {}, unique_id=unique_id)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, unique_id, path)
            _check_text(item, unique_id, f"{path}/{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, unique_id, f"{path}/{index}")


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode(frame: list[Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=_plain)


def call_frame(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    return encode([MessageType.Call, unique_id, action, payload])


def result_frame(unique_id: str, payload: dict[str, Any]) -> str:
    return encode([MessageType.CallResult, unique_id, payload])


def error_frame(unique_id: str, code: str, description: str, details: dict[str, Any] | None = None) -> str:
    # OCPP-J limits errorDescription to 255 characters.
    return encode([MessageType.CallError, unique_id, code, description[:255], details or {}])
