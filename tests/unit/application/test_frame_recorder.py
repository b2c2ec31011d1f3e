"""The OCPP door's frames wait a moment and are kept together: one transaction for every charge point's frames of
that moment, not one per message (the MeterValues path keeps its one grouped write)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from application.evidence import FrameRecord, FrameRecorder
from tests.unit.application.charging_env import charging_env

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
async def net(env):
    return await charging_env(env)


def frames(charge_point_id: str, transaction_id: str) -> list[FrameRecord]:
    return [FrameRecord(charge_point_id, transaction_id, AT, "in", "MeterValues", '[2,"1","MeterValues",{}]'),
            FrameRecord(charge_point_id, transaction_id, AT, "out", "MeterValues", '[3,"1",{}]')]


async def test_frames_of_a_moment_are_kept_in_one_transaction_in_their_charge_points_organization(net):
    opened = []

    def counting(*args, **kwargs):
        opened.append(kwargs)
        return net.store.unit_of_work(*args, **kwargs)

    recorder = FrameRecorder(counting, delay=3600)     # nothing is kept until a flush (or the delay)
    for transaction in ("1", "2", "3"):
        recorder.keep(frames("CP-1", transaction))
    recorder.keep(frames("CP-UNKNOWN", "9"))           # a charge point nobody registered: its frames are dropped
    assert net.store.tables["ocpp_frames"] == {} and opened == []
    await recorder.close()
    kept = list(net.store.tables["ocpp_frames"].values())
    assert len(opened) == 1
    assert sorted((f.transaction_id, f.direction) for f in kept) == [
        (t, d) for t in ("1", "2", "3") for d in ("in", "out")]
    assert {f.organization_id for f in kept} == {net.org.id}
    await recorder.close()                             # nothing waiting: no transaction at all
    assert len(opened) == 1


async def test_frames_are_kept_after_the_delay_without_a_flush(net):
    recorder = FrameRecorder(net.store.unit_of_work, delay=0.01)
    recorder.keep(frames("CP-1", "7"))
    for _ in range(200):
        if net.store.tables["ocpp_frames"]:
            break
        await asyncio.sleep(0.01)
    assert {f.transaction_id for f in net.store.tables["ocpp_frames"].values()} == {"7"}
    await recorder.close()
