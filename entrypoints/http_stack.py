"""The server stack every door runs on: uvloop and httptools where the platform has them, else asyncio and h11.

uvloop's event loop and httptools' HTTP parser are C; with them the same Starlette application
answers about 2.5 times as many requests per core (``make bench`` measures it). Both are declared
dependencies, but a platform without a wheel (Windows, PyPy) still runs on the standard library's.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn

T = TypeVar("T")


def has_uvloop() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def has_httptools() -> bool:
    return importlib.util.find_spec("httptools") is not None


def describe() -> str:
    """The stack in words, for logs and benchmark reports."""
    return f"uvicorn ({'uvloop' if has_uvloop() else 'asyncio'}, {'httptools' if has_httptools() else 'h11'})"


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop's event loop when it is installed."""
    if has_uvloop():
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)


def uvicorn_config(app: Any) -> uvicorn.Config:
    """The REST door's uvicorn settings (the benchmark's bare app is served with the same ones).

    Logging, lifespan and proxy handling are the door's own: it logs each request itself and reads
    X-Forwarded-For only from CHARGE_TRUSTED_PROXIES (uvicorn's own handling trusts 127.0.0.1).
    """
    return uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", server_header=False,
                          proxy_headers=False, http="httptools" if has_httptools() else "h11",
                          ws="none")  # the REST door serves no websockets (OCPP has a server of its own)
