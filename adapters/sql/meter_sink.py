"""Meter samples on the hot path, by group commit: many charge points' readings share one transaction.

``record`` queues its session's progress and samples and waits; a flusher task takes everything that
is queued (up to ``max_batch`` records), writes it in one transaction (one multi-row statement that
moves the sessions' readings forward, never back; one multi-row insert of the samples, and of any
anomalies) and only after the commit answers every caller.
No artificial delay by default: records arriving while a transaction is in flight wait for the
next one, so batches grow with load by themselves and a lone caller waits for one commit only.

asyncio queues, futures and database connections belong to one event loop, so there is one
queue and one flusher per running loop, started by the first ``record`` on it (nothing happens at
import or construction).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from weakref import WeakKeyDictionary

from attrs import frozen

from adapters.sql.database import Database
from adapters.sql.repositories.sessions import (
    advance_summaries,
    anomaly_rows,
    insert_anomalies,
    insert_samples,
    progress_row,
    sample_rows,
)
from domain.charging import Applied, ChargingSession

MAX_BATCH = 500


class MeterSinkClosed(RuntimeError):
    """The sink stopped before this record was written (it was not stored)."""


@frozen
class _Record:
    session_id: str
    summary: dict[str, Any]
    samples: list[dict[str, Any]]
    anomalies: list[dict[str, Any]]
    done: asyncio.Future[None]


class _Flusher:
    """The queue and the task that drains it, for one event loop."""

    def __init__(self, sink: SqlMeterSink) -> None:
        self.queue: asyncio.Queue[_Record | None] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run(sink), name="meter-sink-flusher")

    async def _run(self, sink: SqlMeterSink) -> None:
        batch: list[_Record] = []
        try:
            while True:
                batch = []
                stop = await self._take(batch, sink)
                if batch:
                    await sink._flush(batch)
                if stop:
                    return
        finally:
            # Whatever is taken or queued when the task ends (cancelled, or broken) will not be written.
            error = MeterSinkClosed("the meter sink stopped before this record was stored")
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(error)
            self._fail_queued(error)

    async def _take(self, batch: list[_Record], sink: SqlMeterSink) -> bool:
        """Move the next batch from the queue into ``batch``; True when the sink is closing."""
        first = await self.queue.get()
        if first is None:
            return True
        batch.append(first)
        deadline = time.monotonic() + sink.linger
        while len(batch) < sink.max_batch:
            try:
                item = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self.queue.get(), remaining)
                except TimeoutError:
                    break
            if item is None:
                return True
            batch.append(item)
        return False

    def _fail_queued(self, error: BaseException) -> None:
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if item is not None and not item.done.done():
                item.done.set_exception(error)


class SqlMeterSink:
    """Implements ``MeterSink``. ``commits`` and ``recorded`` count transactions and the records they held."""

    def __init__(self, database: Database, *, max_batch: int = MAX_BATCH, linger: float = 0.0) -> None:
        self._database = database
        self.max_batch = max_batch
        self.linger = linger   # seconds a batch may wait for more records (0: take what is queued)
        self._flushers: WeakKeyDictionary[asyncio.AbstractEventLoop, _Flusher] = WeakKeyDictionary()
        self.commits = 0
        self.recorded = 0

    async def record(self, session: ChargingSession, applied: Applied) -> None:
        loop = asyncio.get_running_loop()
        # Converted now: the caller's objects may change once it has its answer, the rows may not.
        item = _Record(session.id, progress_row(session), sample_rows(session, applied.samples),
                       anomaly_rows(session, applied.anomalies), loop.create_future())
        self._flusher(loop).queue.put_nowait(item)
        await item.done

    def _flusher(self, loop: asyncio.AbstractEventLoop) -> _Flusher:
        flusher = self._flushers.get(loop)
        if flusher is None or flusher.task.done():
            flusher = self._flushers[loop] = _Flusher(self)
        return flusher

    async def _flush(self, batch: list[_Record]) -> None:
        # A caller that gave up (cancelled) before the write began is not written for.
        live = [item for item in batch if not item.done.done()]
        if not live:
            return
        try:
            await self._write(live)
        except BaseException as exc:
            # Nothing of the batch was committed: every caller in it hears so, and may retry.
            for item in live:
                if not item.done.done():
                    if isinstance(exc, asyncio.CancelledError):
                        item.done.cancel()
                    else:
                        item.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        self.commits += 1
        self.recorded += len(live)
        for item in live:
            if not item.done.done():
                item.done.set_result(None)

    async def _write(self, batch: list[_Record]) -> None:
        # The calls of one charge point come one after another, so the last summary of a session is its newest.
        summaries = {item.session_id: item.summary for item in batch}
        async with self._database.engine.begin() as connection:
            await advance_summaries(connection, list(summaries.values()))
            await insert_samples(connection, [row for item in batch for row in item.samples])
            anomalies = [row for item in batch for row in item.anomalies]
            if anomalies:
                await insert_anomalies(connection, anomalies)

    async def close(self) -> None:
        """Write what is queued on this event loop, then stop its flusher; ``record`` starts a new one."""
        loop = asyncio.get_running_loop()
        flusher = self._flushers.pop(loop, None)
        if flusher is None or flusher.task.done():
            return
        flusher.queue.put_nowait(None)   # after everything already queued
        await asyncio.wait([flusher.task])
