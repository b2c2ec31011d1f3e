"""The websocket upgrade of a charge point: its identity from the path, its HTTP Basic credentials, its subprotocol."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

# Server preference when a charge point offers several: the best-exercised modern version first.
SUBPROTOCOLS = ("ocpp2.0.1", "ocpp2.1", "ocpp1.6")
_PATH = re.compile(r"^/ocpp/(?P<identity>[A-Za-z0-9._:*+|@-]{1,48})/?$")


def identity_from_path(path: str) -> str | None:
    match = _PATH.match(path.split("?", 1)[0])
    return match.group("identity") if match else None


def basic_password(authorization: str | None, identity: str) -> str | None:
    """The password of ``Authorization: Basic base64(identity:password)`` (security profile 1).

    None when absent, malformed or naming another identity: admission then treats the charge point
    as having presented no password.
    """
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        text = decoded.decode("latin-1")   # RFC 7617 leaves the charset to the client; old chargers send Latin-1
    username, colon, password = text.partition(":")
    if not colon or username != identity:
        return None
    return password


def select_subprotocol(offered: Sequence[str]) -> str | None:
    """Our first subprotocol the charge point offers, or None (the connection is then closed, as OCPP-J says)."""
    return next((p for p in SUBPROTOCOLS if p in offered), None)
