"""The evidence a dispute is judged on that nothing else keeps: the OCPP frames of each transaction as they were
received (and answered), and how long it and the meter samples are kept.

Frames are recorded after the charge point has its answer, so keeping them never slows a charge point down,
and in groups (``FrameRecorder``): the frames every charge point sent within a few milliseconds are kept in one
transaction, so the MeterValues path's database work stays the meter sink's one grouped write per batch, plus
one for its frames. A process that dies loses at most those few milliseconds of frames (the parsed messages
themselves are stored already).
They are kept, like a session's meter samples, for at least the organization's dispute window after the
session plus ``retention`` (a setting, a year by default), then pruned by a background job, in batches; a
session under a dispute that is not resolved or withdrawn keeps its evidence whatever its age.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from attrs import frozen

from application.ports import Clock, UnitOfWorkFactory
from application.ports.portal import OcppFrame
from domain.ids import PREFIXES, new_id

log = logging.getLogger("charge.evidence")
DEFAULT_RETENTION = timedelta(days=365)
PRUNE_BATCH = 5_000


@frozen
class FrameRecord:
    """One frame as the OCPP door saw it, and the transaction it belongs to."""

    charge_point_id: str
    transaction_id: str
    at: datetime
    direction: str           # "in" from the charge point, "out" our answer
    action: str
    message: str


async def record_frames(records: Sequence[FrameRecord], *, uow_factory: UnitOfWorkFactory) -> None:
    """Keep frames (of any charge points) in one transaction, each in its charge point's organization."""
    if not records:
        return
    async with uow_factory() as uow:
        organizations: dict[str, str | None] = {}
        for cp_id in dict.fromkeys(r.charge_point_id for r in records):
            charge_point = await uow.charge_points.find(cp_id)
            organizations[cp_id] = charge_point.organization_id if charge_point is not None else None
        frames = [OcppFrame(id=new_id(PREFIXES["ocpp_frame"]), organization_id=org,
                            charge_point_id=r.charge_point_id, transaction_id=r.transaction_id, at=r.at,
                            direction=r.direction, action=r.action, message=r.message)
                  for r in records if (org := organizations[r.charge_point_id]) is not None]
        if frames:
            await uow.ocpp_frames.add(frames)
            await uow.commit()


class FrameRecorder:
    """Frames wait ``delay`` seconds, then every frame that arrived meanwhile is kept in one transaction (at most
    ``batch`` a transaction). ``close`` keeps what is waiting."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, delay: float = 0.05, batch: int = 2_000) -> None:
        self._uow_factory = uow_factory
        self._delay = delay
        self._batch = batch
        self._waiting: list[FrameRecord] = []
        self._task: asyncio.Task[None] | None = None

    def keep(self, records: Sequence[FrameRecord]) -> None:
        self._waiting.extend(records)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._after_delay())

    async def _after_delay(self) -> None:
        await asyncio.sleep(self._delay)
        await self.flush()

    async def flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:self._batch], self._waiting[self._batch:]
            try:
                await record_frames(batch, uow_factory=self._uow_factory)
            except Exception:  # evidence is best kept, never worth the charge points' connections
                log.exception("OCPP frames not kept", extra={"frames": len(batch)})

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self.flush()


async def keep_frames(records: Sequence[FrameRecord], *, recorder: FrameRecorder) -> None:
    """The OCPP door's call: the frames join the next group (see ``FrameRecorder``)."""
    recorder.keep(records)


async def prune_evidence(*, uow_factory: UnitOfWorkFactory, clock: Clock, retention: timedelta = DEFAULT_RETENTION,
                         batch: int = PRUNE_BATCH) -> int:
    """Delete frames and samples past every organization's dispute window plus ``retention``; how many rows went."""
    now = clock.now()
    async with uow_factory(read_only=True) as uow:
        windows = await uow.evidence.windows()
    total = 0
    for organization_id, window_days in windows:
        before = now - timedelta(days=window_days) - retention
        while True:
            async with uow_factory() as uow:
                removed = await uow.evidence.prune(organization_id, before, batch)
                await uow.commit()
            total += removed
            if removed < batch:
                break
    if total:
        log.info("evidence pruned", extra={"rows": total})
    return total
