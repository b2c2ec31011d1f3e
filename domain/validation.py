"""Small checks on plain values the model shares (emails, names), each returning a message or None."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z")
MAX_NAME = 200
MAX_EMAIL = 254


def normalize_email(value: str) -> str:
    return value.strip().lower()


def email_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_EMAIL:
        return f"at most {MAX_EMAIL} characters"
    if not _EMAIL.match(value.strip()):
        return "is not a valid email address"
    return None


def name_problem(value: object, max_length: int = MAX_NAME) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if not value.strip():
        return "must not be blank"
    if len(value) > max_length:
        return f"at most {max_length} characters"
    if any(ord(c) < 32 for c in value):
        return "must not contain control characters"
    return None
