"""``charge serve`` with one difference: the handling of ``SessionCompleted`` never finishes.

Run as ``python -m tests.e2e.events.blocking_server`` (configured like ``charge serve``, by ``CHARGE_*``).
When a session completes, the change and its events are committed, then the first handler of the event
writes ``CHARGE_TEST_MARKER`` and waits forever: the process is between the commit and the handling,
where the test kills it. The container's handlers are overridden for that, nothing is patched.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from dependency_injector import providers

from application import event_handlers
from domain.charging.events import SessionCompleted
from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.logs import configure_logging
from entrypoints.server import Server


async def _stuck(event: Any, *, uow_factory: Any) -> None:
    Path(os.environ["CHARGE_TEST_MARKER"]).write_text(event.session_id)
    await asyncio.Event().wait()


def _handlers(clock: Any) -> dict[Any, Any]:
    handlers = dict(event_handlers.handlers(clock))
    handlers[SessionCompleted] = [_stuck, *handlers[SessionCompleted]]
    return handlers


async def main() -> None:
    settings = Settings.from_env(http_port=0, ocpp_port=0)
    configure_logging(settings.log_level, settings.log_format)
    container = Application(config=settings.as_config())
    container.adapters.events.add_kwargs(handlers=providers.Callable(_handlers, container.core.clock))
    server = Server(settings, container, grpc=False)
    await server.start()
    print(f"REST http://127.0.0.1:{server.http_port}  OCPP ws://127.0.0.1:{server.ocpp_port}/ocpp", flush=True)
    await server.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
