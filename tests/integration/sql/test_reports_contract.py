"""The reports ports on every storage (the in-memory fakes, SQLite, PostgreSQL): session facts with their rollups,
usage, peak hours, connectors' occupancy and the ledger's revenue, each scoped by organization."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from application.ports.reports import CostSums, Dimension, GroupKey, UsageSums
from application.reports import ReportName, ReportRequest
from domain.errors import InvalidInput, NotFound
from domain.reports import Grain, ReportWindow, SessionRevenue
from tests.unit.reports.world import build, completed_session, fleet, odometer, organization

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
                             idle_us=1_800_000_000, fleet_id="flt_moved", vehicle_id="veh_moved")
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
        # Who charged moved with the fact, and the posting moved it from unbooked to booked (whole months: the
        # monthly rollup by who charged; a window of days: the facts).
        for window in (july, ReportWindow.of(date(2026, 6, 2), date(2026, 7, 2))):
            assert await uow.reports.fleet_costs(org.id, window, Dimension.VEHICLE, "EUR") == {
                GroupKey(who="veh_moved"): CostSums(1, 7_000_000, 1, 7_000_000, 250)}
            assert await uow.reports.usage(org.id, window, Dimension.FLEET) == {
                GroupKey(who="flt_moved"): UsageSums(1, 7_000_000, hour, hour // 2, hour // 2)}


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


async def test_fleet_costs_group_the_sessions_of_fleets_by_fleet_vehicle_driver_and_local_day(storage):
    world = build(storage)
    org = await organization(world, zones=("Europe/Berlin",), timezone="Europe/Berlin")
    alpha = await fleet(world, org, "Alpha", vehicles=2, drivers=2)
    bravo = await fleet(world, org, "Bravo")
    (v0, v1), (d0, d1) = alpha.vehicles, alpha.drivers
    point = org.charge_points[0]
    hour = timedelta(hours=1)

    async def charge(start, wh, who, car=None, fleet_id=None, priced=True):
        await completed_session(world, org, point, 1, start, start + hour, Decimal(wh), priced=priced,
                                driver_id=who, fleet_id=fleet_id, vehicle_id=car)

    await charge(datetime(2026, 6, 10, 8, tzinfo=UTC), 10_000, d0.id, v0.id, alpha.id)         # 3.50 net
    await charge(datetime(2026, 6, 11, 21, 30, tzinfo=UTC), 20_000, d1.id, v1.id, alpha.id)    # 23:30 on the 11th
    await charge(datetime(2026, 6, 12, 8, tzinfo=UTC), 5_000, d1.id, v0.id, alpha.id, priced=False)
    await charge(datetime(2026, 6, 30, 22, 30, tzinfo=UTC), 10_000, bravo.drivers[0].id, None, bravo.id)  # 1 July
    await charge(datetime(2026, 6, 5, 8, tzinfo=UTC), 7_000, None)                            # nobody's fleet
    theirs = await organization(world, zones=("Europe/Berlin",))
    their_fleet = await fleet(world, theirs, "Theirs")
    await completed_session(world, theirs, theirs.charge_points[0], 1, datetime(2026, 6, 10, 8, tzinfo=UTC),
                            datetime(2026, 6, 10, 9, tzinfo=UTC), Decimal(9000), fleet_id=their_fleet.id,
                            vehicle_id=their_fleet.vehicles[0].id, driver_id=their_fleet.drivers[0].id)
    async with world.uow(read_only=True) as uow:
        reports = uow.reports

        async def costs(group_by, window=JUNE, fleet_id=None, organization_id=org.id):
            return await reports.fleet_costs(organization_id, window, group_by, "EUR", fleet_id=fleet_id)

        assert await costs(Dimension.FLEET) == {GroupKey(who=alpha.id): CostSums(3, 35_000_000, 2, 30_000_000, 1000)}
        assert await costs(Dimension.VEHICLE) == {GroupKey(who=v0.id): CostSums(2, 15_000_000, 1, 10_000_000, 350),
                                                  GroupKey(who=v1.id): CostSums(1, 20_000_000, 1, 20_000_000, 650)}
        assert await costs(Dimension.DRIVER) == {GroupKey(who=d0.id): CostSums(1, 10_000_000, 1, 10_000_000, 350),
                                                 GroupKey(who=d1.id): CostSums(2, 25_000_000, 1, 20_000_000, 650)}
        assert await costs(Grain.DAY) == {GroupKey(period=date(2026, 6, d)): sums for d, sums in (
            (10, CostSums(1, 10_000_000, 1, 10_000_000, 350)), (11, CostSums(1, 20_000_000, 1, 20_000_000, 650)),
            (12, CostSums(1, 5_000_000, 0, 0, 0)))}
        summer = ReportWindow.of(date(2026, 6, 1), date(2026, 8, 1))
        assert await costs(Grain.MONTH, summer, bravo.id) == {
            GroupKey(period=date(2026, 7, 1)): CostSums(1, 10_000_000, 1, 10_000_000, 350)}
        assert await costs(Dimension.VEHICLE, summer, bravo.id) == {
            GroupKey(who=None): CostSums(1, 10_000_000, 1, 10_000_000, 350)}
        assert await costs(Dimension.FLEET, fleet_id=bravo.id) == {}
        assert await reports.fleet_costs(org.id, JUNE, Dimension.FLEET, "USD") == {
            GroupKey(who=alpha.id): CostSums(3, 35_000_000)}
        # Usage by who charged: every session (a group None for nobody's), no occupied time.
        one_hour = 3_600_000_000
        assert await reports.usage(org.id, JUNE, Dimension.FLEET) == {
            GroupKey(who=alpha.id): UsageSums(3, 35_000_000, 3 * one_hour, 3 * one_hour, 0),
            GroupKey(who=None): UsageSums(1, 7_000_000, one_hour, one_hour, 0)}
        assert await reports.usage(org.id, JUNE, Dimension.LOCATION, fleet_id=alpha.id) == {
            GroupKey(location_id=point.location_id): UsageSums(3, 35_000_000, 3 * one_hour, 3 * one_hour, 0)}
        assert await reports.usage(org.id, JUNE, Grain.WEEK, point.location_id, alpha.id) == {
            GroupKey(period=date(2026, 6, 8)): UsageSums(3, 35_000_000, 3 * one_hour, 3 * one_hour, 0)}
        assert await reports.names(org.id, Dimension.FLEET) == {alpha.id: "Alpha", bravo.id: "Bravo"}
        assert await reports.names(org.id, Dimension.VEHICLE, [v0.id, their_fleet.vehicles[0].id]) == {
            v0.id: "Volkswagen ID.3 (HH-AL 100)"}
        assert await reports.names(org.id, Dimension.DRIVER, [d1.id]) == {d1.id: "Alpha driver 1"}
        assert await reports.names(org.id, Dimension.DRIVER, []) == {}
        # Another organization's fleets never appear.
        assert await costs(Dimension.FLEET, fleet_id=their_fleet.id) == {}
        assert their_fleet.id not in repr(await costs(Dimension.FLEET, summer))
        assert list(await costs(Dimension.FLEET, organization_id=theirs.id)) == [GroupKey(who=their_fleet.id)]
    report = await world.report(org.actor, org.id, ReportName.FLEET_COSTS,
                                ReportRequest(date(2026, 6, 1), date(2026, 7, 1)))
    assert [(r["fleet_name"], r["sessions"], r["energy_kwh"], r["priced_sessions"], r["cost"], r["cost_per_kwh"],
             r["cost_per_100km"]) for r in report.rows] == [
        ("Alpha", 3, Decimal("35.000"), 2, Decimal("10.00"), Decimal("0.3333"), None),
        ("Bravo", 0, Decimal("0.000"), 0, Decimal("0.00"), None, None)]
    assert report.totals["cost"] == Decimal("10.00") and report.currency == "EUR"
    by_vehicle = await world.report(org.actor, org.id, ReportName.FLEET_COSTS,
                                    ReportRequest(date(2026, 6, 1), date(2026, 8, 1), "vehicle"))
    assert [(r["vehicle"], r["cost"]) for r in by_vehicle.rows] == [
        ("Volkswagen ID.3 (HH-AL 100)", Decimal("3.50")), ("Volkswagen ID.4 (HH-AL 101)", Decimal("6.50")),
        ("No vehicle recorded", Decimal("3.50"))]
    for name, fleet_id in ((ReportName.FLEET_COSTS, their_fleet.id), (ReportName.REVENUE, alpha.id)):
        with pytest.raises(InvalidInput) as refused:
            await world.report(org.actor, org.id, name, ReportRequest(fleet_id=fleet_id))
        assert [e.field for e in refused.value.errors] == ["fleet_id"]


async def test_odometer_readings_bracket_the_window_and_give_a_cost_per_100km(storage):
    world = build(storage)
    org = await organization(world, zones=("Europe/Berlin",), timezone="Europe/Berlin")
    alpha = await fleet(world, org, "Alpha", vehicles=3, drivers=1)
    bravo = await fleet(world, org, "Bravo")
    (v0, v1, v2), b0 = alpha.vehicles, bravo.vehicles[0]
    point, hour = org.charge_points[0], timedelta(hours=1)
    start, end = datetime(2026, 5, 31, 22, tzinfo=UTC), datetime(2026, 6, 30, 22, tzinfo=UTC)  # June in Berlin
    await odometer(world, org, v0.id, ("1000", datetime(2026, 5, 20, tzinfo=UTC)),
                   ("1500", datetime(2026, 6, 15, tzinfo=UTC)), ("2000", datetime(2026, 7, 5, tzinfo=UTC)))
    await odometer(world, org, v1.id, ("100", datetime(2026, 6, 3, tzinfo=UTC)),
                   ("400.250", datetime(2026, 6, 20, tzinfo=UTC)))
    await odometer(world, org, v2.id, ("50", start), ("80", end))          # at both edges: both count
    await odometer(world, org, b0.id, ("70", datetime(2026, 6, 3, tzinfo=UTC)))   # one reading: unknown
    theirs = await organization(world, zones=("Europe/Berlin",))
    their_car = (await fleet(world, theirs, "Theirs")).vehicles[0]
    await odometer(world, theirs, their_car.id, ("1", start), ("9", end))

    async def charge(day, wh, car, fleet_id):
        at = datetime(2026, 6, day, 8, tzinfo=UTC)
        await completed_session(world, org, point, 1, at, at + hour, Decimal(wh), driver_id=alpha.drivers[0].id,
                                fleet_id=fleet_id, vehicle_id=car)

    await charge(10, 10_000, v0.id, alpha.id)     # 3.50 net
    await charge(11, 20_000, v1.id, alpha.id)     # 6.50
    await charge(12, 10_000, b0.id, bravo.id)     # 3.50
    await charge(13, 10_000, v2.id, alpha.id)     # v2 moved from Alpha to Bravo within June
    await charge(14, 10_000, v2.id, bravo.id)
    async with world.uow(read_only=True) as uow:
        distances = uow.reports.vehicle_distances
        every = [v0.id, v1.id, v2.id, b0.id, their_car.id]
        assert await distances(org.id, start, end, every) == {v0.id: 500_000, v1.id: 300_250, v2.id: 30_000}
        assert await distances(org.id, start, end, [v1.id]) == {v1.id: 300_250}
        # July: v0 from its last June reading to its July one; the others have nothing after June.
        july_end = datetime(2026, 7, 31, 22, tzinfo=UTC)
        assert await distances(org.id, end, july_end, every) == {v0.id: 500_000}
        assert await distances(theirs.id, start, end, every) == {their_car.id: 8_000}
        assert await distances(org.id, start, end, []) == {}
    june = ReportRequest(date(2026, 6, 1), date(2026, 7, 1))
    by_vehicle = await world.report(org.actor, org.id, ReportName.FLEET_COSTS, attrs.evolve(june, group_by="vehicle"))
    assert {r["vehicle_id"]: (r["cost"], r["cost_per_100km"]) for r in by_vehicle.rows} == {
        v0.id: (Decimal("3.50"), Decimal("0.7000")), v1.id: (Decimal("6.50"), Decimal("2.1649")),
        v2.id: (Decimal("7.00"), Decimal("23.3333")), b0.id: (Decimal("3.50"), None)}
    assert by_vehicle.totals["cost_per_100km"] == Decimal("2.0476")      # 17.00 over 830.25 km
    by_fleet = await world.report(org.actor, org.id, ReportName.FLEET_COSTS, june)
    # Alpha: v0 and v1 (v2 charged in two fleets: its distance cannot be split); Bravo: nothing known.
    assert [(r["fleet_name"], r["cost"], r["cost_per_100km"]) for r in by_fleet.rows] == [
        ("Alpha", Decimal("13.50"), Decimal("1.2496")), ("Bravo", Decimal("7.00"), None)]
    assert by_fleet.totals["cost_per_100km"] == Decimal("1.2496")
    only_alpha = await world.report(org.actor, org.id, ReportName.FLEET_COSTS, attrs.evolve(june, fleet_id=alpha.id))
    assert [r["cost_per_100km"] for r in only_alpha.rows] == [Decimal("1.2496")]
    for group_by in ("driver", "day", "month"):
        found = await world.report(org.actor, org.id, ReportName.FLEET_COSTS, attrs.evolve(june, group_by=group_by))
        assert {r["cost_per_100km"] for r in found.rows} == {None} and found.totals["cost_per_100km"] is None
