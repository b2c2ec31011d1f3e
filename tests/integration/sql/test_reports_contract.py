"""The reports ports on every storage (the in-memory fakes, SQLite, PostgreSQL): session facts with their rollups,
usage, peak hours, connectors' occupancy and the ledger's revenue, each scoped by organization."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from application.ports.reports import Dimension, GroupKey, UsageSums
from application.reports import ReportName, ReportRequest
from domain.errors import InvalidInput, NotFound
from domain.reports import Grain, ReportWindow, SessionRevenue
from tests.unit.reports.world import build, completed_session, organization

JUNE = ReportWindow.of(date(2026, 6, 1), date(2026, 7, 1))


async def usage(world, org, window=JUNE, group_by=Grain.DAY, location_id=None):
    async with world.uow(read_only=True) as uow:
        return await uow.reports.usage(org.id, window, group_by, location_id)


async def test_a_session_counts_on_its_local_start_date_and_occupies_each_local_day_it_spans(storage):
    world = build(storage)
    org = await organization(world, zones=("Europe/Berlin",))
    point = org.charge_points[0]
    # 23:00 Berlin (CEST) on 10 June to 01:30 on 11 June: started on the 10th, occupied 1 h then 1.5 h.
    session = await completed_session(world, org, point, 2, datetime(2026, 6, 10, 21, tzinfo=UTC),
                                      datetime(2026, 6, 10, 23, 30, tzinfo=UTC), Decimal("12345.6789"))
    by_day = await usage(world, org)
    hour = 3_600_000_000
    assert by_day == {
        GroupKey(period=date(2026, 6, 10)): UsageSums(1, 12_345_679, 2.5 * hour, 2.5 * hour, 0, hour),
        GroupKey(period=date(2026, 6, 11)): UsageSums(occupied_us=int(1.5 * hour)),
    }
    connector = GroupKey(location_id=point.location_id, charge_point_id=point.id, evse_id=1, connector_id=2)
    assert await usage(world, org, group_by=Dimension.CONNECTOR) == {
        connector: UsageSums(1, 12_345_679, 2.5 * hour, 2.5 * hour, 0, 2.5 * hour)}
    # A window that ends on the 11th keeps the session and its first hour only.
    assert await usage(world, org, ReportWindow.of(date(2026, 6, 1), date(2026, 6, 11)), Dimension.CHARGE_POINT) == {
        GroupKey(location_id=point.location_id, charge_point_id=point.id): UsageSums(1, 12_345_679, 2.5 * hour,
                                                                                   2.5 * hour, 0, hour)}
    async with world.uow(read_only=True) as uow:
        fact = await uow.session_facts.get(org.id, session.id)
    assert fact is not None and fact.revenue is not None and fact.revenue.currency == "EUR"
    assert (fact.local_date, fact.local_hour, fact.weekday) == (date(2026, 6, 10), 23, 3)


async def test_a_berlin_session_started_at_0830_local_is_in_the_0800_cell_of_its_weekday(storage):
    world = build(storage)
    org = await organization(world, zones=("Europe/Berlin", "Asia/Kolkata"))
    berlin, kolkata = org.charge_points
    # 08:30 CEST on Monday 1 June 2026 is 06:30 UTC; 08:30 CET on Monday 2 March is 07:30 UTC.
    await completed_session(world, org, berlin, 1, datetime(2026, 6, 1, 6, 30, tzinfo=UTC),
                            datetime(2026, 6, 1, 7, 30, tzinfo=UTC), Decimal(5000))
    await completed_session(world, org, berlin, 1, datetime(2026, 3, 2, 7, 30, tzinfo=UTC),
                            datetime(2026, 3, 2, 8, tzinfo=UTC), Decimal(5000))
    # 00:15 IST on Tuesday 2 June is 18:45 UTC on Monday: a Tuesday at 00:00 in Kolkata.
    await completed_session(world, org, kolkata, 1, datetime(2026, 6, 1, 18, 45, tzinfo=UTC),
                            datetime(2026, 6, 1, 19, 45, tzinfo=UTC), Decimal(5000))
    async with world.uow(read_only=True) as uow:
        cells = await uow.reports.peak_hours(org.id, ReportWindow.of(date(2026, 1, 1), date(2027, 1, 1)))
        berlin_only = await uow.reports.peak_hours(org.id, JUNE, berlin.location_id)
    assert cells == {(1, 8): 2, (2, 0): 1}
    assert berlin_only == {(1, 8): 1}


async def test_replacing_a_fact_takes_its_old_figures_back(storage):
    world = build(storage)
    org = await organization(world, zones=("America/New_York",))
    session = await completed_session(world, org, org.charge_points[0], 1, datetime(2026, 6, 30, 23, tzinfo=UTC),
                                      datetime(2026, 7, 1, 5, tzinfo=UTC), Decimal(7000), priced=False)
    async with world.uow() as uow:
        fact = await uow.session_facts.get(org.id, session.id)
        assert fact is not None and fact.revenue is None
        await uow.session_facts.put(fact)        # the same fact again: nothing moves
        moved = attrs.evolve(fact, started_at=datetime(2026, 6, 2, 12, tzinfo=UTC),
                             stopped_at=datetime(2026, 6, 2, 13, tzinfo=UTC), charging_us=1_800_000_000,
                             idle_us=1_800_000_000)
        await uow.session_facts.put(moved)
        assert await uow.session_facts.set_revenue(org.id, session.id,
                                                   SessionRevenue("EUR", 250, datetime(2026, 6, 2, 13, tzinfo=UTC)))
        assert not await uow.session_facts.set_revenue(org.id, "ses_unknown",
                                                       SessionRevenue("EUR", 1, moved.stopped_at))
        await uow.commit()
    hour = 3_600_000_000
    july = ReportWindow.of(date(2026, 6, 1), date(2026, 8, 1))
    assert await usage(world, org, july, Grain.MONTH) == {
        GroupKey(period=date(2026, 6, 1)): UsageSums(1, 7_000_000, hour, hour // 2, hour // 2, hour)}
    point = org.charge_points[0]
    assert await usage(world, org, july, Dimension.CHARGE_POINT) == {
        GroupKey(location_id=point.location_id, charge_point_id=point.id): UsageSums(1, 7_000_000, hour, hour // 2,
                                                                                   hour // 2, hour)}
    async with world.uow(read_only=True) as uow:
        assert await uow.reports.revenue_by_location(org.id, datetime(2026, 6, 1, tzinfo=UTC),
                                                     datetime(2026, 7, 1, tzinfo=UTC)) == {
            (point.location_id, "EUR"): 250}


async def test_whole_months_and_the_days_around_them_add_up_by_connector(storage):
    world = build(storage)
    org = await organization(world, zones=("Australia/Lord_Howe",))
    point = org.charge_points[0]
    starts = [datetime(2026, 1, 31, 13, 10, tzinfo=UTC), datetime(2026, 2, 14, 2, tzinfo=UTC),
              datetime(2026, 3, 31, 13, 20, tzinfo=UTC), datetime(2026, 4, 4, 14, 45, tzinfo=UTC)]
    for i, start in enumerate(starts):
        await completed_session(world, org, point, 1 + i % 2, start, start + timedelta(hours=3),
                                Decimal(1000 * (i + 1)), priced=False)
    window = ReportWindow.of(date(2026, 1, 20), date(2026, 4, 10))
    by_connector = await usage(world, org, window, Dimension.CONNECTOR)
    by_day = await usage(world, org, window, Grain.DAY)
    total = sum(by_connector.values(), UsageSums())
    assert total == sum(by_day.values(), UsageSums())
    assert total.sessions == 4 and total.energy_mwh == 10_000_000 and total.occupied_us == 4 * 3 * 3_600_000_000


async def test_revenue_is_the_ledgers_read_in_the_organizations_zone(storage):
    world = build(storage)
    org = await organization(world, zones=("America/New_York", "Europe/Berlin"), timezone="Europe/Berlin")
    new_york, berlin = org.charge_points
    # Priced (posted) when stored: the clock is the posting instant.
    world.clock.current = datetime(2026, 6, 30, 21, 59, tzinfo=UTC)      # 23:59 on 30 June in Berlin
    await completed_session(world, org, new_york, 1, datetime(2026, 6, 30, 20, tzinfo=UTC),
                            datetime(2026, 6, 30, 21, tzinfo=UTC), Decimal(10_000))
    world.clock.current = datetime(2026, 6, 30, 22, 1, tzinfo=UTC)       # 00:01 on 1 July in Berlin
    await completed_session(world, org, berlin, 1, datetime(2026, 6, 30, 20, tzinfo=UTC),
                            datetime(2026, 6, 30, 21, tzinfo=UTC), Decimal(20_000))
    async with world.uow(read_only=True) as uow:
        june_start, july_start = datetime(2026, 5, 31, 22, tzinfo=UTC), datetime(2026, 6, 30, 22, tzinfo=UTC)
        by_day = await uow.reports.ledger(org.id, june_start, datetime(2026, 7, 31, 22, tzinfo=UTC), "Europe/Berlin",
                                          Grain.DAY)
        by_month = await uow.reports.ledger(org.id, june_start, datetime(2026, 7, 31, 22, tzinfo=UTC),
                                            "Europe/Berlin", Grain.MONTH)
        june = await uow.reports.ledger(org.id, june_start, july_start, "Europe/Berlin", None)
        by_location = await uow.reports.revenue_by_location(org.id, june_start, july_start)
    # 10 kWh × 0.30 + 0.50 = 3.50 net; 20 kWh: 6.50. VAT is booked when invoiced, not yet.
    assert {k: v.charging_credits for k, v in by_day.items()} == {(date(2026, 6, 30), "EUR"): 350,
                                                                  (date(2026, 7, 1), "EUR"): 650}
    assert {k: v.total_excl_vat for k, v in by_month.items()} == {(date(2026, 6, 1), "EUR"): 350,
                                                                  (date(2026, 7, 1), "EUR"): 650}
    assert {k: (v.total_excl_vat, v.vat) for k, v in june.items()} == {(None, "EUR"): (350, 0)}
    assert by_location == {(new_york.location_id, "EUR"): 350}


async def test_another_organizations_data_never_appears(storage):
    world = build(storage)
    ours = await organization(world, zones=("Europe/Berlin",))
    theirs = await organization(world, zones=("Europe/Berlin",))
    await completed_session(world, theirs, theirs.charge_points[0], 1, datetime(2026, 6, 3, 8, tzinfo=UTC),
                            datetime(2026, 6, 3, 9, tzinfo=UTC), Decimal(9000))
    window = ReportWindow.of(date(2026, 1, 1), date(2027, 1, 1))
    async with world.uow(read_only=True) as uow:
        for group_by in (*Grain, *Dimension):
            assert await uow.reports.usage(ours.id, window, group_by) == {}
        assert await uow.reports.peak_hours(ours.id, window) == {}
        assert await uow.reports.ledger(ours.id, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                                        "UTC", Grain.DAY) == {}
        assert await uow.reports.revenue_by_location(ours.id, datetime(2026, 1, 1, tzinfo=UTC),
                                                     datetime(2027, 1, 1, tzinfo=UTC)) == {}
        assert [c.charge_point_id for c in await uow.reports.connectors(ours.id)] == [ours.charge_points[0].id] * 2
        assert [x.id for x in await uow.reports.locations(ours.id)] == [ours.locations[0].id]
    for name in ReportName:
        report = await world.report(ours.actor, ours.id, name, ReportRequest(date(2026, 1, 1), date(2027, 1, 1)))
        assert theirs.locations[0].id not in repr(report) and theirs.charge_points[0].id not in repr(report)
    with pytest.raises(NotFound):
        await world.report(ours.actor, theirs.id, ReportName.USAGE, ReportRequest())
    with pytest.raises(InvalidInput) as refused:
        await world.report(ours.actor, ours.id, ReportName.USAGE, ReportRequest(location_id=theirs.locations[0].id))
    assert [e.field for e in refused.value.errors] == ["location_id"]


async def test_revenue_subtracts_credit_notes_and_voids_and_agrees_with_the_trial_balance(storage):
    from application.invoices import CreditNoteRequest
    from application.pagination import PageRequest
    from application.ports.billing import InvoiceFilter
    from domain.billing.periods import BillingPeriod

    world = build(storage)
    org = await organization(world, zones=("Europe/Berlin",), timezone="Europe/Berlin")
    point = org.charge_points[0]
    world.clock.current = datetime(2026, 5, 10, 12, tzinfo=UTC)
    await completed_session(world, org, point, 1, datetime(2026, 5, 10, 8, tzinfo=UTC),
                            datetime(2026, 5, 10, 9, tzinfo=UTC), Decimal(10_000))     # 3.50 net, 19 % VAT
    await completed_session(world, org, point, 2, datetime(2026, 5, 11, 8, tzinfo=UTC),
                            datetime(2026, 5, 11, 9, tzinfo=UTC), Decimal(20_000))     # 6.50 net
    world.clock.current = datetime(2026, 6, 2, 9, tzinfo=UTC)
    await world.run_period(org.id, BillingPeriod.month("2026-05"))
    async with world.uow(read_only=True) as uow:
        [invoice] = (await uow.invoices.list(org.id, InvoiceFilter(), PageRequest(limit=10))).items
    await world.finalize(invoice.id, org.admin, org.id)                                  # VAT 1.90 booked in June
    world.clock.current = datetime(2026, 6, 20, 9, tzinfo=UTC)
    await world.credit(invoice.id, CreditNoteRequest(reason="Goodwill", amount=Decimal("2.38")), org.admin, org.id)
    may_june = ReportRequest(date(2026, 5, 1), date(2026, 7, 1), "month")
    report = await world.report(org.actor, org.id, ReportName.REVENUE, may_june)
    rows = {r["period"]: r for r in report.rows}
    may, june = rows[date(2026, 5, 1)], rows[date(2026, 6, 1)]
    assert (may["charging"], may["total_excl_vat"], may["vat"]) == (Decimal("10.00"), Decimal("10.00"), Decimal(0))
    # The credit note of 2.38 incl. VAT takes 2.00 of revenue and 0.38 of VAT back.
    assert (june["credit_notes"], june["total_excl_vat"], june["vat"], june["total"]) == (
        Decimal("2.00"), Decimal("-2.00"), Decimal("1.52"), Decimal("-0.48"))
    assert report.totals == {"currency": "EUR", "total_excl_vat": Decimal("8.00"), "vat": Decimal("1.52"),
                             "total": Decimal("9.52")}
    balance = await world.trial_balance(org.admin, org.id, None)
    accounts = {row.account: row.balance for row in balance.accounts}
    assert accounts["charging_revenue"] + accounts.get("fee_revenue", 0) == report.totals["total_excl_vat"]
    assert sum(v for k, v in accounts.items() if k.startswith("vat_payable:")) == report.totals["vat"]
    by_location = await world.report(org.actor, org.id, ReportName.REVENUE,
                                     ReportRequest(date(2026, 5, 1), date(2026, 7, 1), "location"))
    assert [(r["location_id"], r["total_excl_vat"]) for r in by_location.rows] == [
        (point.location_id, Decimal("10.00")), (None, Decimal("-2.00"))]
    assert by_location.totals == report.totals


async def test_revenue_by_location_follows_the_organizations_zone_when_it_changes(storage):
    from application.session_facts import rebuild_session_facts

    world = build(storage)
    org = await organization(world, zones=("Europe/Berlin",), timezone="Europe/Berlin")
    point = org.charge_points[0]
    world.clock.current = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)   # 1 July in Berlin, 30 June in New York
    await completed_session(world, org, point, 1, datetime(2026, 6, 30, 20, tzinfo=UTC),
                            datetime(2026, 6, 30, 21, tzinfo=UTC), Decimal(10_000))
    july = ReportRequest(date(2026, 7, 1), date(2026, 8, 1), "location", location_id=point.location_id)
    before = await world.report(org.actor, org.id, ReportName.REVENUE, july)
    assert [r["total_excl_vat"] for r in before.rows] == [Decimal("3.50")]
    async with world.uow() as uow:
        organization_ = await uow.organizations.get(org.id)
        organization_.settings = attrs.evolve(organization_.settings, timezone="America/New_York")
        await uow.organizations.save(organization_)
        await uow.commit()
    for _ in range(2):       # read from the facts while the rollup is of the old zone, then after a rebuild
        after = await world.report(org.actor, org.id, ReportName.REVENUE, july)
        assert [r["total_excl_vat"] for r in after.rows] == [Decimal("0.00")]
        june = await world.report(org.actor, org.id, ReportName.REVENUE,
                                  attrs.evolve(july, start=date(2026, 6, 1), end=date(2026, 7, 1)))
        assert [r["total_excl_vat"] for r in june.rows] == [Decimal("3.50")]
        assert await rebuild_session_facts(org.id, uow_factory=world.uow) == 1
