"""The address a request comes from: the socket's peer, or what ``X-Forwarded-For`` says when the peer is a
proxy the operator trusts (``CHARGE_TRUSTED_PROXIES``).

The address keys the login throttle and anonymous ``Idempotency-Key`` scopes, so a header anyone can
send must not choose it: from any other peer the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import Scope

FORWARDED_FOR = b"x-forwarded-for"
# Where the access log leaves the address it resolved for the rest of the request.
SCOPE_KEY = "charge.client_address"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(value: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDRs (``10.0.0.0/8, 127.0.0.1``); a bad one is a configuration error."""
    networks = []
    for part in (p.strip() for p in value.split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"CHARGE_TRUSTED_PROXIES: {part!r} is not an IP address or CIDR") from None
    return tuple(networks)


class ClientAddresses:
    """Resolves the client address of a request from its peer and the proxies it went through."""

    def __init__(self, trusted: Iterable[Network] = ()) -> None:
        self.trusted = tuple(trusted)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def of_scope(self, scope: Scope) -> str | None:
        client = scope.get("client")
        peer: str | None = client[0] if client else None
        if peer is None or not self.trusted or not self._is_trusted(peer):
            return peer
        hops: list[str] = []
        for name, value in scope.get("headers", ()):
            if name == FORWARDED_FOR:
                hops += [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
        # Each trusted proxy appended the address it got the request from: the first untrusted hop from
        # the right is the client (anything to its left was written by the client itself).
        for hop in reversed(hops):
            if not _is_address(hop):
                return peer  # garbage where an address belongs: fall back to what the socket says
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address(request: Request) -> str | None:
    """The address the access log resolved for this request (the peer's when it did not run)."""
    if SCOPE_KEY in request.scope:
        address: str | None = request.scope[SCOPE_KEY]
        return address
    return request.client.host if request.client else None
