"""Cross-site request forgery, refused twice over.

- Double submit: the browser holds a random token in a cookie (see ``cookies``); every form the site renders
  carries the same token in a hidden field, and a POST whose field does not match its cookie is refused.
  Another site can make a browser post a form here, but cannot read or set this site's cookie, so cannot
  know the token (over TLS the ``__Host-`` prefix keeps sibling subdomains from planting one).
- Origin: a POST a browser says came from another site (``Origin``, or ``Sec-Fetch-Site: cross-site``) is
  refused before its form is read.

Neither needs a server-side secret, so any node (or worker) checks a form another one rendered.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

from entrypoints.web.cookies import SiteCookie

FIELD = "csrf_token"
COOKIE = SiteCookie("charge_csrf")
TOKEN_BYTES = 32


class CsrfRefused(Exception):
    """The form was not sent by one of this site's own pages (or its page is older than its cookie)."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(request: Request, public_url: str) -> None:
    """A browser's POST from another site is refused, and so is one from an opaque origin (``Origin: null``: a
    sandboxed frame). A POST without the headers, from a client that is no browser, is left to the token."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused("The form was sent from another site")
    origin = request.headers.get("origin")
    if origin is None:
        return
    own = {_origin(str(request.base_url)), _origin(public_url)}
    if origin.lower() not in own:
        raise CsrfRefused("The form was sent from another site")


def check_token(cookie_token: str | None, form: dict[str, str]) -> None:
    sent = form.get(FIELD, "")
    if not cookie_token or not sent or not hmac.compare_digest(sent.encode(), cookie_token.encode()):
        raise CsrfRefused("The form's security token does not match this browser's")
