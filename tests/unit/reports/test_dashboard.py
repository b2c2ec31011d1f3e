"""The operator dashboard's use case on the in-memory store: this month's figures are the reports', a viewer may
read them, the peak-hours cell is the session's local hour, the top locations are ranked by revenue, only the
charge points offline now are listed, and another organization's data never appears."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application.dashboard import operator_dashboard
from application.reports import ReportName, ReportRequest
from domain.errors import NotFound
from entrypoints.web.dashboard import heatmap_text
from tests.unit.reports.world import actor, build, completed_session, organization

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


async def test_this_months_figures_top_locations_and_offline_charge_points_of_one_organization():
    world = build(now=NOW)
    voltline = await organization(world, zones=("Europe/Berlin", "America/New_York", "UTC"))
    other = await organization(world, zones=("Europe/Berlin",))
    berlin, new_york, _ = voltline.charge_points
    # 08:30 in Berlin on Tuesday 17 March (07:30 UTC); 2 sessions in New York; one last month; another org's.
    await completed_session(world, voltline, berlin, 1, datetime(2026, 3, 17, 7, 30, tzinfo=UTC),
                            datetime(2026, 3, 17, 8, 30, tzinfo=UTC), Decimal(10_000))
    for day in (2, 3):
        await completed_session(world, voltline, new_york, 1, datetime(2026, 3, day, 15, tzinfo=UTC),
                                datetime(2026, 3, day, 16, tzinfo=UTC), Decimal(4_000))
    await completed_session(world, voltline, berlin, 2, datetime(2026, 2, 10, 9, tzinfo=UTC),   # booked when priced:
                            datetime(2026, 2, 10, 10, tzinfo=UTC), Decimal(50_000), priced=False)   # this clock's now
    await completed_session(world, other, other.charge_points[0], 1, datetime(2026, 3, 5, 9, tzinfo=UTC),
                            datetime(2026, 3, 5, 10, tzinfo=UTC), Decimal(70_000))
    async with world.uow() as uow:
        online = await uow.charge_points.get(voltline.id, new_york.id)
        online.connected("ocpp1.6", NOW - timedelta(minutes=5))
        await uow.charge_points.save(online)
        await uow.commit()

    dashboard = functools.partial(operator_dashboard, uow_factory=world.uow, clock=world.clock)
    found = await dashboard(voltline.actor, voltline.id)           # a viewer's key
    assert found.organization_name == "Voltline" and found.currency == "EUR"
    assert found.usage.totals["sessions"] == 3 and found.usage.totals["energy_kwh"] == Decimal(18)
    same = await world.report(voltline.actor, voltline.id, ReportName.REVENUE, ReportRequest(group_by="month"))
    assert found.revenue.totals == same.totals and found.revenue.totals["total_excl_vat"] > 0
    assert found.revenue.window.start.isoformat() == "2026-03-01"
    assert found.peak_hours.matrix[1][8] == 1                      # Tuesday, 08:00 Berlin time
    # By revenue, not sessions: Berlin's one 10 kWh session (3.00 + 0.50 net) beats New York's two of 4 kWh (3.40).
    assert [(r["location_name"], r["sessions"], r["revenue"]) for r in found.top_locations][:2] == [
        ("Site 0 Europe/Berlin", 1, Decimal("3.50")), ("Site 1 America/New_York", 2, Decimal("3.40"))]
    assert [r["rank"] for r in found.top_locations] == [1, 2, 3]
    assert [cp.id for cp in found.offline] == sorted([berlin.id, voltline.charge_points[2].id])
    assert not found.more_offline
    assert set(found.location_names) == {x.id for x in voltline.locations}
    assert "busiest hour" in heatmap_text(found.peak_hours)

    few = await dashboard(voltline.actor, voltline.id, top=1, offline_shown=1)
    assert len(few.top_locations) == 1 and len(few.offline) == 1 and few.more_offline
    theirs = await dashboard(other.actor, other.id)
    assert theirs.usage.totals["sessions"] == 1 and theirs.usage.totals["energy_kwh"] == Decimal(70)
    assert {cp.id for cp in theirs.offline} == {other.charge_points[0].id}
    with pytest.raises(NotFound):
        await dashboard(voltline.actor, other.id)


async def test_an_empty_month_reads_as_no_sessions():
    world = build(now=NOW)
    empty = await organization(world, zones=("UTC",))
    found = await operator_dashboard(actor(empty.id), empty.id, uow_factory=world.uow, clock=world.clock)
    assert found.usage.totals["sessions"] == 0
    assert heatmap_text(found.peak_hours).endswith("no sessions yet.")
