"""Work the server runs beside its doors: invoice runs accepted over REST, and those a stop left unfinished."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from application.ports.billing import InvoiceRun

log = logging.getLogger("charge.background")


class BackgroundRuns:
    """Runs invoice runs as tasks of this process (kept referenced until they end; a failure is on the run)."""

    def __init__(self, run: Callable[..., Awaitable[Any]]) -> None:
        self._run = run
        self._tasks: set[asyncio.Task[None]] = set()

    def invoice_run(self, run: InvoiceRun) -> None:
        task = asyncio.get_running_loop().create_task(self._execute(run))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, run: InvoiceRun) -> None:
        try:
            await self._run(run.id, run.organization_id)
        except Exception:  # recorded on the run (failed, with the error); the server goes on
            log.exception("an invoice run failed", extra={"run_id": run.id})

    async def wait(self) -> None:
        """Until every run started here has ended (tests; a stopping server)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
