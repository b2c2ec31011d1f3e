"""The webhook sender: one httpx client of its own (never the request path's), and the SSRF guard.

A URL is refused when its host is, or resolves to, an address that is not public: loopback, private
(RFC 1918, fc00::/7), link-local (cloud metadata at 169.254.169.254), shared, multicast, reserved or
unspecified — unless ``allow_private`` (``CHARGE_WEBHOOK_ALLOW_PRIVATE_URLS``) says so. The guard runs when
an endpoint is saved and again before every post (a name may resolve elsewhere later), and redirects are
not followed (a public receiver could otherwise bounce a post inward).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from application.ports.webhooks import Response, UrlNotAllowed

_EXCERPT = 1000


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class HttpWebhookSender:
    def __init__(self, *, allow_private: bool = False, timeout: float = 10.0) -> None:
        self._allow_private = allow_private
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def check(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise UrlNotAllowed("is not a valid URL") from None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UrlNotAllowed("must be an http or https URL with a host")
        if parts.username or parts.password:
            raise UrlNotAllowed("must not carry credentials")
        if self._allow_private:
            return
        host = parts.hostname
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
            except OSError:
                raise UrlNotAllowed(f"the host {host} does not resolve") from None
            addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        if not addresses or not all(_public(a) for a in addresses):
            raise UrlNotAllowed("points at a loopback, private, link-local or reserved address; webhooks go to "
                                "public addresses (CHARGE_WEBHOOK_ALLOW_PRIVATE_URLS=true allows others)")

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            await self.check(url)
        except UrlNotAllowed as exc:
            return Response(None, f"URL not allowed: {exc}", elapsed())
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        try:
            answer = await self._client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            return Response(None, f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__, elapsed())
        excerpt = answer.text[:_EXCERPT] if answer.content else None
        error = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
        return Response(answer.status_code, error, elapsed(), excerpt)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
