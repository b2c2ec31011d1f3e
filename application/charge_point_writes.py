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

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from attrs import frozen

from application.batches import Batches, Queued
from application.ports import Clock, UnitOfWorkFactory
from domain.errors import NotFound
from domain.network import ChargePoint

T = TypeVar("T")
Change = Callable[[ChargePoint, datetime], T]
MAX_BATCH = 200


@frozen
class _Change:
    charge_point_id: str
    change: Change[Any]


async def apply_alone(charge_point_id: str, change: Change[T], *, uow_factory: UnitOfWorkFactory,
                      clock: Clock) -> T:
    """``change`` applied to the charge point under its lock, saved and committed in a unit of work of its own."""
    async with uow_factory() as uow:
        found = await uow.charge_points.find_many_for_update([charge_point_id])
        charge_point = found.get(charge_point_id)
        if charge_point is None:
            raise NotFound("charge_point", charge_point_id)
        result = change(charge_point, clock.now())
        await uow.charge_points.save(charge_point)
        await uow.commit()
    return result


class ChargePointWrites:
    """Group commit of charge points' own changes. ``commits`` and ``applied`` count batches and their changes."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, *, max_batch: int = MAX_BATCH) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._batches: Batches[_Change, Any] = Batches(self._write, max_batch=max_batch, name="charge point writes")
        self.commits = 0
        self.applied = 0

    async def apply(self, charge_point_id: str, change: Change[T]) -> T:
        """``change(charge_point, now)`` applied and committed, with other charge points' changes; its result."""
        result: T = await self._batches.submit(_Change(charge_point_id, change))
        return result

    async def close(self) -> None:
        """Write what is queued on this event loop and stop its task (``apply`` starts a new one)."""
        await self._batches.close()

    async def _write(self, batch: list[Queued[_Change, Any]]) -> None:
        try:
            outcomes = await self._together([queued.item for queued in batch])
        except Exception:  # noqa: BLE001  # whatever failed, each change is tried alone and fails alone
            # Nothing of the batch was kept: each change alone, so that only a change that fails alone fails.
            for queued in batch:
                try:
                    result = await apply_alone(queued.item.charge_point_id, queued.item.change,
                                               uow_factory=self._uow_factory, clock=self._clock)
                except Exception as exc:  # noqa: BLE001  # the caller's own failure, raised where it waits
                    queued.settle(exc)
                else:
                    self.commits += 1
                    self.applied += 1
                    queued.settle(result)
            return
        self.commits += 1
        self.applied += sum(1 for outcome in outcomes if not isinstance(outcome, NotFound))
        for queued, outcome in zip(batch, outcomes, strict=True):
            queued.settle(outcome)

    async def _together(self, batch: list[_Change]) -> list[Any]:
        outcomes: list[Any] = []
        async with self._uow_factory() as uow:
            found = await uow.charge_points.find_many_for_update([change.charge_point_id for change in batch])
            now = self._clock.now()
            changed: dict[str, ChargePoint] = {}
            for change in batch:
                charge_point = found.get(change.charge_point_id)
                if charge_point is None:
                    outcomes.append(NotFound("charge_point", change.charge_point_id))
                    continue
                outcomes.append(change.change(charge_point, now))
                changed[charge_point.id] = charge_point
            await uow.charge_points.save_many(list(changed.values()))
            await uow.commit()
        return outcomes
