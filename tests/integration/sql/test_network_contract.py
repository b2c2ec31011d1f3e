"""The charging network's repository contract: the in-memory fakes, SQLite and PostgreSQL behave the same.

Every test runs three times through the ``uow_factory`` fixture (memory, sqlite, postgres).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from attrs import evolve

from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.network import ReservationFilter, SessionFilter
from domain.charging import MeterSample, SessionStatus
from domain.errors import Conflict
from domain.identity import Organization
from domain.ids import new_id
from domain.network import ChargePoint, Connector, Location, ReservationStatus
from tests.integration.sql.builders import (
    LATER,
    NOW,
    a_charge_point,
    a_driver,
    a_location,
    a_reservation,
    a_session,
    an_organization,
    samples_at,
)
from tests.integration.sql.seeding import all_pages, assert_paged, seed

UNKNOWN_ORG = "org_01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def a_network(uow_factory: UnitOfWorkFactory) -> tuple[Organization, Location, ChargePoint]:
    organization = an_organization()
    location = a_location(organization)
    charge_point = a_charge_point(location)
    await seed(uow_factory, organization, location, charge_point)
    return organization, location, charge_point


class TestLocations:
    async def test_round_trip_keeps_exact_coordinates(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        location = a_location(organization)
        bare = evolve(a_location(organization), latitude=None, longitude=None, site_owner_id=None, project_id=None)
        await seed(uow_factory, organization, other, location, bare)
        async with uow_factory() as uow:
            loaded = await uow.locations.get(organization.id, location.id)
            assert loaded == location
            assert loaded.latitude == Decimal("51.4508912345678901") and str(loaded.longitude).endswith("678901")
            assert loaded.created_at.utcoffset() == timedelta(0)
            assert await uow.locations.get(organization.id, bare.id) == bare
            assert await uow.locations.get(other.id, location.id) is None

    async def test_list_pages_one_organization(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        mine = [a_location(organization) for _ in range(5)]
        await seed(uow_factory, organization, other, *mine, a_location(other))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.locations.list(organization.id, p))
        assert_paged(pages, [x.id for x in mine])
        assert {x.id: x for x in mine} == {x.id: x for page in pages for x in page.items}


class TestChargePoints:
    async def test_round_trip_with_connectors_in_their_order(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        async with uow_factory() as uow:
            assert await uow.charge_points.get(organization.id, charge_point.id) == charge_point
            assert await uow.charge_points.find(charge_point.id) == charge_point
            assert await uow.charge_points.find_for_update(charge_point.id) == charge_point
            assert await uow.charge_points.get(UNKNOWN_ORG, charge_point.id) is None
            assert await uow.charge_points.find("CP-NOBODY") is None
            assert await uow.charge_points.find_for_update("CP-NOBODY") is None

    async def test_many_are_found_and_found_for_update_by_identity_and_the_unknown_left_out(
            self, uow_factory: UnitOfWorkFactory) -> None:
        _, location, first = await a_network(uow_factory)
        second = a_charge_point(location)
        second.connected("ocpp1.6", NOW)
        await seed(uow_factory, second)
        async with uow_factory(read_only=True) as uow:
            assert await uow.charge_points.find_many([]) == {}
            read = await uow.charge_points.find_many([second.id, "CP-NOBODY", first.id])
            assert read == {first.id: first, second.id: second} and list(read) == sorted(read)
        async with uow_factory() as uow:
            assert await uow.charge_points.find_many_for_update([]) == {}
            found = await uow.charge_points.find_many_for_update([second.id, "CP-NOBODY", first.id, second.id])
            assert list(found) == sorted([first.id, second.id])
            assert found[first.id] == first and found[second.id] == second
            # Locked as find_for_update locks: a save writes only what changed, and reads back the same.
            found[second.id].heartbeat(LATER)
            await uow.charge_points.save(found[second.id])
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.charge_points.find(second.id) == found[second.id]

    async def test_save_many_stores_each_as_save_would_with_its_connectors_and_events(
            self, uow_factory: UnitOfWorkFactory) -> None:
        _, location, first = await a_network(uow_factory)
        second, third = a_charge_point(location), a_charge_point(location)
        await seed(uow_factory, second, third)
        async with uow_factory() as uow:
            locked = await uow.charge_points.find_many_for_update([first.id, second.id])
            unlocked = await uow.charge_points.find(third.id)   # saved the way save() saves it
            locked[first.id].disconnected(LATER)
            locked[first.id].status_changed(evse_id=1, connector_id=1, status="Preparing", error_code=None,
                                            timestamp=LATER)
            locked[second.id].connectors = [c for c in locked[second.id].connectors
                                            if (c.evse_id, c.connector_id) != (1, 2)]
            locked[second.id].heartbeat(LATER)
            unlocked.booted(vendor="ABB", model="Terra AC", serial_number=None, firmware_version="1.2", now=LATER)
            pending = [e.id for cp in (*locked.values(), unlocked) for e in cp.pending_events]
            assert pending   # the status change records an event: it is stored with the rows
            await uow.charge_points.save_many([locked[first.id], locked[second.id], unlocked])
            await uow.commit()
        async with uow_factory() as uow:
            for saved in (locked[first.id], locked[second.id], unlocked):
                assert await uow.charge_points.find(saved.id) == saved
            for event_id in pending:
                assert await uow.events.get(location.organization_id, event_id) is not None

    async def test_mark_all_offline_touches_only_the_online(self, uow_factory: UnitOfWorkFactory) -> None:
        _, location, charge_point = await a_network(uow_factory)
        online = a_charge_point(location)
        online.connected("ocpp2.0.1", NOW)
        await seed(uow_factory, online)
        async with uow_factory() as uow:
            assert await uow.charge_points.mark_all_offline() >= 1
            await uow.commit()
        async with uow_factory() as uow:
            stored = await uow.charge_points.find(online.id)
            assert stored is not None and not stored.online and stored.ocpp_version == "ocpp2.0.1"
            assert await uow.charge_points.find(charge_point.id) == evolve(charge_point, online=False)

    async def test_a_bare_charge_point_round_trips(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        location = a_location(organization)
        bare = ChargePoint(id="CP:bare.1*+|@", organization_id=organization.id, location_id=location.id,
                           created_at=NOW)
        await seed(uow_factory, organization, location, bare)
        async with uow_factory() as uow:
            assert await uow.charge_points.find(bare.id) == bare

    async def test_the_identity_is_unique_across_organizations(self, uow_factory: UnitOfWorkFactory) -> None:
        _, _, charge_point = await a_network(uow_factory)
        other = an_organization()
        elsewhere = a_location(other)
        await seed(uow_factory, other, elsewhere)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.charge_points.add(a_charge_point(elsewhere, identity=charge_point.id))
            kept = a_charge_point(elsewhere)
            await uow.charge_points.add(kept)   # the unit of work is still usable
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.charge_points.find(charge_point.id)).organization_id == charge_point.organization_id
            assert await uow.charge_points.get(other.id, kept.id) == kept

    async def test_save_after_locking_changes_learns_and_drops_connectors(
            self, uow_factory: UnitOfWorkFactory) -> None:
        _, _, charge_point = await a_network(uow_factory)
        async with uow_factory() as uow:
            locked = await uow.charge_points.find_for_update(charge_point.id)
            locked.status_changed(evse_id=1, connector_id=1, status="Occupied", error_code=None, timestamp=LATER)
            locked.status_changed(evse_id=3, connector_id=1, status="Available", error_code=None, timestamp=LATER)
            locked.connectors = [c for c in locked.connectors if (c.evse_id, c.connector_id) != (1, 2)]
            locked.heartbeat(LATER + timedelta(minutes=5))
            locked.allocate_transaction_id()
            await uow.charge_points.save(locked)
            # A second save in the same unit (the usual heartbeat shape): only what changed again.
            locked.status_changed(evse_id=2, connector_id=1, status="Finishing", error_code="OtherError",
                                  timestamp=LATER + timedelta(minutes=6))
            await uow.charge_points.save(locked)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.charge_points.find(charge_point.id)
        assert loaded == locked
        assert [(c.evse_id, c.connector_id, c.status) for c in loaded.connectors] == [
            (1, 1, "Occupied"), (2, 1, "Finishing"), (3, 1, "Available")]
        assert loaded.next_transaction_id == 43

    async def test_save_of_an_object_read_elsewhere_replaces_every_connector(
            self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        async with uow_factory() as uow:
            read = await uow.charge_points.get(organization.id, charge_point.id)
        read.connectors = [Connector(5, 1, "Available"), read.connectors[0]]
        async with uow_factory() as uow:
            await uow.charge_points.save(read)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.charge_points.find(charge_point.id) == read

    async def test_a_rolled_back_save_is_written_again_by_the_next_save(
            self, uow_factory: UnitOfWorkFactory) -> None:
        _, _, charge_point = await a_network(uow_factory)
        async with uow_factory() as uow:
            locked = await uow.charge_points.find_for_update(charge_point.id)
            locked.status_changed(evse_id=1, connector_id=1, status="Preparing", error_code=None, timestamp=LATER)
            await uow.charge_points.save(locked)
            await uow.rollback()
            await uow.charge_points.save(locked)   # the same object: the rollback undid the first save
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.charge_points.find(charge_point.id)).connector(1, 1).status == "Preparing"

    async def test_an_uncommitted_save_changes_nothing(self, uow_factory: UnitOfWorkFactory) -> None:
        _, _, charge_point = await a_network(uow_factory)
        async with uow_factory() as uow:
            locked = await uow.charge_points.find_for_update(charge_point.id)
            locked.connectors.clear()
            locked.disconnected(NOW)
            await uow.charge_points.save(locked)
        async with uow_factory() as uow:
            assert await uow.charge_points.find(charge_point.id) == charge_point

    async def test_list_pages_one_organization_with_connectors_and_location_filter(
            self, uow_factory: UnitOfWorkFactory) -> None:
        organization, location, first = await a_network(uow_factory)
        second_site = a_location(organization)
        more = [a_charge_point(location) for _ in range(4)]
        more[0].connectors = []
        elsewhere = a_charge_point(second_site)
        other = an_organization()
        other_site = a_location(other)
        await seed(uow_factory, second_site, *more, elsewhere, other, other_site, a_charge_point(other_site))
        on_site = [first, *more]
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.charge_points.list(organization.id, p, location.id))
            everything = await uow.charge_points.list(organization.id, PageRequest(limit=10))
        assert_paged(pages, [cp.id for cp in on_site])
        assert {cp.id: cp for cp in on_site} == {cp.id: cp for page in pages for cp in page.items}
        assert sorted(cp.id for cp in everything.items) == sorted([*(cp.id for cp in on_site), elsewhere.id])

    async def test_list_filters_on_the_connection(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, location, first = await a_network(uow_factory)
        online, offline = evolve(a_charge_point(location), online=True), evolve(a_charge_point(location), online=False)
        other = an_organization()
        other_site = a_location(other)
        stranger = evolve(a_charge_point(other_site), online=False)
        await seed(uow_factory, online, offline, other, other_site, stranger)
        async with uow_factory() as uow:
            down = await all_pages(lambda p: uow.charge_points.list(organization.id, p, online=False))
            up = await uow.charge_points.list(organization.id, PageRequest(limit=10), online=True)
        expected_down = sorted(cp.id for cp in (first, offline) if not cp.online)
        assert sorted(cp.id for page in down for cp in page.items) == expected_down
        assert sorted(cp.id for cp in up.items) == sorted(cp.id for cp in (first, online) if cp.online)


class TestDrivers:
    async def test_round_trip_and_lookup_by_tag(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        driver = a_driver(organization, "TAG-B", "TAG-A", "TAG-C", fleet_id=new_id("flt"))
        tagless = evolve(a_driver(organization), id_tags=[], email=None, active=False)
        await seed(uow_factory, organization, other, driver, tagless)
        async with uow_factory() as uow:
            assert await uow.drivers.get(organization.id, driver.id) == driver
            assert (await uow.drivers.get(organization.id, driver.id)).id_tags == ["TAG-B", "TAG-A", "TAG-C"]
            assert await uow.drivers.get(organization.id, tagless.id) == tagless
            assert await uow.drivers.find_by_id_tag(organization.id, "TAG-A") == driver
            assert await uow.drivers.find_by_id_tag(organization.id, "TAG-Z") is None
            assert await uow.drivers.find_by_id_tag(other.id, "TAG-A") is None
            assert await uow.drivers.get(other.id, driver.id) is None

    async def test_a_tag_belongs_to_one_driver_of_an_organization(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        owner = a_driver(organization, "SHARED", "MINE")
        await seed(uow_factory, organization, other, owner)
        async with uow_factory() as uow:
            with pytest.raises(Conflict, match="SHARED"):
                await uow.drivers.add(a_driver(organization, "FRESH", "SHARED"))
            elsewhere = a_driver(other, "SHARED")     # another tenant may use the same tag
            await uow.drivers.add(elsewhere)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.drivers.find_by_id_tag(organization.id, "SHARED") == owner
            assert await uow.drivers.find_by_id_tag(organization.id, "FRESH") is None   # nothing half-written
            assert await uow.drivers.find_by_id_tag(other.id, "SHARED") == elsewhere
            assert len((await uow.drivers.list(organization.id, PageRequest())).items) == 1

    async def test_save_replaces_tags_and_refuses_another_drivers_tag(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        first, second = a_driver(organization, "ONE", "TWO"), a_driver(organization, "THREE")
        await seed(uow_factory, organization, first, second)
        async with uow_factory() as uow:
            taking = evolve(second, id_tags=["THREE", "ONE"], name="Renamed")
            with pytest.raises(Conflict, match="ONE"):
                await uow.drivers.save(taking)
            first.id_tags = ["TWO", "FOUR"]          # frees ONE, reorders
            first.active = False
            await uow.drivers.save(first)
            await uow.drivers.save(taking)           # ONE is free now, in this same unit of work
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.drivers.get(organization.id, first.id) == first
            assert await uow.drivers.get(organization.id, second.id) == taking
            assert (await uow.drivers.find_by_id_tag(organization.id, "ONE")).id == second.id

    async def test_a_refused_save_changes_nothing(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        first, second = a_driver(organization, "ONE"), a_driver(organization, "TWO")
        await seed(uow_factory, organization, first, second)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.drivers.save(evolve(second, id_tags=["NEW", "ONE"], name="Changed"))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.drivers.get(organization.id, second.id) == second
            assert await uow.drivers.find_by_id_tag(organization.id, "NEW") is None

    async def test_list_pages_with_tags(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        mine = [a_driver(organization) for _ in range(5)]
        await seed(uow_factory, organization, other, *mine, a_driver(other))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.drivers.list(organization.id, p))
        assert_paged(pages, [d.id for d in mine])
        assert {d.id: d for d in mine} == {d.id: d for page in pages for d in page.items}


class TestSessions:
    async def test_round_trip_of_every_field(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        driver = a_driver(organization)
        session = a_session(charge_point, driver)
        bare = evolve(a_session(charge_point), status=SessionStatus.STARTED, connector_id=None, evse_id=None,
                      id_tag=None, started_at=None, meter_start_wh=None, meter_stop_wh=None, first_reading=None,
                      last_reading=None, stop_reason=None, offline=False, seen_seq_nos=set(), last_event_at=None)
        await seed(uow_factory, driver, session, bare)
        async with uow_factory() as uow:
            loaded = await uow.sessions.get(organization.id, session.id)
            assert loaded == session
            assert loaded.meter_start_wh == Decimal("1234567890.123") and loaded.energy_wh == Decimal("32109.876")
            assert loaded.last_reading.timestamp.tzinfo is not None and loaded.seen_seq_nos == {0, 1, 2, 5, 17}
            assert await uow.sessions.get(organization.id, bare.id) == bare
            assert await uow.sessions.get(UNKNOWN_ORG, session.id) is None

    async def test_find_by_transaction_and_by_start_key(self, uow_factory: UnitOfWorkFactory) -> None:
        _, _, charge_point = await a_network(uow_factory)
        keyed, unkeyed = a_session(charge_point), a_session(charge_point)
        async with uow_factory() as uow:
            await uow.sessions.add(keyed, start_key="1|TAG|1000|2026-05-09T12:30:15+00:00")
            await uow.sessions.add(unkeyed)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.find_by_transaction(charge_point.id, keyed.transaction_id) == keyed
            assert await uow.sessions.find_by_transaction(charge_point.id, "no-such-transaction") is None
            assert await uow.sessions.find_by_transaction("CP-OTHER", keyed.transaction_id) is None
            found = await uow.sessions.find_by_start_key(charge_point.id, "1|TAG|1000|2026-05-09T12:30:15+00:00")
            assert found == keyed
            assert await uow.sessions.find_by_start_key("CP-OTHER", "1|TAG|1000|2026-05-09T12:30:15+00:00") is None
            # Saving keeps the start key: a retried start still finds the session after it changed.
            found.status = SessionStatus.COMPLETED
            await uow.sessions.save(found)
            await uow.commit()
        async with uow_factory() as uow:
            again = await uow.sessions.find_by_start_key(charge_point.id, "1|TAG|1000|2026-05-09T12:30:15+00:00")
            assert again == found

    async def test_a_transaction_opens_one_session(self, uow_factory: UnitOfWorkFactory) -> None:
        _, _, charge_point = await a_network(uow_factory)
        session = a_session(charge_point)
        await seed(uow_factory, session)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.sessions.add(evolve(a_session(charge_point), transaction_id=session.transaction_id))
            other = a_session(charge_point)
            await uow.sessions.add(other)   # still usable
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.find_by_transaction(charge_point.id, session.transaction_id) == session
            assert await uow.sessions.find_by_transaction(charge_point.id, other.transaction_id) == other

    async def test_save_replaces_the_summary(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        session = a_session(charge_point)
        await seed(uow_factory, session)
        async with uow_factory() as uow:
            session.status, session.meter_stop_wh, session.stop_reason = SessionStatus.COMPLETED, None, None
            session.seen_seq_nos |= {18, 3}
            session.last_reading = None
            await uow.sessions.save(session)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.get(organization.id, session.id) == session

    async def test_list_is_newest_first_and_filters(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, location, charge_point = await a_network(uow_factory)
        other_point = a_charge_point(location)
        fleet = new_id("flt")
        in_fleet, outside = a_driver(organization, fleet_id=fleet), a_driver(organization)
        day = datetime(2026, 5, 1, tzinfo=UTC)
        sessions = [
            a_session(charge_point, in_fleet, started_at=day),
            a_session(charge_point, outside, started_at=day + timedelta(days=1), status=SessionStatus.COMPLETED),
            a_session(other_point, in_fleet, started_at=day + timedelta(days=2), status=SessionStatus.COMPLETED),
            a_session(other_point, None, started_at=day + timedelta(days=3)),
            a_session(charge_point, in_fleet, started_at=day + timedelta(days=4), status=SessionStatus.STARTED),
        ]
        unstarted = evolve(a_session(charge_point), started_at=None)
        other = an_organization()
        other_site = a_location(other)
        foreign_point = a_charge_point(other_site)
        await seed(uow_factory, other_point, in_fleet, outside, *sessions, unstarted, other, other_site,
                   foreign_point, a_session(foreign_point))
        newest_first = sorted([*sessions, unstarted], key=lambda s: s.id, reverse=True)

        async def ids(filters: SessionFilter) -> list[str]:
            async with uow_factory() as uow:
                page = await uow.sessions.list(organization.id, filters, PageRequest(limit=100))
            assert page.next_cursor is None
            return [s.id for s in page.items]

        def expected(*chosen: int, unstarted_too: bool = False) -> list[str]:
            picked = [sessions[i] for i in chosen] + ([unstarted] if unstarted_too else [])
            return [s.id for s in sorted(picked, key=lambda s: s.id, reverse=True)]

        assert await ids(SessionFilter()) == [s.id for s in newest_first]
        assert await ids(SessionFilter(charge_point_id=other_point.id)) == expected(2, 3)
        assert await ids(SessionFilter(driver_id=in_fleet.id)) == expected(0, 2, 4)
        assert await ids(SessionFilter(fleet_id=fleet)) == expected(0, 2, 4)
        assert await ids(SessionFilter(fleet_id=new_id("flt"))) == []
        assert await ids(SessionFilter(status=SessionStatus.COMPLETED)) == expected(1, 2)
        assert await ids(SessionFilter(status=SessionStatus.ACTIVE)) == expected(0, 3, unstarted_too=True)
        # From is inclusive, to exclusive; a session not yet started is in no date range.
        assert await ids(SessionFilter(started_from=day + timedelta(days=1),
                                       started_to=day + timedelta(days=3))) == expected(1, 2)
        assert await ids(SessionFilter(started_from=day + timedelta(days=4))) == expected(4)
        assert await ids(SessionFilter(started_to=day + timedelta(days=1))) == expected(0)
        assert await ids(SessionFilter(charge_point_id=charge_point.id, fleet_id=fleet,
                                       status=SessionStatus.STARTED)) == expected(4)

        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.sessions.list(organization.id, SessionFilter(), p), limit=4)
        assert [len(p.items) for p in pages] == [4, 2]
        assert pages[0].next_cursor == pages[0].items[-1].id
        assert [s.id for p in pages for s in p.items] == [s.id for s in newest_first]
        assert {s.id: s for p in pages for s in p.items} == {s.id: s for s in newest_first}

    async def test_samples_are_stored_once_and_read_in_time_order(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        session, neighbour = a_session(charge_point), a_session(charge_point)
        await seed(uow_factory, session, neighbour)
        early, late = NOW, NOW + timedelta(minutes=1)
        async with uow_factory() as uow:
            await uow.sessions.add_samples(session, samples_at(late, "2000.125"))
            await uow.sessions.add_samples(session, [])
            await uow.sessions.add_samples(neighbour, samples_at(late))
            await uow.commit()
        async with uow_factory() as uow:
            # A replay of the late message (different values: the first stored wins) and the early one,
            # which itself repeats a reading without phase or location.
            replay = [evolve(s, value=Decimal(99)) for s in samples_at(late)]
            await uow.sessions.add_samples(session, [*samples_at(early, "1000.5"), *replay,
                                                     samples_at(early, "1000.5")[0]])
            await uow.commit()
        async with uow_factory() as uow:
            stored = await uow.sessions.samples(organization.id, session.id)
            assert await uow.sessions.samples(UNKNOWN_ORG, session.id) == []
            assert await uow.sessions.samples(organization.id, "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV") == []
        assert len(stored) == 8
        assert [(s.timestamp, s.measurand) for s in stored] == sorted((s.timestamp, s.measurand) for s in stored)
        assert sorted(stored, key=_order) == sorted([*samples_at(early, "1000.5"), *samples_at(late, "2000.125")],
                                                    key=_order)
        register = next(s for s in stored if s.timestamp == late and s.phase is None and s.unit == "Wh")
        assert register.value == Decimal("2000.125") and register.location is None

    async def test_uncommitted_samples_are_discarded(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        session = a_session(charge_point)
        await seed(uow_factory, session)
        async with uow_factory() as uow:
            await uow.sessions.add_samples(session, samples_at(NOW))
            await uow.rollback()
            assert await uow.sessions.samples(organization.id, session.id) == []


def _order(sample: MeterSample) -> tuple:
    return (sample.timestamp, sample.measurand, sample.phase or "", sample.location or "")


class TestReservations:
    async def test_round_trip_scoping_and_lookup_by_ocpp_id(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        reservation = a_reservation(charge_point, 7)
        await seed(uow_factory, reservation)
        async with uow_factory() as uow:
            assert await uow.reservations.get(organization.id, reservation.id) == reservation
            assert await uow.reservations.get(UNKNOWN_ORG, reservation.id) is None
            assert await uow.reservations.find_by_ocpp_id(charge_point.id, 7) == reservation
            assert await uow.reservations.find_by_ocpp_id(charge_point.id, 8) is None
            assert await uow.reservations.find_by_ocpp_id("CP-OTHER", 7) is None

    async def test_save_records_its_use(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, charge_point = await a_network(uow_factory)
        reservation, session = a_reservation(charge_point, 1), a_session(charge_point)
        await seed(uow_factory, reservation, session)
        async with uow_factory() as uow:
            reservation.use(session.id, NOW)
            await uow.reservations.save(reservation)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.reservations.get(organization.id, reservation.id)
        assert loaded == reservation and loaded.status is ReservationStatus.USED and loaded.session_id == session.id

    async def test_status_filters_read_the_status_at_now(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, location, charge_point = await a_network(uow_factory)
        second = a_charge_point(location)
        now = NOW + timedelta(hours=1)
        active = a_reservation(charge_point, 1, expires_at=now + timedelta(minutes=10))
        lapsed = a_reservation(charge_point, 2, expires_at=now - timedelta(minutes=1))
        at_now = a_reservation(second, 3, expires_at=now)           # expiry is inclusive, as in status_at
        expired = a_reservation(charge_point, 4, expires_at=NOW, status=ReservationStatus.EXPIRED)
        used = a_reservation(second, 5, status=ReservationStatus.USED)
        cancelled = a_reservation(charge_point, 6, status=ReservationStatus.CANCELLED)
        everything = [active, lapsed, at_now, expired, used, cancelled]
        other = an_organization()
        other_site = a_location(other)
        foreign = a_charge_point(other_site)
        await seed(uow_factory, second, *everything, other, other_site, foreign, a_reservation(foreign, 1))

        async def ids(filters: ReservationFilter) -> set[str]:
            async with uow_factory() as uow:
                page = await uow.reservations.list(organization.id, filters, PageRequest(limit=100), now)
            assert [r.id for r in page.items] == sorted(r.id for r in page.items)
            return {r.id for r in page.items}

        assert await ids(ReservationFilter()) == {r.id for r in everything}
        assert await ids(ReservationFilter(status=ReservationStatus.ACTIVE)) == {active.id}
        assert await ids(ReservationFilter(status=ReservationStatus.EXPIRED)) == {lapsed.id, at_now.id, expired.id}
        assert await ids(ReservationFilter(status=ReservationStatus.USED)) == {used.id}
        assert await ids(ReservationFilter(status=ReservationStatus.CANCELLED)) == {cancelled.id}
        assert await ids(ReservationFilter(charge_point_id=second.id)) == {at_now.id, used.id}
        assert await ids(ReservationFilter(charge_point_id=charge_point.id,
                                           status=ReservationStatus.EXPIRED)) == {lapsed.id, expired.id}
        async with uow_factory() as uow:
            # Stored as they are: reading past the expiry does not change them.
            listed = await uow.reservations.list(organization.id, ReservationFilter(status=ReservationStatus.EXPIRED),
                                                 PageRequest(), now)
            assert {r.id: r for r in listed.items}[lapsed.id] == lapsed
            pages = await all_pages(lambda p: uow.reservations.list(organization.id, ReservationFilter(), p, now),
                                    limit=4)
        assert [len(p.items) for p in pages] == [4, 2]
        assert [r.id for p in pages for r in p.items] == sorted(r.id for r in everything)

    async def test_active_on_and_due_to_expire(self, uow_factory: UnitOfWorkFactory) -> None:
        _, location, charge_point = await a_network(uow_factory)
        second = a_charge_point(location)
        now = NOW + timedelta(hours=1)
        holding = [a_reservation(charge_point, i, expires_at=now + timedelta(minutes=i)) for i in (1, 2)]
        lapsed = [a_reservation(charge_point, 3, expires_at=now - timedelta(minutes=1)),
                  a_reservation(second, 4, expires_at=now),
                  a_reservation(second, 5, expires_at=now - timedelta(hours=2))]
        closed = a_reservation(charge_point, 6, expires_at=now - timedelta(hours=1), status=ReservationStatus.USED)
        await seed(uow_factory, second, *holding, *lapsed, closed,
                   a_reservation(second, 7, expires_at=now + timedelta(hours=1)))
        async with uow_factory() as uow:
            assert await uow.reservations.active_on(charge_point.id, now) == sorted(holding, key=lambda r: r.id)
            assert await uow.reservations.active_on("CP-NOBODY", now) == []
            due = await uow.reservations.due_to_expire(now, 10)
            assert due == sorted(lapsed, key=lambda r: r.id)
            assert await uow.reservations.due_to_expire(now, 2) == due[:2]
            for reservation in due:
                reservation.expire(now)
                await uow.reservations.save(reservation)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.reservations.due_to_expire(now, 10) == []
            assert await uow.reservations.active_on(charge_point.id, now + timedelta(minutes=1, seconds=30)) == [
                holding[1]]
