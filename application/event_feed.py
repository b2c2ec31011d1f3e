"""The event feed's sequencer: numbers committed events, one sequencer at a time, then wakes the live streams.

Live streams read the outbox (``domain_events``) as a feed, from a position a client can resume from,
and must never find an event appear before a position they have passed. Numbers given as events are
stored would not do: transactions commit in another order than they store, so a reader could pass
number 11 while number 10 is still uncommitted. So events are stored without a number and numbered
after their commit, by a sequencer that holds a lock while it numbers (an advisory lock on PostgreSQL,
the write lock on SQLite) and takes numbers higher than any before: a reader sees each sequencer's
numbers appear together, above all earlier ones.

Only events past their handlers are numbered (handled as they are stored when no handler waits for
them, else once handled, or given up): a pending event is the dispatcher's, whose claim skips rows
another transaction holds, and a completed session is then streamed with its cost stored. When events
are committed past their handlers, the dispatcher calls ``request``: the numbering runs in the
background (the use case that committed does not wait for it), coalescing requests that come while it
runs, and then tells the watchers of this process (``LiveSessions.events_committed``). The server also
calls ``sequence_pending`` every few seconds, for events whose process stopped before numbering them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from application.ports import UnitOfWorkFactory

log = logging.getLogger("charge.events")

BATCH = 500


class FeedSequencer:
    def __init__(self, uow_factory: UnitOfWorkFactory, on_sequenced: Sequence[Callable[[], None]] = (), *,
                 batch: int = BATCH) -> None:
        self._raw = uow_factory   # the adapter's own units of work (their commits dispatch nothing)
        self._listeners = list(on_sequenced)
        self._batch = batch
        self._again = False
        self._task: asyncio.Task[None] | None = None

    def request(self) -> None:
        """Events were committed: number them soon, without waiting (on the event loop's thread)."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._again:
            self._again = False
            try:
                await self._number()
            except Exception:  # left unnumbered, the events wait for the server's next sweep
                log.warning("numbering events for the feed failed; the next sweep retries", exc_info=True)
            self._tell()

    async def sequence_pending(self) -> int:
        """Number whatever committed events have no place in the feed yet; returns how many."""
        numbered = await self._number()
        if numbered:
            self._tell()
        return numbered

    async def _number(self) -> int:
        total = 0
        while True:
            async with self._raw() as uow:
                numbered = await uow.events.sequence(self._batch)
                await uow.commit()
            total += numbered
            if numbered < self._batch:
                return total

    def _tell(self) -> None:
        for listener in self._listeners:
            listener()

    async def close(self) -> None:
        """Let a numbering under way finish (the server stops its database after this)."""
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(Exception):
                await task
