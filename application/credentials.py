"""Bearer secrets: generated with 256 bits of entropy, stored only as SHA-256, compared in constant time.

A fast hash is right here (unlike for passwords): a 256-bit random secret cannot be guessed, so
the hash only has to keep a leaked database from yielding usable tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ACCESS_TOKEN_PREFIX = "cat_"
API_KEY_PREFIX = "ck_"
INVITATION_TOKEN_PREFIX = "civ_"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_hash(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_secret(secret))
