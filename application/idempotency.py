"""Idempotency keys, whichever door takes them: what a key may be, and the error for a key reused otherwise.

A creating call (REST ``Idempotency-Key``, gRPC ``idempotency-key`` metadata) repeated with its key
gets the first answer again; the store (``ports.idempotency``) keeps it, per caller and call.
"""

from __future__ import annotations

from domain.errors import Conflict, InvalidInput

MAX_KEY = 255


class IdempotencyConflict(Conflict):
    """The key was used with another request, or its first request is still running."""

    code = "idempotency_conflict"


def check_key(key: str, field: str) -> str:
    """A key as given, if it is 1 to ``MAX_KEY`` printable ASCII characters (stored and compared verbatim, it
    must survive any database); else ``InvalidInput`` naming ``field``."""
    if not 1 <= len(key) <= MAX_KEY or not all(" " <= c <= "~" for c in key):
        raise InvalidInput.field(field, f"must be 1 to {MAX_KEY} printable ASCII characters")
    return key
