"""The cookies a site sets: the signed-in credential and the CSRF token, with the attributes that keep them
to this site. HttpOnly (no script reads them), SameSite=Lax (another site's form or fetch does not carry them),
and, when the site is served over TLS, Secure with the ``__Host-`` prefix (only this host, over TLS, set them:
a sibling subdomain cannot plant one)."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

HOST_PREFIX = "__Host-"


def served_over_tls(request: Request, public_url: str) -> bool:
    """TLS ends here, or at the proxy the public URL names (the REST door itself speaks plain HTTP)."""
    return request.url.scheme == "https" or public_url.lower().startswith("https://")


class SiteCookie:
    """One cookie of a site, named ``name`` (``__Host-name`` over TLS), valid on every path of the host."""

    def __init__(self, name: str, *, http_only: bool = True) -> None:
        self.name = name
        self.http_only = http_only

    def name_for(self, secure: bool) -> str:
        return HOST_PREFIX + self.name if secure else self.name

    def read(self, request: Request, secure: bool) -> str | None:
        value = request.cookies.get(self.name_for(secure))
        return value or None

    def set(self, response: Response, value: str, *, secure: bool, now: datetime | None = None,
            expires_at: datetime | None = None) -> None:
        """Until ``expires_at`` (then the browser drops it), or for the browser's session."""
        max_age = max(0, int((expires_at - now).total_seconds())) if expires_at and now else None
        response.set_cookie(self.name_for(secure), value, max_age=max_age, path="/", secure=secure,
                            httponly=self.http_only, samesite="lax")

    def clear(self, response: Response, *, secure: bool) -> None:
        response.delete_cookie(self.name_for(secure), path="/", secure=secure, httponly=self.http_only,
                               samesite="lax")
