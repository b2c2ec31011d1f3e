"""What the page tests share: reading a form's CSRF token, and forging one that is surely not it."""

from __future__ import annotations

import re

import httpx


def csrf_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def forged(token: str) -> str:
    """The token with its first character changed (always changed: replacing it by a fixed letter was the same
    token whenever the token began with that letter, one time in 64)."""
    return ("y" if token[0] == "x" else "x") + token[1:]
