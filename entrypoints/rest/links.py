"""URLs the REST door hands out that point elsewhere: where a registered charge point connects."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

DEFAULT_PORTS = {"ws": 80, "wss": 443}


def ocpp_url_builder(public_url: str, ocpp_port: int, *, tls: bool) -> Callable[[str], str]:
    """``identity → ws[s]://HOST[:PORT]/ocpp/{identity}``: the public host, the OCPP port and scheme.

    The host is the one clients reach the REST API at (``public_url``), not the bind address;
    ``wss`` when the OCPP server has a TLS certificate.
    """
    host = urlsplit(public_url).hostname or "localhost"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    scheme = "wss" if tls else "ws"
    authority = host if DEFAULT_PORTS[scheme] == ocpp_port else f"{host}:{ocpp_port}"
    base = f"{scheme}://{authority}/ocpp/"

    def ocpp_url(identity: str) -> str:
        # ":@*+" may stand in a path segment as they are; "|" may not.
        return base + quote(identity, safe=":@*+")

    return ocpp_url
