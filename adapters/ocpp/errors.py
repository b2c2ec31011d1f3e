"""OCPP-J RPC errors in version-neutral kinds, and the error code each OCPP version spells for them."""

from __future__ import annotations

import enum
from typing import Any


class ErrorKind(enum.Enum):
    MALFORMED_JSON = "malformed_json"                      # the frame is not JSON at all
    RPC_FRAMEWORK = "rpc_framework"                        # JSON, but no [type, id, ...] array we can read
    MESSAGE_TYPE_NOT_SUPPORTED = "message_type_not_supported"
    PROTOCOL = "protocol"                                  # a Call without a payload object
    FORMAT = "format"
    OCCURRENCE = "occurrence"
    TYPE = "type"
    PROPERTY = "property"
    NOT_IMPLEMENTED = "not_implemented"                    # an action we do not know
    NOT_SUPPORTED = "not_supported"                        # an action we know but do not take
    INTERNAL = "internal"
    SECURITY = "security"
    GENERIC = "generic"


_COMMON = {
    ErrorKind.PROTOCOL: "ProtocolError",
    ErrorKind.TYPE: "TypeConstraintViolation",
    ErrorKind.PROPERTY: "PropertyConstraintViolation",
    ErrorKind.NOT_IMPLEMENTED: "NotImplemented",
    ErrorKind.NOT_SUPPORTED: "NotSupported",
    ErrorKind.INTERNAL: "InternalError",
    ErrorKind.SECURITY: "SecurityError",
    ErrorKind.GENERIC: "GenericError",
}
# OCPP-J 1.6 has no RPC-framework codes, and its errata keep the names "FormationViolation" and
# "OccurenceConstraintViolation"; 2.0.1 says "FormatViolation" but keeps the "Occurence" typo; 2.1 fixes it.
_CODES: dict[str, dict[ErrorKind, str]] = {
    "1.6": {**_COMMON, ErrorKind.MALFORMED_JSON: "FormationViolation", ErrorKind.RPC_FRAMEWORK: "ProtocolError",
            ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "ProtocolError", ErrorKind.FORMAT: "FormationViolation",
            ErrorKind.OCCURRENCE: "OccurenceConstraintViolation"},
    "2.0.1": {**_COMMON, ErrorKind.MALFORMED_JSON: "RpcFrameworkError", ErrorKind.RPC_FRAMEWORK: "RpcFrameworkError",
              ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "MessageTypeNotSupported", ErrorKind.FORMAT: "FormatViolation",
              ErrorKind.OCCURRENCE: "OccurenceConstraintViolation"},
    "2.1": {**_COMMON, ErrorKind.MALFORMED_JSON: "RpcFrameworkError", ErrorKind.RPC_FRAMEWORK: "RpcFrameworkError",
            ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "MessageTypeNotSupported", ErrorKind.FORMAT: "FormatViolation",
            ErrorKind.OCCURRENCE: "OccurrenceConstraintViolation"},
}


def error_code(kind: ErrorKind, ocpp_version: str) -> str:
    return _CODES[ocpp_version][kind]


class RpcError(Exception):
    """Answered to the peer as a CallError; ``unique_id`` is set when the frame's own id could not be read."""

    def __init__(self, kind: ErrorKind, description: str, details: dict[str, Any] | None = None, *,
                 unique_id: str | None = None) -> None:
        super().__init__(description)
        self.kind = kind
        self.description = description
        self.details = details or {}
        self.unique_id = unique_id


class InvalidOutgoing(Exception):
    """A message we were about to send fails its schema; nothing was sent. ``path`` names the field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class ErrorAnswer(Exception):
    """The peer answered a Call with a CallError, or (strict mode) with a result that fails its schema."""

    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details or {}
