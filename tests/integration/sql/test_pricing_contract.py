"""The pricing repository contract: tariffs with versions, plans, subscriptions, and the pricing fields of
locations, charge points and sessions; the in-memory fakes, SQLite and PostgreSQL behave the same.

Every test runs three times through the ``uow_factory`` fixture (memory, sqlite, postgres).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from attrs import evolve

from adapters.sql.database import Database
from adapters.sql.meter_sink import SqlMeterSink
from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.meter_sink import MeterSink
from domain.charging import Applied, SessionStatus
from domain.errors import Conflict
from domain.ids import new_id
from domain.money import Money
from domain.tariffs import tariff_to_json
from tests.integration.sql.builders import (
    LATER,
    NOW,
    a_charge_point,
    a_cost,
    a_driver,
    a_location,
    a_plan,
    a_session,
    a_subscription,
    a_tariff,
    a_tariff_document,
    a_tariff_record,
    an_organization,
    samples_at,
)
from tests.integration.sql.seeding import all_pages, assert_paged, seed

UNKNOWN_ORG = "org_01ARZ3NDEKTSV4RRFFQ69G5FAV"


class TestTariffs:
    async def test_round_trip_keeps_the_document_exactly(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        record = a_tariff_record(organization)
        await seed(uow_factory, organization, other, record)
        async with uow_factory() as uow:
            loaded = await uow.tariffs.get(organization.id, record.id)
            assert loaded == record
            assert tariff_to_json(loaded.current.tariff) == a_tariff_document()
            assert loaded.current.tariff.elements[0].price_components[0].price == Decimal("0.305")
            assert loaded.created_at.utcoffset() == timedelta(0) and loaded.current.valid_from == NOW
            assert await uow.tariffs.get(other.id, record.id) is None
            assert await uow.tariffs.get(organization.id, new_id("trf")) is None

    async def test_adding_a_taken_id_conflicts_and_leaves_the_unit_usable(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        record = a_tariff_record(organization)
        await seed(uow_factory, organization, record)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.tariffs.add(evolve(record, versions=[evolve(record.versions[0], tariff=a_tariff("9"))]))
            kept = a_tariff_record(organization)
            await uow.tariffs.add(kept)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.tariffs.get(organization.id, record.id) == record
            assert await uow.tariffs.get(organization.id, kept.id) == kept

    async def test_save_adds_new_versions_and_never_changes_stored_ones(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        record = a_tariff_record(organization)
        await seed(uow_factory, organization, record)
        async with uow_factory() as uow:
            loaded = await uow.tariffs.get(organization.id, record.id)
            loaded.revise(a_tariff("0.40"), LATER)
            await uow.tariffs.save(loaded)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.tariffs.get(organization.id, record.id)
            assert [v.version for v in loaded.versions] == [1, 2]   # oldest first
            assert loaded.versions[0] == record.versions[0]
            assert loaded.version(2).tariff == a_tariff("0.40") and loaded.version(2).valid_from == LATER
            # A save that says otherwise of a stored version changes nothing of it.
            tampered = evolve(loaded, versions=[evolve(v, tariff=a_tariff("7")) for v in loaded.versions])
            tampered.revise(a_tariff("0.50"), LATER + timedelta(days=1))
            await uow.tariffs.save(tampered)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.tariffs.get(organization.id, record.id)
            assert [v.version for v in loaded.versions] == [1, 2, 3]
            assert loaded.versions[0] == record.versions[0]
            assert loaded.version(2).tariff == a_tariff("0.40")
            assert loaded.version(3).tariff == a_tariff("0.50")
            assert loaded.version_at(LATER).version == 2

    async def test_list_pages_one_organization_with_versions(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        mine = [a_tariff_record(organization) for _ in range(5)]
        mine[1].revise(a_tariff("0.41"), LATER)
        await seed(uow_factory, organization, other, *mine, a_tariff_record(other))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.tariffs.list(organization.id, p))
        assert_paged(pages, [x.id for x in mine])
        assert {x.id: x for x in mine} == {x.id: x for page in pages for x in page.items}


class TestPlans:
    async def test_round_trip_with_a_discount_or_a_tariff(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        discount = a_plan(organization, discount_percent=Decimal("33.333333"))
        own = a_plan(organization, tariff_id=new_id("trf"))
        await seed(uow_factory, organization, other, discount, own)
        async with uow_factory() as uow:
            loaded = await uow.plans.get(organization.id, discount.id)
            assert loaded == discount
            assert loaded.monthly_fee == Money(Decimal("9.990000000000000001"), "EUR")
            assert str(loaded.discount_percent) == "33.333333" and loaded.tariff_id is None
            assert await uow.plans.get(organization.id, own.id) == own
            assert await uow.plans.get(other.id, own.id) is None

    async def test_save_replaces_and_list_pages(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        mine = [a_plan(organization) for _ in range(5)]
        await seed(uow_factory, organization, other, *mine, a_plan(other))
        changed = evolve(mine[2], name="Renamed", monthly_fee=Money(Decimal(0), "EUR"), discount_percent=None,
                         tariff_id=new_id("trf"))
        async with uow_factory() as uow:
            await uow.plans.save(changed)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.plans.get(organization.id, changed.id) == changed
            pages = await all_pages(lambda p: uow.plans.list(organization.id, p))
        assert_paged(pages, [x.id for x in mine])
        assert {x.id: x for x in [*mine[:2], changed, *mine[3:]]} == {x.id: x for page in pages for x in page.items}


class TestSubscriptions:
    async def test_round_trip_and_save(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        plan, driver = a_plan(organization), a_driver(organization)
        open_ended = a_subscription(plan, driver)
        bounded = a_subscription(plan, driver, starts_at=NOW - timedelta(days=30), ends_at=NOW)
        await seed(uow_factory, organization, other, plan, driver, open_ended, bounded)
        async with uow_factory() as uow:
            assert await uow.subscriptions.get(organization.id, open_ended.id) == open_ended
            assert await uow.subscriptions.get(organization.id, bounded.id) == bounded
            assert await uow.subscriptions.get(other.id, bounded.id) is None
            loaded = await uow.subscriptions.get(organization.id, open_ended.id)
            loaded.end(LATER)
            await uow.subscriptions.save(loaded)
            await uow.commit()
        async with uow_factory() as uow:
            stored = await uow.subscriptions.get(organization.id, open_ended.id)
            assert stored == loaded and stored.ends_at == LATER

    async def test_active_for_driver_at_the_edges(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        plan, driver, someone = a_plan(organization), a_driver(organization), a_driver(organization)
        day = timedelta(days=1)
        first = a_subscription(plan, driver, starts_at=NOW, ends_at=NOW + 10 * day)
        later = a_subscription(plan, driver, starts_at=NOW + 5 * day)     # overlaps: the most recent wins
        await seed(uow_factory, organization, other, plan, driver, someone, first, later)
        async with uow_factory() as uow:
            active = uow.subscriptions.active_for_driver
            assert await active(organization.id, driver.id, NOW - timedelta(microseconds=1)) is None
            assert await active(organization.id, driver.id, NOW) == first             # starts_at is included
            assert await active(organization.id, driver.id, NOW + 5 * day - timedelta(microseconds=1)) == first
            assert await active(organization.id, driver.id, NOW + 5 * day) == later
            assert await active(organization.id, driver.id, NOW + 100 * day) == later  # no end: in force
            assert await active(organization.id, someone.id, NOW + day) is None
            assert await active(other.id, driver.id, NOW + day) is None
            # An instant in another offset is the same instant.
            assert await active(organization.id, driver.id, (NOW + 5 * day).astimezone(LATER.tzinfo)) == later

    async def test_the_end_is_excluded_and_ties_go_to_the_larger_id(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        plan, driver = a_plan(organization), a_driver(organization)
        ended = a_subscription(plan, driver, starts_at=NOW - timedelta(days=3), ends_at=NOW)
        twins = [a_subscription(plan, driver, starts_at=LATER) for _ in range(2)]
        await seed(uow_factory, organization, plan, driver, ended, *twins)
        async with uow_factory() as uow:
            assert await uow.subscriptions.active_for_driver(organization.id, driver.id, NOW) is None
            assert (await uow.subscriptions.active_for_driver(organization.id, driver.id,
                                                               NOW - timedelta(seconds=1))) == ended
            assert await uow.subscriptions.active_for_driver(organization.id, driver.id, LATER) == max(
                twins, key=lambda s: s.id)

    async def test_list_filters_by_driver_and_plan(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        plan, plan_b = a_plan(organization), a_plan(organization)
        driver, driver_b = a_driver(organization), a_driver(organization)
        mine = [a_subscription(plan, driver, starts_at=NOW + timedelta(days=i)) for i in range(5)]
        theirs = a_subscription(plan, driver_b)
        on_b = a_subscription(plan_b, driver)
        elsewhere_plan, elsewhere_driver = a_plan(other), a_driver(other)
        await seed(uow_factory, organization, other, plan, plan_b, driver, driver_b, elsewhere_plan, elsewhere_driver,
                   *mine, theirs, on_b, a_subscription(elsewhere_plan, elsewhere_driver))
        async with uow_factory() as uow:
            subs = uow.subscriptions
            pages = await all_pages(lambda p: subs.list(organization.id, p, driver_id=driver.id, plan_id=plan.id))
            assert_paged(pages, [x.id for x in mine])
            assert {x.id: x for x in mine} == {x.id: x for page in pages for x in page.items}
            by_driver = await all_pages(lambda p: subs.list(organization.id, p, driver_id=driver.id), limit=50)
            assert [x.id for x in by_driver[0].items] == sorted(x.id for x in [*mine, on_b])
            by_plan = await all_pages(lambda p: subs.list(organization.id, p, plan_id=plan.id), limit=50)
            assert [x.id for x in by_plan[0].items] == sorted(x.id for x in [*mine, theirs])
            everything = await all_pages(lambda p: subs.list(organization.id, p), limit=50)
            assert [x.id for x in everything[0].items] == sorted(x.id for x in [*mine, theirs, on_b])


class TestPricingFieldsOfTheNetwork:
    async def test_location_save_keeps_its_tariff(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        location = a_location(organization)
        await seed(uow_factory, organization, other, location)
        async with uow_factory() as uow:
            assert (await uow.locations.get(organization.id, location.id)).tariff_id is None
            location.tariff_id = new_id("trf")
            location.name = "Renamed Depot"
            await uow.locations.save(location)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.locations.get(organization.id, location.id) == location
            assert await uow.locations.get(other.id, location.id) is None
            location.tariff_id = None
            await uow.locations.save(location)
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.locations.get(organization.id, location.id)).tariff_id is None

    async def test_charge_point_tariff_round_trips(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        location = a_location(organization)
        charge_point = evolve(a_charge_point(location), tariff_id=new_id("trf"))
        await seed(uow_factory, organization, location, charge_point)
        async with uow_factory() as uow:
            assert await uow.charge_points.get(organization.id, charge_point.id) == charge_point
            loaded = await uow.charge_points.find_for_update(charge_point.id)
            loaded.tariff_id = None
            await uow.charge_points.save(loaded)
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.charge_points.find(charge_point.id)).tariff_id is None
            listed = await uow.charge_points.list(organization.id, PageRequest(limit=10))
            assert [cp.tariff_id for cp in listed.items] == [None]

    async def test_session_pricing_fields_and_cost_round_trip(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        location = a_location(organization)
        charge_point = a_charge_point(location)
        unpriced = a_session(charge_point)
        priced = evolve(a_session(charge_point, status=SessionStatus.COMPLETED), tariff_id=new_id("trf"),
                        tariff_version=3, plan_id=new_id("pln"), cost=a_cost())
        await seed(uow_factory, organization, location, charge_point, unpriced, priced)
        async with uow_factory() as uow:
            loaded = await uow.sessions.get(organization.id, priced.id)
            assert loaded == priced
            assert loaded.cost == a_cost() and loaded.cost.breakdown.to_json() == a_cost().breakdown.to_json()
            assert len(loaded.cost.breakdown.lines) > 1 and len(loaded.cost.breakdown.periods) > 1
            bare = await uow.sessions.get(organization.id, unpriced.id)
            assert bare == unpriced
            assert (bare.tariff_id, bare.tariff_version, bare.plan_id, bare.cost) == (None, None, None, None)
            # Priced later by save, as the unit of work that completes a session does.
            bare.tariff_id, bare.tariff_version = new_id("trf"), 1
            bare.cost = a_cost()
            await uow.sessions.save(bare)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.get(organization.id, unpriced.id) == bare
            # A copy read before the pricing, saved after it, never clears the cost.
            stale = evolve(bare, cost=None, stop_reason="Local")
            await uow.sessions.save(stale)
            await uow.commit()
        async with uow_factory() as uow:
            kept = await uow.sessions.get(organization.id, unpriced.id)
            assert kept is not None and kept.cost == a_cost() and kept.stop_reason == "Local"

    async def test_the_meter_sink_never_erases_a_completed_sessions_cost(
            self, uow_factory: UnitOfWorkFactory, meter_sink: MeterSink) -> None:
        organization = an_organization()
        location = a_location(organization)
        charge_point = a_charge_point(location)
        running = evolve(a_session(charge_point), tariff_id=new_id("trf"), tariff_version=1)
        await seed(uow_factory, organization, location, charge_point, running)
        await meter_sink.record(running, Applied(tuple(samples_at(NOW, "1000"))))
        async with uow_factory() as uow:
            completed = await uow.sessions.get(organization.id, running.id)
            completed.status, completed.stopped_at, completed.cost = SessionStatus.COMPLETED, LATER, a_cost()
            await uow.sessions.save(completed)
            await uow.commit()
        # A late summary, read before the session ended: the completed row, cost and all, stays.
        await meter_sink.record(running, Applied(tuple(samples_at(NOW + timedelta(seconds=30), "1100"))))
        async with uow_factory() as uow:
            assert await uow.sessions.get(organization.id, running.id) == completed
            assert len(await uow.sessions.samples(organization.id, running.id)) == 8


async def test_the_sql_meter_sink_keeps_a_stored_cost_even_under_a_completed_summary(database: Database) -> None:
    # SQL only: the sink's copy of a session never carries a cost (only the pricing handler prices it),
    # and the sink writes only readings and statuses moved forward: the pricing and cost stay as stored.
    organization = an_organization()
    location = a_location(organization)
    charge_point = a_charge_point(location)
    session = a_session(charge_point, status=SessionStatus.COMPLETED)
    priced = evolve(session, tariff_id=new_id("trf"), tariff_version=2, cost=a_cost())
    await seed(database.unit_of_work, organization, location, charge_point, priced)
    sink = SqlMeterSink(database=database)
    try:
        await sink.record(session, Applied(tuple(samples_at(NOW, "1000"))))
    finally:
        await sink.close()
    async with database.unit_of_work() as uow:
        stored = await uow.sessions.get(organization.id, session.id)
    assert stored.cost == a_cost()
    assert stored == priced
