"""Charge points looked up by identity, many in one read: a reconnect storm's admissions share their reads.

Thousands of charge points connecting at once each need their registration read before the websocket
opens (``network.admit_charge_point``); one read-only unit of work each costs a connection and a statement
each. Here the lookups queued when a read starts (up to ``max_batch``) are one statement. A read that fails
fails every lookup of its batch, as each would have failed alone.
"""

from __future__ import annotations

import copy

from application.batches import Batches, Queued
from application.ports import UnitOfWorkFactory
from domain.network import ChargePoint

MAX_BATCH = 500


class ChargePointReads:
    """``find`` as the charge point repository's, grouped; ``reads`` counts the statements it took."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, max_batch: int = MAX_BATCH) -> None:
        self._uow_factory = uow_factory
        self._batches: Batches[str, ChargePoint | None] = Batches(self._read, max_batch=max_batch,
                                                                  name="charge point reads")
        self.reads = 0

    async def find(self, charge_point_id: str) -> ChargePoint | None:
        return await self._batches.submit(charge_point_id)

    async def close(self) -> None:
        await self._batches.close()

    async def _read(self, batch: list[Queued[str, ChargePoint | None]]) -> None:
        try:
            async with self._uow_factory(read_only=True) as uow:
                found = await uow.charge_points.find_many([queued.item for queued in batch])
        except Exception as exc:  # noqa: BLE001  # each caller hears the failure its own read would have had
            for queued in batch:
                queued.settle(exc)
            return
        self.reads += 1
        handed: set[str] = set()
        for queued in batch:
            charge_point = found.get(queued.item)
            # Each caller gets an object of its own (two connections of one charge point may look it up at once).
            queued.settle(copy.deepcopy(charge_point) if queued.item in handed else charge_point)
            handed.add(queued.item)
