"""``charge webhooks deliver``: the webhook delivery worker on its own (``charge serve`` runs the same loop).

Each round first hands pending events to their handlers (so a fan-out a crash left undone is done here too),
then posts every delivery that is due. ``--once`` does one round's worth (until nothing is due) and exits;
otherwise it runs until SIGINT or SIGTERM. Several workers may run at once: deliveries are claimed with a lease.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from entrypoints.config import Settings
from entrypoints.containers import Application


def add_parser(sub: Any) -> None:
    hooks = sub.add_parser("webhooks", help="outbound webhooks")
    actions = hooks.add_subparsers(dest="webhooks_command", required=True)
    deliver = actions.add_parser("deliver", help="post due webhook deliveries (retries included) until stopped")
    deliver.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    deliver.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")


async def _round(container: Application) -> int:
    dispatcher = container.adapters.events()
    while await dispatcher.dispatch_pending():
        pass
    total = 0
    while sent := await container.use_cases.deliver_webhooks():
        total += sent
    return total


async def run_command(settings: Settings, args: argparse.Namespace) -> int:
    container = Application(config=settings.as_config())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        while True:
            sent = await _round(container)
            if args.once:
                print(f"charge webhooks deliver: {sent} attempts", file=sys.stdout, flush=True)
                return 0
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.webhook_poll_seconds)
            if stop.is_set():
                return 0
    finally:
        await container.adapters.webhook_sender().close()
        await container.adapters.database().dispose()
