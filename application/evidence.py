"""The evidence a dispute is judged on that nothing else keeps: the OCPP frames of each transaction as they were
received (and answered), and how long it and the meter samples are kept.

Frames are recorded after the charge point has its answer, so keeping them never slows a charge point down.
They are kept, like a session's meter samples, for at least the organization's dispute window after the
session plus ``retention`` (a setting, a year by default), then pruned by a background job, in batches; a
session under a dispute that is not resolved or withdrawn keeps its evidence whatever its age.
"""

from __future__ import annotations

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
    """Keep the frames of a transaction message (the call and our answer), in the charge point's organization."""
    if not records:
        return
    async with uow_factory() as uow:
        charge_point = await uow.charge_points.find(records[0].charge_point_id)
        if charge_point is None:
            return
        org = charge_point.organization_id
        await uow.ocpp_frames.add([OcppFrame(id=new_id(PREFIXES["ocpp_frame"]), organization_id=org,
                                             charge_point_id=r.charge_point_id, transaction_id=r.transaction_id,
                                             at=r.at, direction=r.direction, action=r.action, message=r.message)
                                   for r in records])
        await uow.commit()


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
