"""Changes charge points make to their own row (connected, booted, heartbeat, disconnected), many per commit.

A reconnect storm brings thousands of these at once, and each in a transaction of its own costs a connection,
BEGIN, COMMIT and the work after a commit, several times the change itself. Here a change is queued and its
caller waits; one task per event loop takes whatever is queued (up to ``max_batch``) and applies it in one
unit of work: every charge point of the batch is locked in order of its identity (so two batches never wait on
each other in a cycle), each change is applied in the order it was queued, the changed charge points are saved
together (their rows, connectors and events each one statement), and every caller hears after the commit. No
artificial delay: changes arriving while a batch is written wait for the next one, so batches grow with load
by themselves and a lone change waits for one commit only (as the meter sink does for samples).

A change for an unknown charge point fails alone (``NotFound``). When anything else fails, a change or the
commit, nothing of the batch is kept and each change is applied again alone, so that one bad change never
fails the others. ``apply_alone`` is that single path, also used without a writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from attrs import define, field

from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import NotFound
from domain.network import ChargePoint

T = TypeVar("T")
Change = Callable[[ChargePoint, datetime], T]
MAX_BATCH = 200


class WriterClosed(RuntimeError):
    """The writer stopped before this change was written (it was not stored)."""


@define
class _Queued(Generic[T]):
    charge_point_id: str
    change: Change[T]
    done: asyncio.Future[T] = field(repr=False)


async def apply_alone(charge_point_id: str, change: Change[T], *, uow_factory: UnitOfWorkFactory,
                      clock: Clock) -> T:
    """``change`` applied to the charge point under its lock, saved and committed in a unit of work of its own."""
    async with uow_factory() as uow:
        found = await _lock(uow, [charge_point_id])
        charge_point = found.get(charge_point_id)
        if charge_point is None:
            raise NotFound("charge_point", charge_point_id)
        result = change(charge_point, clock.now())
        await uow.charge_points.save(charge_point)
        await uow.commit()
    return result


async def _lock(uow: UnitOfWork, charge_point_ids: list[str]) -> dict[str, ChargePoint]:
    return await uow.charge_points.find_many_for_update(charge_point_ids)


class _Flusher:
    """The queue and the task that drains it, for one event loop."""

    def __init__(self, writes: ChargePointWrites) -> None:
        self.queue: asyncio.Queue[_Queued[Any] | None] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run(writes), name="charge-point-writes")

    async def _run(self, writes: ChargePointWrites) -> None:
        batch: list[_Queued[Any]] = []
        try:
            while True:
                first = await self.queue.get()
                if first is None:
                    return
                batch = [first]
                stop = False
                while len(batch) < writes.max_batch and not self.queue.empty():
                    item = self.queue.get_nowait()
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                await writes._write([item for item in batch if not item.done.done()])
                batch = []
                if stop:
                    return
        finally:
            error = WriterClosed("the charge point writer stopped before this change was stored")
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(error)
            while not self.queue.empty():
                queued = self.queue.get_nowait()
                if queued is not None and not queued.done.done():
                    queued.done.set_exception(error)


class ChargePointWrites:
    """Group commit of charge points' own changes. ``commits`` and ``applied`` count batches and their changes."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, *, max_batch: int = MAX_BATCH) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self.max_batch = max_batch
        self._flushers: WeakKeyDictionary[asyncio.AbstractEventLoop, _Flusher] = WeakKeyDictionary()
        self.commits = 0
        self.applied = 0

    async def apply(self, charge_point_id: str, change: Change[T]) -> T:
        """``change(charge_point, now)`` applied and committed, with other charge points' changes; its result."""
        loop = asyncio.get_running_loop()
        item: _Queued[T] = _Queued(charge_point_id, change, loop.create_future())
        self._flusher(loop).queue.put_nowait(item)
        return await item.done

    def _flusher(self, loop: asyncio.AbstractEventLoop) -> _Flusher:
        flusher = self._flushers.get(loop)
        if flusher is None or flusher.task.done():
            flusher = self._flushers[loop] = _Flusher(self)
        return flusher

    async def _write(self, batch: list[_Queued[Any]]) -> None:
        if not batch:
            return
        try:
            results = await self._together(batch)
        except Exception:  # noqa: BLE001  # whatever failed, each change is tried alone and fails alone
            # Nothing of the batch was kept: each change alone, so that only a change that fails alone fails.
            for item in batch:
                try:
                    result = await apply_alone(item.charge_point_id, item.change, uow_factory=self._uow_factory,
                                               clock=self._clock)
                except Exception as exc:  # noqa: BLE001  # the caller's own failure, raised where it waits
                    _settle(item, exc)
                else:
                    self.commits += 1
                    self.applied += 1
                    _settle(item, result)
            return
        self.commits += 1
        self.applied += sum(1 for outcome in results if not isinstance(outcome, NotFound))
        for item, outcome in zip(batch, results, strict=True):
            _settle(item, outcome)

    async def _together(self, batch: list[_Queued[Any]]) -> list[Any]:
        outcomes: list[Any] = []
        async with self._uow_factory() as uow:
            found = await _lock(uow, [item.charge_point_id for item in batch])
            now = self._clock.now()
            changed: dict[str, ChargePoint] = {}
            for item in batch:
                charge_point = found.get(item.charge_point_id)
                if charge_point is None:
                    outcomes.append(NotFound("charge_point", item.charge_point_id))
                    continue
                outcomes.append(item.change(charge_point, now))
                changed[charge_point.id] = charge_point
            await uow.charge_points.save_many(list(changed.values()))
            await uow.commit()
        return outcomes

    async def close(self) -> None:
        """Write what is queued on this event loop, then stop its task; ``apply`` starts a new one."""
        loop = asyncio.get_running_loop()
        flusher = self._flushers.pop(loop, None)
        if flusher is None or flusher.task.done():
            return
        flusher.queue.put_nowait(None)   # after everything already queued
        await asyncio.wait([flusher.task])


def _settle(item: _Queued[Any], outcome: Any) -> None:
    if item.done.done():   # its caller gave up waiting
        return
    if isinstance(outcome, BaseException):
        item.done.set_exception(outcome)
    else:
        item.done.set_result(outcome)
