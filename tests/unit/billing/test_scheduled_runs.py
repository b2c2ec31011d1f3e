"""The invoice_day schedule: from that local day of the month on, the previous month is invoiced once; a failed
run is tried again after an hour; unfinished runs are there for a starting server to take over."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from attrs import evolve

from application import invoice_runs
from application.ports.billing import RunStatus
from tests.unit.billing.world import ORG, build, priced_session, setup


async def test_runs_fall_due_on_the_invoice_day_of_the_organizations_time_zone():
    # 22:30 UTC on 2 March is already the 3rd in Tokyo, not yet in London.
    world = build(now=datetime(2026, 3, 2, 22, 30, tzinfo=UTC), invoice_day=3)
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 2, 10, 8, tzinfo=UTC), Decimal(10))
    due = functools.partial(invoice_runs.due_invoice_runs, uow_factory=world.uow, clock=world.clock)
    assert await due() == []                                       # Europe/London: the 2nd
    async with world.uow() as uow:
        organization = await uow.organizations.get(ORG)
        organization.settings = evolve(organization.settings, timezone="Asia/Tokyo")
        await uow.organizations.save(organization)
        await uow.commit()
    [run] = await due()
    assert (run.period_start.isoformat(), run.period_end.isoformat(), run.status) == (
        "2026-02-01", "2026-03-01", RunStatus.PENDING)
    assert await due() == []                                       # recorded: not twice
    assert [r.id for r in await invoice_runs.unfinished_invoice_runs(uow_factory=world.uow)] == [run.id]
    done = await invoice_runs.run_invoices(run.id, ORG, uow_factory=world.uow, clock=world.clock)
    assert (done.status, done.invoices_created) == (RunStatus.COMPLETED, 1)
    assert await invoice_runs.unfinished_invoice_runs(uow_factory=world.uow) == []
    await priced_session(world, dana, datetime(2026, 2, 27, 8, tzinfo=UTC), Decimal(2))   # a late one
    world.clock.advance(seconds=86_400)
    assert await due() == []                                       # February was invoiced: it waits for March


async def test_a_failed_run_is_tried_again_after_an_hour():
    world = build(now=datetime(2026, 3, 5, 9, tzinfo=UTC))
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 2, 10, 8, tzinfo=UTC), Decimal(10))
    due = functools.partial(invoice_runs.due_invoice_runs, uow_factory=world.uow, clock=world.clock)
    [run] = await due()
    async with world.uow() as uow:
        stored = await uow.invoice_runs.get(ORG, run.id)
        stored.status, stored.finished_at, stored.error = RunStatus.FAILED, world.clock.now(), "database gone"
        await uow.invoice_runs.save(stored)
        await uow.commit()
    world.clock.advance(seconds=3_599)
    assert await due() == []
    world.clock.advance(seconds=1)
    [again] = await due()
    assert again.id != run.id and again.period_start == run.period_start
    assert world.clock.now() - run.created_at == timedelta(hours=1)
