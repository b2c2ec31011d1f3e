"""Fleets' repository contract: fleets, vehicles, assignments, the authorization log, and what drivers, sessions
and customers gained for them. The in-memory fakes, SQLite and PostgreSQL behave the same (``uow_factory``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from attrs import evolve

from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.events import EventStatus
from application.ports.fleets import AuthorizationFilter
from domain.billing.customers import Customer
from domain.errors import Conflict
from domain.fleets import (
    AuthorizationRecord,
    AuthorizationResult,
    AuthorizationStatus,
    Fleet,
    Refusal,
    Trigger,
    Vehicle,
    VehicleAssignment,
    parse_policy,
)
from domain.fleets.odometer import OdometerReading
from domain.identity import Organization
from domain.ids import PREFIXES, new_id
from tests.integration.sql.builders import LATER, NOW, a_charge_point, a_driver, a_location, a_session, an_organization
from tests.integration.sql.seeding import all_pages, seed

POLICY = {"time_windows": [{"days": ["MONDAY", "FRIDAY"], "start": "22:00", "end": "06:00"}],
          "max_kwh_per_session": "30.125", "max_kwh_per_day": "60",
          "max_spend_per_month": {"amount": "199.99", "currency": "EUR"},
          "allowed_connector_types": ["IEC_62196_T2", "CHADEMO"]}


def a_fleet(organization: Organization, **changes: object) -> Fleet:
    policy = parse_policy(POLICY | {"allowed_location_ids": [new_id("loc")]})
    return evolve(Fleet(id=new_id(PREFIXES["fleet"]), organization_id=organization.id, name="Acme Deliveries",
                        created_at=NOW, customer_id=new_id("cus"), policy=policy, updated_at=LATER), **changes)


def a_vehicle(fleet: Fleet, vin: str = "WVWZZZ1JZXW000001") -> Vehicle:
    return Vehicle(id=new_id(PREFIXES["vehicle"]), organization_id=fleet.organization_id, fleet_id=fleet.id, vin=vin,
                   make="Volkswagen", model="ID.3", battery_kwh=Decimal("58.125"), created_at=NOW,
                   connector_types=("IEC_62196_T2", "IEC_62196_T2_COMBO"), licence_plate="AB12 CDE", updated_at=LATER)


def a_record(organization: Organization, charge_point_id: str, *, refused: bool = False, driver_id: str | None = None,
             fleet_id: str | None = None) -> AuthorizationRecord:
    return AuthorizationRecord.decided(
        id=new_id(PREFIXES["authorization"]), organization_id=organization.id, at=NOW, charge_point_id=charge_point_id,
        id_tag="RFID-1", trigger=Trigger.AUTHORIZE,
        status=AuthorizationStatus.NOT_AT_THIS_TIME if refused else AuthorizationStatus.ACCEPTED,
        reason=Refusal.OUTSIDE_TIME_WINDOWS if refused else None, detail="MONDAY 21:00 is outside" if refused else None,
        driver_id=driver_id, fleet_id=fleet_id, vehicle_id=new_id("veh"), location_id=new_id("loc"), connector_id=2)


class TestFleets:
    async def test_round_trip_keeps_the_policy_exactly(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        fleet, bare = a_fleet(organization), a_fleet(organization, customer_id=None, policy=parse_policy({}),
                                                      updated_at=None)
        await seed(uow_factory, organization, other, fleet, bare)
        async with uow_factory() as uow:
            loaded = await uow.fleets.get(organization.id, fleet.id)
            assert loaded == fleet and loaded.policy.max_kwh_per_session == Decimal("30.125")
            assert await uow.fleets.get(organization.id, bare.id) == bare
            assert await uow.fleets.get(other.id, fleet.id) is None
            renamed = evolve(fleet, name="Acme Logistics", policy=parse_policy({"max_kwh_per_day": 5}))
            await uow.fleets.save(renamed)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.fleets.get(organization.id, fleet.id) == renamed
            await uow.fleets.delete(other.id, fleet.id)      # another tenant's: nothing happens
            await uow.fleets.delete(organization.id, bare.id)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.fleets.get(organization.id, fleet.id) is not None
            assert await uow.fleets.get(organization.id, bare.id) is None

    async def test_list_pages_one_organization(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        fleets = [a_fleet(organization) for _ in range(5)]
        await seed(uow_factory, organization, other, *fleets, a_fleet(other))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.fleets.list(organization.id, p))
        assert [f.id for page in pages for f in page.items] == sorted(f.id for f in fleets)


class TestVehicles:
    async def test_a_vin_is_unique_in_an_organization_only(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        fleet, foreign_fleet = a_fleet(organization), a_fleet(other)
        vehicle = a_vehicle(fleet)
        await seed(uow_factory, organization, other, fleet, foreign_fleet, vehicle, a_vehicle(foreign_fleet))
        async with uow_factory() as uow:
            loaded = await uow.vehicles.get(organization.id, vehicle.id)
            assert loaded == vehicle and loaded.battery_kwh == Decimal("58.125")
            assert await uow.vehicles.get(other.id, vehicle.id) is None
            with pytest.raises(Conflict):
                await uow.vehicles.add(a_vehicle(fleet))
        second = a_vehicle(fleet, "1HGCM82633A004352")
        await seed(uow_factory, second)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.vehicles.save(evolve(second, vin=vehicle.vin))
            await uow.vehicles.save(evolve(second, model="ID.4"))
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.vehicles.get(organization.id, second.id)).model == "ID.4"

    async def test_lists_counts_and_deletes_by_fleet(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        fleet, other_fleet = a_fleet(organization), a_fleet(organization)
        vehicles = [a_vehicle(fleet, f"WVWZZZ1JZXW00000{i}") for i in range(3)]
        stray = a_vehicle(other_fleet, "WVWZZZ1JZXW000009")
        await seed(uow_factory, organization, fleet, other_fleet, *vehicles, stray)
        async with uow_factory() as uow:
            assert [v.id for v in (await uow.vehicles.list(organization.id, PageRequest(limit=10), fleet.id)).items] \
                == sorted(v.id for v in vehicles)
            assert len((await uow.vehicles.list(organization.id, PageRequest(limit=10))).items) == 4
            assert await uow.vehicles.count_in_fleet(organization.id, fleet.id) == 3
            await uow.vehicles.delete(organization.id, vehicles[0].id)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.vehicles.count_in_fleet(organization.id, fleet.id) == 2


def a_reading(vehicle: Vehicle, km: str, read_at: datetime) -> OdometerReading:
    return OdometerReading(id=new_id(PREFIXES["odometer_reading"]), organization_id=vehicle.organization_id,
                           vehicle_id=vehicle.id, odometer_km=Decimal(km), read_at=read_at, recorded_at=LATER)


class TestOdometerReadings:
    async def test_exact_to_the_metre_newest_first_by_instant_and_paged(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        fleet = a_fleet(organization)
        van, car = a_vehicle(fleet, "WVWZZZ1JZXW000001"), a_vehicle(fleet, "WVWZZZ1JZXW000002")
        # Recorded out of order: the list follows the instants read, not the ids.
        readings = [a_reading(van, km, NOW + timedelta(hours=h))
                    for km, h in (("1200.5", 5), ("1000.125", 0), ("9999999.999", 9), ("1100", 2), ("1100", 2))]
        await seed(uow_factory, organization, other, fleet, van, car, *readings,
                   a_reading(car, "5", NOW + timedelta(hours=20)))
        async with uow_factory() as uow:
            pages = await all_pages(lambda page: uow.odometer_readings.list(organization.id, van.id, page))
            listed = [r for page in pages for r in page.items]
            assert [r.odometer_km for r in listed] == [Decimal("9999999.999"), Decimal("1200.5"), Decimal(1100),
                                                       Decimal(1100), Decimal("1000.125")]
            assert listed[2].id > listed[3].id and len(pages) == 3
            assert listed[-1] == readings[1]
            assert (await uow.odometer_readings.list(other.id, van.id, PageRequest(limit=10))).items == []

    async def test_neighbours_are_the_last_at_or_before_and_the_first_at_or_after(self, uow_factory: UnitOfWorkFactory
                                                                              ) -> None:
        organization, other = an_organization(), an_organization()
        fleet = a_fleet(organization)
        van, car = a_vehicle(fleet, "WVWZZZ1JZXW000001"), a_vehicle(fleet, "WVWZZZ1JZXW000002")
        early, late = a_reading(van, "10", NOW), a_reading(van, "30", NOW + timedelta(days=2))
        await seed(uow_factory, organization, other, fleet, van, car, early, late,
                   a_reading(car, "20", NOW + timedelta(days=1)))
        async with uow_factory() as uow:
            found = uow.odometer_readings.neighbours
            assert await found(organization.id, van.id, NOW + timedelta(days=1)) == (early, late)
            assert await found(organization.id, van.id, NOW) == (early, early)   # one read then: both
            assert await found(organization.id, van.id, NOW - timedelta(microseconds=1)) == (None, early)
            assert await found(organization.id, van.id, NOW + timedelta(days=3)) == (late, None)
            assert await found(other.id, van.id, NOW + timedelta(days=1)) == (None, None)

    async def test_they_go_with_their_vehicle(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        fleet = a_fleet(organization)
        van, car = a_vehicle(fleet, "WVWZZZ1JZXW000001"), a_vehicle(fleet, "WVWZZZ1JZXW000002")
        await seed(uow_factory, organization, fleet, van, car, a_reading(van, "10", NOW), a_reading(car, "5", NOW))
        async with uow_factory() as uow:
            await uow.odometer_readings.delete_of_vehicle(organization.id, van.id)
            await uow.vehicles.delete(organization.id, van.id)
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.odometer_readings.list(organization.id, van.id, PageRequest())).items == []
            assert len((await uow.odometer_readings.list(organization.id, car.id, PageRequest())).items) == 1


class TestAssignments:
    async def test_one_current_assignment_per_driver_and_per_vehicle(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        fleet = a_fleet(organization)
        car, van = a_vehicle(fleet), a_vehicle(fleet, "1HGCM82633A004352")
        dana, eli = a_driver(organization, fleet_id=fleet.id), a_driver(organization, fleet_id=fleet.id)
        first = VehicleAssignment(new_id(PREFIXES["vehicle_assignment"]), organization.id, dana.id, car.id, NOW)
        await seed(uow_factory, organization, fleet, car, van, dana, eli, first)
        async with uow_factory() as uow:
            assert await uow.vehicle_assignments.current_of_driver(organization.id, dana.id) == first
            assert await uow.vehicle_assignments.current_of_vehicle(organization.id, car.id) == first
            with pytest.raises(Conflict):   # dana drives one already
                await uow.vehicle_assignments.add(
                    VehicleAssignment(new_id(PREFIXES["vehicle_assignment"]), organization.id, dana.id, van.id, NOW))
        async with uow_factory() as uow:
            with pytest.raises(Conflict):   # somebody drives the car already
                await uow.vehicle_assignments.add(
                    VehicleAssignment(new_id(PREFIXES["vehicle_assignment"]), organization.id, eli.id, car.id, NOW))
        first.end(LATER)
        second = VehicleAssignment(new_id(PREFIXES["vehicle_assignment"]), organization.id, dana.id, van.id, LATER)
        async with uow_factory() as uow:
            await uow.vehicle_assignments.save(first)
            await uow.vehicle_assignments.add(second)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.vehicle_assignments.current_of_driver(organization.id, dana.id) == second
            assert await uow.vehicle_assignments.current_of_vehicle(organization.id, car.id) is None
            history = await uow.vehicle_assignments.list_of_driver(organization.id, dana.id, PageRequest(limit=10))
            assert history.items == [second, first]
            assert (await uow.vehicle_assignments.list_of_driver(an_organization().id, dana.id,
                                                                 PageRequest(limit=10))).items == []


class TestAuthorizationLog:
    async def test_decisions_are_listed_newest_first_by_filter_with_their_events(
            self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        location = a_location(organization)
        charge_point = a_charge_point(location)
        driver, fleet = new_id("drv"), new_id("flt")
        records = [a_record(organization, charge_point.id), a_record(organization, charge_point.id, refused=True,
                                                                     driver_id=driver, fleet_id=fleet),
                   a_record(organization, "CP-ELSEWHERE", driver_id=driver),
                   a_record(organization, charge_point.id, refused=True)]
        refusals = [e for r in records for e in r.pending_events]
        assert [e.name for e in refusals] == ["authorization.refused"] * 2
        await seed(uow_factory, organization, other, location, charge_point, *records,
                   a_record(other, charge_point.id, refused=True))

        async def ids(filters: AuthorizationFilter) -> list[str]:
            async with uow_factory() as uow:
                return [r.id for r in (await uow.authorizations.list(organization.id, filters,
                                                                      PageRequest(limit=10))).items]

        def newest(*chosen: int) -> list[str]:
            return sorted((records[i].id for i in chosen), reverse=True)

        assert await ids(AuthorizationFilter()) == newest(0, 1, 2, 3)
        assert await ids(AuthorizationFilter(result=AuthorizationResult.REFUSED)) == newest(1, 3)
        assert await ids(AuthorizationFilter(result=AuthorizationResult.ACCEPTED)) == newest(0, 2)
        assert await ids(AuthorizationFilter(driver_id=driver)) == newest(1, 2)
        assert await ids(AuthorizationFilter(fleet_id=fleet)) == newest(1)
        assert await ids(AuthorizationFilter(charge_point_id="CP-ELSEWHERE")) == newest(2)
        async with uow_factory() as uow:
            loaded = await uow.authorizations.get(organization.id, records[1].id)
            assert loaded == evolve(records[1], pending_events=[])
            assert (loaded.reason, loaded.result) == (Refusal.OUTSIDE_TIME_WINDOWS, AuthorizationResult.REFUSED)
            assert await uow.authorizations.get(other.id, records[1].id) is None
            stored = await uow.events.get(organization.id, refusals[0].id)
            assert stored is not None and stored.status is EventStatus.PENDING
            assert stored.event == refusals[0]


class TestWhatOthersGained:
    async def test_drivers_keep_their_policy_and_vehicle(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        fleet = new_id("flt")
        governed = evolve(a_driver(organization, fleet_id=fleet), policy=parse_policy(POLICY), vehicle_id=new_id("veh"))
        free = a_driver(organization)
        await seed(uow_factory, organization, governed, free)
        async with uow_factory() as uow:
            assert await uow.drivers.get(organization.id, governed.id) == governed
            assert await uow.drivers.find_by_id_tag(organization.id, governed.id_tags[0]) == governed
            assert [d.id for d in (await uow.drivers.list(organization.id, PageRequest(limit=5), fleet)).items] == [
                governed.id]
            assert await uow.drivers.count_in_fleet(organization.id, fleet) == 1

    async def test_a_drivers_sessions_since_an_instant(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        location = a_location(organization)
        charge_point = a_charge_point(location)
        driver, other = a_driver(organization, fleet_id=new_id("flt")), a_driver(organization)
        sessions = [a_session(charge_point, driver, started_at=NOW + timedelta(hours=h)) for h in (0, 5, 30)]
        await seed(uow_factory, organization, location, charge_point, driver, other, *sessions,
                   a_session(charge_point, other, started_at=NOW + timedelta(hours=6)))
        async with uow_factory() as uow:
            since = await uow.sessions.of_driver_since(organization.id, driver.id, NOW + timedelta(hours=5))
            assert since == sorted(sessions[1:], key=lambda s: s.id)
            assert since[0].fleet_id == driver.fleet_id and since[0].stop_request is not None
            assert await uow.sessions.of_driver_since(an_organization().id, driver.id, NOW) == []

    async def test_a_fleet_has_at_most_one_customer_of_its_own(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        fleet = new_id("flt")
        own = Customer.for_fleet(id=new_id("cus"), organization_id=organization.id, fleet_id=fleet, name="Acme",
                                 email="billing@example.com", now=NOW)
        await seed(uow_factory, organization)
        async with uow_factory() as uow:
            await uow.customers.add(own)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.customers.find_by_fleet(organization.id, fleet) == own
            assert await uow.customers.find_by_fleet(organization.id, new_id("flt")) is None
            with pytest.raises(Conflict):
                await uow.customers.add(evolve(own, id=new_id("cus")))
