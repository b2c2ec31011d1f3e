"""The ``Charge-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`` (Stripe's scheme).

During a secret rotation's overlap the header carries one ``v1`` per valid secret; a receiver accepts the
request when any of them matches the secret it holds, and the timestamp is recent (replays are refused).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256, keyed by ``secret``, of ``"<timestamp>." + body``."""
    return hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(secret, timestamp, body)}" for secret in secrets)])


def verify(header: str, body: bytes, secret: str, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: parse the header, recompute, compare in constant time, refuse stale timestamps."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
