"""The facts handlers on the in-memory fakes: written once per completed session whichever of pricing and
booking comes first, replaced (never added twice) when handled again, and rebuilt for every session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from application.reports import ReportName, ReportRequest
from application.session_facts import rebuild_session_facts, record_session_fact
from domain.charging.events import SessionCompleted
from tests.unit.reports.world import build, completed_session, organization

JUNE = ReportRequest(date(2026, 6, 1), date(2026, 7, 1), "location")


async def test_handling_again_replaces_and_a_rebuild_walks_every_page():
    world = build()
    org = await organization(world, zones=("Europe/Berlin",))
    point = org.charge_points[0]
    made = []
    for day in range(1, 6):
        start = datetime(2026, 6, day, 9, tzinfo=UTC)
        world.clock.current = start + timedelta(hours=1)
        made.append(await completed_session(world, org, point, 1, start, start + timedelta(hours=1),
                                            Decimal(2000)))
    before = await world.report(org.actor, org.id, ReportName.USAGE, JUNE)
    assert before.rows[0]["sessions"] == 5 and before.rows[0]["energy_kwh"] == Decimal("10.000")
    again = SessionCompleted(organization_id=org.id, occurred_at=made[0].stopped_at, session_id=made[0].id,
                             charge_point_id=point.id, started_at=made[0].started_at, stopped_at=made[0].stopped_at,
                             energy_wh=Decimal(2000), stop_reason=None)
    await record_session_fact(again, uow_factory=world.uow)
    assert await rebuild_session_facts(org.id, uow_factory=world.uow, batch=2) == 5
    after = await world.report(org.actor, org.id, ReportName.USAGE, JUNE)
    assert after.rows == before.rows
    async with world.uow(read_only=True) as uow:
        facts = [await uow.session_facts.get(org.id, s.id) for s in made]
    assert all(f is not None and f.revenue is not None and f.revenue.net_minor == 110 for f in facts)
