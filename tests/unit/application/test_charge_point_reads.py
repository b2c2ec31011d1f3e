"""Admissions of charge points connecting at once share a read; each caller gets its own object."""

from __future__ import annotations

import asyncio

import pytest

from application import network
from application.charge_point_reads import ChargePointReads
from domain.errors import NotFound
from tests.fakes import FastHasher
from tests.unit.application.charging_env import charging_env


@pytest.fixture
async def net(env):
    net = await charging_env(env)
    net.reads = ChargePointReads(net.uow)
    yield net
    await net.reads.close()


async def test_lookups_made_together_are_one_read_and_the_unknown_is_none(net):
    one, again, other, nobody = await asyncio.gather(
        net.reads.find("CP-1"), net.reads.find("CP-1"), net.reads.find("CP-2"), net.reads.find("CP-NOBODY"))
    assert net.reads.reads == 1
    assert (one.id, again.id, other.id, nobody) == ("CP-1", "CP-1", "CP-2", None)
    assert one == again and one is not again


async def test_admission_reads_through_them_and_still_checks_the_password(net):
    admit = lambda cp, password: network.admit_charge_point(  # noqa: E731
        cp, password, uow_factory=net.uow, hasher=FastHasher(), reads=net.reads)
    admitted, refused, unknown = await asyncio.gather(
        admit("CP-1", "a-very-secret-pass"), admit("CP-1", "wrong"), admit("CP-NOBODY", None),
        return_exceptions=True)
    assert admitted.id == "CP-1"
    assert type(refused).__name__ == "Unauthenticated" and isinstance(unknown, NotFound)
    assert net.reads.reads == 1


async def test_a_failed_read_fails_each_lookup_of_its_batch(net):
    class Down:
        def __call__(self, *, read_only: bool = False):
            raise ConnectionError("database is down")

    reads = ChargePointReads(Down())
    outcomes = await asyncio.gather(reads.find("CP-1"), reads.find("CP-2"), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)
    await reads.close()
