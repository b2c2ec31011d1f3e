"""Small checks on plain values the model shares (emails, names), each returning a message or None."""

from __future__ import annotations

import re

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"  # one DNS label
EMAIL = re.compile(rf"^[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+\Z")
MAX_NAME = 200
MAX_EMAIL = 254


def normalize_email(value: str) -> str:
    return value.strip().lower()


def email_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_EMAIL:
        return f"at most {MAX_EMAIL} characters"
    if not EMAIL.match(value.strip()):
        return "is not a valid email address"
    return None


def name_problem(value: object, max_length: int = MAX_NAME) -> str | None:
    return text_problem(value, max_length)


_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f]")  # tab and line feed allowed


def text_problem(value: object, max_length: int, *, lines: bool = False) -> str | None:
    """A non-blank string of at most ``max_length`` characters that can be stored and shown: no
    control characters (but tabs and line feeds when ``lines``), no lone surrogates (they cannot
    be encoded, so a database would refuse them later)."""
    if not isinstance(value, str):
        return "must be a string"
    if not value.strip():
        return "must not be blank"
    if len(value) > max_length:
        return f"at most {max_length} characters"
    if (_CONTROL_BUT_LINES if lines else _CONTROL).search(value):
        return "must not contain control characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (no lone surrogates)"
    return None
