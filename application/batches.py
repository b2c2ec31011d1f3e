"""Calls that many callers make at once, served a batch at a time by one task per event loop.

A caller queues its item and waits for its outcome; the task takes whatever is queued when it is free (up
to ``max_batch``) and hands the batch to ``serve``, which settles every item's outcome. No artificial delay:
items arriving while a batch is served wait for the next one, so batches grow with load by themselves and a
lone item waits for one round only. asyncio queues and futures belong to one event loop, so there is one
queue and one task per running loop, started by the first item on it (nothing happens at construction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from attrs import define, field

log = logging.getLogger("charge.batches")
I = TypeVar("I")  # noqa: E741  # an item
R = TypeVar("R")  # its outcome


class BatchesClosed(RuntimeError):
    """The batches stopped before this item was served."""


@define
class Queued(Generic[I, R]):
    item: I
    done: asyncio.Future[R] = field(repr=False)

    def settle(self, outcome: R | BaseException) -> None:
        """The item's outcome, or the exception its caller raises; nothing if the caller gave up waiting."""
        if self.done.done():
            return
        if isinstance(outcome, BaseException):
            self.done.set_exception(outcome)
        else:
            self.done.set_result(outcome)


class Batches(Generic[I, R]):
    """``serve(batch)`` settles each ``Queued`` of the batch; ``submit`` queues an item and returns its outcome."""

    def __init__(self, serve: Callable[[list[Queued[I, R]]], Awaitable[None]], *, max_batch: int, name: str) -> None:
        self._serve = serve
        self.max_batch = max_batch
        self._name = name
        self._loops: WeakKeyDictionary[asyncio.AbstractEventLoop, _Loop[I, R]] = WeakKeyDictionary()

    async def submit(self, item: I) -> R:
        loop = asyncio.get_running_loop()
        queued: Queued[I, R] = Queued(item, loop.create_future())
        self._on(loop).queue.put_nowait(queued)
        return await queued.done

    def _on(self, loop: asyncio.AbstractEventLoop) -> _Loop[I, R]:
        running = self._loops.get(loop)
        if running is None or running.task.done():
            running = self._loops[loop] = _Loop(self)
        return running

    async def close(self) -> None:
        """Serve what is queued on this event loop, then stop its task; ``submit`` starts a new one."""
        running = self._loops.pop(asyncio.get_running_loop(), None)
        if running is None or running.task.done():
            return
        running.queue.put_nowait(None)   # after everything already queued
        await asyncio.wait([running.task])


class _Loop(Generic[I, R]):
    """The queue and the task that drains it, for one event loop."""

    def __init__(self, batches: Batches[I, R]) -> None:
        self.queue: asyncio.Queue[Queued[I, R] | None] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run(batches), name=batches._name)

    async def _run(self, batches: Batches[I, R]) -> None:
        batch: list[Queued[I, R]] = []
        try:
            while True:
                first = await self.queue.get()
                if first is None:
                    return
                batch, stop = [first], False
                while len(batch) < batches.max_batch and not self.queue.empty():
                    queued = self.queue.get_nowait()
                    if queued is None:
                        stop = True
                        break
                    batch.append(queued)
                waiting = [queued for queued in batch if not queued.done.done()]   # a caller may have given up
                if waiting:
                    try:
                        await batches._serve(waiting)
                    except Exception as exc:  # a fault of serve's own: its batch hears it, the next is served
                        log.exception("serving a batch failed", extra={"batches": batches._name})
                        for queued in waiting:
                            queued.settle(exc)
                batch = []
                if stop:
                    return
        finally:
            # Whatever is taken or queued when the task ends (cancelled, or broken) is not served.
            error = BatchesClosed(f"{batches._name} stopped before this was served")
            left: list[Any] = list(batch)
            while not self.queue.empty():
                left.append(self.queue.get_nowait())
            for queued in left:
                if queued is not None:
                    queued.settle(error)
