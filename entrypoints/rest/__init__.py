"""The REST door: Starlette routes that parse a request, call a use case and render its result."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `python -m entrypoints.rest.openapi` does not load the module twice.
    if name == "create_app":
        from entrypoints.rest.app import create_app

        return create_app
    raise AttributeError(name)
