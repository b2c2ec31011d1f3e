"""Fleets on the in-memory fakes: fleets, vehicles and who drives them; policies enforced where a charge point
asks, every decision logged; sessions stopped at their energy cap; a fleet's sessions billed to the fleet."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application import authorization_log, drivers, fleets, invoice_runs, odometer
from application.credential_cache import CredentialCache
from application.drivers import CreateDriver
from application.energy_caps import EnergyCaps
from application.fleets import FleetDetails, VehicleDetails
from application.network import CreateLocation, RegisterChargePoint
from application.pagination import PageRequest
from application.ports.charge_point_commands import RemoteStart, RemoteStop
from application.ports.fleets import AuthorizationFilter
from application.ports.network import SessionFilter
from application.transactions import MeterValues, StartTransaction, StopTransaction, TransactionEventReport
from domain.billing.periods import BillingPeriod
from domain.charging import ENERGY_REGISTER, MeterSample, SessionStatus, TransactionEventKind
from domain.errors import Conflict, InvalidInput, NotFound
from domain.fleets import AuthorizationResult, AuthorizationStatus, Refusal
from domain.fleets.authorizations import ChargingRefused
from tests.unit.application.charging_env import charging_env
from tests.unit.application.helpers import organization, user

MONDAY_MORNING = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)       # 09:00 in London (winter: UTC+0)
WORKING_HOURS = {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"], "start": "08:00", "end": "18:00"}
VIN = "WVWZZZ1JZXW000001"


def energy_tariff(price: str = "0.30") -> dict:
    return {"currency": "GBP", "elements": [{"price_components": [
        {"type": "ENERGY", "price": price, "vat": "20", "step_size": 1}]}]}


def register(ts: datetime, wh: int) -> MeterSample:
    return MeterSample(ts, ENERGY_REGISTER, Decimal(wh), unit="Wh")


@pytest.fixture
async def net(env):
    world = await charging_env(env)
    world.clock.current = MONDAY_MORNING
    uow, clock, p = world.uow, world.clock, functools.partial
    world.known = CredentialCache()
    for name in ("create_fleet", "update_fleet", "create_vehicle", "update_vehicle"):
        setattr(world, name, p(getattr(fleets, name), uow_factory=uow, clock=clock))
    for name in ("get_fleet", "list_fleets", "delete_fleet", "get_vehicle", "list_vehicles", "delete_vehicle",
                 "list_vehicle_assignments"):
        setattr(world, name, p(getattr(fleets, name), uow_factory=uow))
    world.assign = p(fleets.assign_vehicle, uow_factory=uow, clock=clock, known=world.known)
    world.unassign = p(fleets.unassign_vehicle, uow_factory=uow, clock=clock, known=world.known)
    world.log = p(authorization_log.list_authorizations, uow_factory=uow)
    world.get_driver = p(drivers.get_driver, uow_factory=uow)
    world.authorize = p(world.authorize.func, **world.authorize.keywords, known=world.known)
    world.start = p(world.start.func, **world.start.keywords, known=world.known)
    world.caps = EnergyCaps(uow_factory=uow, commands=world.fleet, clock=clock, retry_after=timedelta(seconds=60))
    world.meter_values = p(world.meter_values.func, **world.meter_values.keywords, caps=world.caps)
    world.transaction_event = p(world.transaction_event.func, **world.transaction_event.keywords, caps=world.caps,
                                known=world.known)
    world.create_driver = p(drivers.create_driver, uow_factory=uow, clock=clock, known=world.known)
    world.update_driver = p(drivers.update_driver, uow_factory=uow, clock=clock, known=world.known)
    world.run_period = p(invoice_runs.run_period, uow_factory=uow, clock=clock)
    world.read_odometer = p(odometer.record_odometer_reading, uow_factory=uow, clock=clock)
    world.odometer_readings = p(odometer.list_odometer_readings, uow_factory=uow)
    return world


async def a_fleet(net, policy: dict | None = None, **details):
    return await net.create_fleet(FleetDetails(name=details.pop("name", "Acme"), policy=policy, **details),
                                  net.operator, net.org.id)


async def a_fleet_driver(net, fleet, tag: str, name: str = "Fleet driver", **changes):
    return await net.create_driver(CreateDriver(name, f"{tag.lower()}@example.com", fleet.id, (tag,), **changes),
                                   net.operator, net.org.id)


async def refusals(net) -> list[tuple[str, str | None, str]]:
    page = await net.log(net.operator, net.org.id, AuthorizationFilter(result=AuthorizationResult.REFUSED),
                         PageRequest(limit=50))
    return [(r.id_tag, r.reason.value if r.reason else None, r.trigger.value) for r in page.items]


# ---------------------------------------------------------------- fleets, vehicles, assignments


async def test_a_fleet_and_its_policy_are_checked_naming_each_field(net):
    fleet = await a_fleet(net, {"allowed_location_ids": [net.location.id], "time_windows": [WORKING_HOURS],
                                "max_spend_per_month": {"amount": "150.00", "currency": "GBP"}})
    assert (await net.get_fleet(fleet.id, net.operator, net.org.id)).policy == fleet.policy
    with pytest.raises(InvalidInput) as refused:    # the policy's own rules first…
        await a_fleet(net, {"time_windows": [WORKING_HOURS, {"days": ["FRIDAY"], "start": "17:00", "end": "20:00"}],
                            "max_kwh_per_day": 0})
    assert {e.field for e in refused.value.errors} == {"policy.time_windows[1]", "policy.max_kwh_per_day"}
    with pytest.raises(InvalidInput) as refused:    # …then what only the organization's data can tell
        await a_fleet(net, {"allowed_location_ids": ["loc_01JD0000000000000000000000", net.location.id],
                            "max_spend_per_month": {"amount": "150.00", "currency": "EUR"}})
    assert {e.field for e in refused.value.errors} == {"policy.allowed_location_ids[0]",
                                                        "policy.max_spend_per_month.currency"}
    with pytest.raises(InvalidInput, match="customer_id"):
        await a_fleet(net, customer_id="cus_01JD0000000000000000000000")
    other_admin = await user(net, "other@example.com")
    other = await organization(net, other_admin, "Other")
    with pytest.raises(NotFound):
        await net.get_fleet(fleet.id, other_admin, other.id)
    with pytest.raises(InvalidInput, match=r"policy.allowed_location_ids\[0\]"):   # another tenant's location
        await net.create_fleet(FleetDetails("Theirs", policy={"allowed_location_ids": [net.location.id]}),
                               other_admin, other.id)


async def test_vehicles_are_unique_by_vin_and_fleets_with_members_stay(net):
    fleet = await a_fleet(net)
    vehicle = await net.create_vehicle(VehicleDetails(fleet.id, " wvwzzz1jzxw000001 ", "VW", "ID.3", "58.5",
                                                      ("IEC_62196_T2_COMBO",)), net.operator, net.org.id)
    assert (vehicle.vin, vehicle.battery_kwh) == (VIN, Decimal("58.5"))
    with pytest.raises(Conflict):
        await net.create_vehicle(VehicleDetails(fleet.id, VIN, "VW", "ID.4", 77), net.operator, net.org.id)
    with pytest.raises(InvalidInput) as refused:
        await net.create_vehicle(VehicleDetails(fleet.id, "1HGCM82634A004352", "Honda", "e", 0), net.operator,
                                 net.org.id)
    assert {e.field for e in refused.value.errors} == {"vin", "battery_kwh"}
    with pytest.raises(InvalidInput, match="fleet_id"):
        await net.create_vehicle(VehicleDetails("flt_01JD0000000000000000000000", "1HGCM82633A004352", "H", "e", 20),
                                 net.operator, net.org.id)
    with pytest.raises(Conflict):
        await net.delete_fleet(fleet.id, net.operator, net.org.id)
    await net.delete_vehicle(vehicle.id, net.operator, net.org.id)
    await net.delete_fleet(fleet.id, net.operator, net.org.id)
    with pytest.raises(NotFound):
        await net.get_fleet(fleet.id, net.operator, net.org.id)


async def test_an_odometer_never_goes_back_and_is_never_read_in_the_future(net):
    fleet = await a_fleet(net)
    van = await net.create_vehicle(VehicleDetails(fleet.id, VIN, "VW", "ID.Buzz", 77), net.operator, net.org.id)
    hour = timedelta(hours=1)

    async def read(km, at=None):
        return await net.read_odometer(van.id, km, at, net.operator, net.org.id)

    first = await read(Decimal("1000.5"), MONDAY_MORNING - 10 * hour)
    assert (first.odometer_km, first.read_at, first.recorded_at) == (Decimal("1000.500"), MONDAY_MORNING - 10 * hour,
                                                                     MONDAY_MORNING)
    assert (await read("1200")).read_at == MONDAY_MORNING                      # read now by default
    await read(1100, MONDAY_MORNING - 5 * hour)                                # between the two: fine
    await read("1100", MONDAY_MORNING - 5 * hour)                              # the same instant, the same km
    for km, at in (("1000.499", MONDAY_MORNING - 9 * hour), ("1099", MONDAY_MORNING - 5 * hour),
                   ("1100.001", MONDAY_MORNING - 5 * hour), ("1201", MONDAY_MORNING - hour),
                   ("1000.501", MONDAY_MORNING - 11 * hour)):
        with pytest.raises(InvalidInput) as refused:
            await read(km, at)
        assert [e.field for e in refused.value.errors] == ["odometer_km"], (km, at)
    with pytest.raises(InvalidInput) as refused:
        await read(-1, MONDAY_MORNING + timedelta(seconds=1))
    assert {e.field for e in refused.value.errors} == {"odometer_km", "read_at"}
    for bad in (1.5, "1e3", "0.0001", True, None, "10000000"):
        with pytest.raises(InvalidInput, match="odometer_km"):
            await read(bad)
    with pytest.raises(InvalidInput, match="read_at"):
        await read(5000, datetime(2026, 1, 1))                                 # no offset
    await read("999", MONDAY_MORNING - 11 * hour)                              # earlier and lower: fine
    listed = await net.odometer_readings(van.id, net.operator, net.org.id, PageRequest(limit=10))
    assert [r.odometer_km for r in listed.items] == [Decimal(1200), Decimal(1100), Decimal(1100), Decimal("1000.5"),
                                                     Decimal(999)]
    other_admin = await user(net, "other@example.com")
    other = await organization(net, other_admin, "Other")
    with pytest.raises(NotFound):
        await net.read_odometer(van.id, 1300, None, other_admin, other.id)
    with pytest.raises(NotFound):
        await net.odometer_readings(van.id, other_admin, other.id, PageRequest())
    await net.delete_vehicle(van.id, net.operator, net.org.id)
    async with net.uow() as uow:
        assert (await uow.odometer_readings.list(net.org.id, van.id, PageRequest())).items == []


async def test_one_current_vehicle_per_driver_with_the_history_kept(net):
    fleet, other_fleet = await a_fleet(net), await a_fleet(net, name="Other")
    car = await net.create_vehicle(VehicleDetails(fleet.id, VIN, "VW", "ID.3", 58), net.operator, net.org.id)
    van = await net.create_vehicle(VehicleDetails(fleet.id, "1HGCM82633A004352", "Honda", "e", 35), net.operator,
                                   net.org.id)
    stray = await net.create_vehicle(VehicleDetails(other_fleet.id, "1M8GDM9AXKP042788", "Bus", "B", 300),
                                     net.operator, net.org.id)
    dana, eli = await a_fleet_driver(net, fleet, "TAG-DANA"), await a_fleet_driver(net, fleet, "TAG-ELI")
    first = await net.assign(dana.id, car.id, net.operator, net.org.id)
    assert await net.assign(dana.id, car.id, net.operator, net.org.id) == first      # already so
    net.clock.advance(hours=1)
    second = await net.assign(dana.id, van.id, net.operator, net.org.id)
    net.clock.advance(hours=1)
    await net.assign(eli.id, van.id, net.operator, net.org.id)                       # a hand-over
    history = (await net.list_vehicle_assignments(dana.id, net.operator, net.org.id, PageRequest(limit=10))).items
    assert [(a.vehicle_id, a.ended_at is None) for a in history] == [(van.id, False), (car.id, False)]
    assert history[0].id == second.id and history[0].ended_at == net.clock.now()
    assert (await net.get_driver(dana.id, net.operator, net.org.id)).vehicle_id is None
    assert (await net.get_driver(eli.id, net.operator, net.org.id)).vehicle_id == van.id
    with pytest.raises(InvalidInput, match="vehicle_id"):
        await net.assign(dana.id, stray.id, net.operator, net.org.id)
    with pytest.raises(Conflict):
        await net.delete_vehicle(van.id, net.operator, net.org.id)
    with pytest.raises(Conflict):
        await net.update_vehicle(van.id, VehicleDetails(other_fleet.id, "1HGCM82633A004352", "Honda", "e", 35),
                                 net.operator, net.org.id)
    # Moved to the other fleet, Eli stops driving this fleet's van.
    await net.update_driver(eli.id, CreateDriver("Eli", None, other_fleet.id, ("TAG-ELI",)), net.operator, net.org.id)
    assert (await net.get_driver(eli.id, net.operator, net.org.id)).vehicle_id is None
    await net.delete_vehicle(van.id, net.operator, net.org.id)
    await net.unassign(dana.id, net.operator, net.org.id)


# ---------------------------------------------------------------- the policy where a charge point asks


async def test_authorize_is_refused_outside_the_window_and_away_from_the_allowed_locations(net):
    elsewhere = await net.create_location(CreateLocation("Elsewhere", "2 Road", "Leeds", "GB", "Europe/London"),
                                          net.operator, net.org.id)
    await net.register_charge_point(RegisterChargePoint("CP-AWAY", elsewhere.id), net.operator, net.org.id)
    fleet = await a_fleet(net, {"allowed_location_ids": [net.location.id], "time_windows": [WORKING_HOURS]})
    driver = await a_fleet_driver(net, fleet, "TAG-FLEET")
    assert (await net.authorize("CP-1", "TAG-FLEET")).status is AuthorizationStatus.ACCEPTED
    away = await net.authorize("CP-AWAY", "TAG-FLEET")
    assert (away.status, away.reason) == (AuthorizationStatus.NOT_AT_THIS_LOCATION, Refusal.LOCATION_NOT_ALLOWED)
    net.clock.current = MONDAY_MORNING.replace(hour=19)
    late = await net.authorize("CP-1", "TAG-FLEET")
    assert (late.status, late.reason) == (AuthorizationStatus.NOT_AT_THIS_TIME, Refusal.OUTSIDE_TIME_WINDOWS)
    assert "MONDAY 19:00" in late.detail
    log = (await net.log(net.operator, net.org.id, AuthorizationFilter(driver_id=driver.id),
                         PageRequest(limit=10))).items
    assert [(r.result, r.reason, r.fleet_id, r.charge_point_id) for r in log] == [
        (AuthorizationResult.REFUSED, Refusal.OUTSIDE_TIME_WINDOWS, fleet.id, "CP-1"),
        (AuthorizationResult.REFUSED, Refusal.LOCATION_NOT_ALLOWED, fleet.id, "CP-AWAY"),
        (AuthorizationResult.ACCEPTED, None, fleet.id, "CP-1")]
    # Each refusal raised authorization.refused, stored with its row.
    refused = [e.event for e in net.store.tables["events"].values() if e.event.name == "authorization.refused"]
    assert sorted(e.reason for e in refused) == ["location_not_allowed", "outside_time_windows"]
    assert {e.authorization_id for e in refused} == {r.id for r in log if r.result is AuthorizationResult.REFUSED}


async def test_a_policy_change_applies_at_once_and_a_drivers_own_policy_replaces_the_fleets(net):
    fleet = await a_fleet(net)
    await a_fleet_driver(net, fleet, "TAG-A")
    assert (await net.authorize("CP-1", "TAG-A")).accepted           # remembered for a few seconds…
    await net.update_fleet(fleet.id, FleetDetails("Acme", policy={"time_windows": [
        {"days": ["SUNDAY"], "start": "00:00", "end": "24:00"}]}), net.operator, net.org.id)
    assert (await net.authorize("CP-1", "TAG-A")).reason is Refusal.OUTSIDE_TIME_WINDOWS   # …but not the policy
    boss = await a_fleet_driver(net, fleet, "TAG-BOSS", policy={})
    assert (await net.authorize("CP-1", "TAG-BOSS")).accepted
    await net.update_driver(boss.id, CreateDriver("Boss", None, fleet.id, ("TAG-BOSS",), active=False),
                            net.operator, net.org.id)
    blocked = await net.authorize("CP-1", "TAG-BOSS")
    assert (blocked.status, blocked.reason) == (AuthorizationStatus.BLOCKED, Refusal.DRIVER_DEACTIVATED)
    unknown = await net.authorize("CP-1", "NOBODY")
    assert (unknown.status, unknown.reason) == (AuthorizationStatus.INVALID, Refusal.UNKNOWN_ID_TAG)
    assert [r[:2] for r in await refusals(net)] == [("NOBODY", "unknown_id_tag"), ("TAG-BOSS", "driver_deactivated"),
                                                    ("TAG-A", "outside_time_windows")]


async def test_the_connector_type_is_judged_when_the_transaction_starts(net):
    await net.register_charge_point(RegisterChargePoint("CP-DC", net.location.id, evses=((1, (1,)), (2, (1,))),
                                                        connector_types=(((1, 1), "CHADEMO"),
                                                                         ((2, 1), "IEC_62196_T2_COMBO"))),
                                    net.operator, net.org.id)
    fleet = await a_fleet(net, {"allowed_connector_types": ["IEC_62196_T2_COMBO"]})
    await a_fleet_driver(net, fleet, "TAG-CCS")
    assert (await net.authorize("CP-DC", "TAG-CCS")).accepted         # Authorize names no connector
    refused = await net.transaction_event(TransactionEventReport(
        "CP-DC", TransactionEventKind.STARTED, MONDAY_MORNING, "tx-1", 0, "Authorized", "TAG-CCS", evse_id=1,
        connector_id=1))
    assert (refused.status, refused.reason) == (AuthorizationStatus.NOT_ALLOWED_TYPE_EVSE,
                                                Refusal.CONNECTOR_TYPE_NOT_ALLOWED)
    accepted = await net.transaction_event(TransactionEventReport(
        "CP-DC", TransactionEventKind.STARTED, MONDAY_MORNING, "tx-2", 0, "Authorized", "TAG-CCS", evse_id=2,
        connector_id=1))
    assert accepted.accepted
    with pytest.raises(InvalidInput, match=r"evses\[0\].connectors\[0\].type"):
        await net.register_charge_point(RegisterChargePoint("CP-BAD", net.location.id, evses=((1, (1,)),),
                                                            connector_types=(((1, 1), "T2"),)),
                                        net.operator, net.org.id)


async def test_a_days_energy_refuses_once_used_and_caps_the_session_that_would_pass_it(net):
    fleet = await a_fleet(net, {"max_kwh_per_day": 20, "max_kwh_per_session": 15})
    driver = await a_fleet_driver(net, fleet, "TAG-DAY")
    first = await net.start(StartTransaction("CP-1", 1, "TAG-DAY", Decimal(0), MONDAY_MORNING))
    session = (await net.get_session(first.session_id, net.operator, net.org.id)).session
    assert (session.fleet_id, session.driver_id) == (fleet.id, driver.id)
    assert (session.energy_cap_wh, session.energy_cap_reason) == (Decimal(15000), "max_kwh_per_session")
    await net.stop(StopTransaction("CP-1", str(first.transaction_id), Decimal(12_000),
                                   MONDAY_MORNING + timedelta(hours=1)))
    net.clock.advance(hours=2)
    second = await net.start(StartTransaction("CP-1", 1, "TAG-DAY", Decimal(12_000), net.clock.now()))
    capped = (await net.get_session(second.session_id, net.operator, net.org.id)).session
    assert (capped.energy_cap_wh, capped.energy_cap_reason) == (Decimal(8000), "max_kwh_per_day")
    await net.stop(StopTransaction("CP-1", str(second.transaction_id), Decimal(20_000),
                                   net.clock.now() + timedelta(hours=1)))
    refused = await net.authorize("CP-1", "TAG-DAY")
    assert (refused.status, refused.reason) == (AuthorizationStatus.NO_CREDIT, Refusal.DAILY_ENERGY_LIMIT_REACHED)
    net.clock.current = MONDAY_MORNING + timedelta(days=1)            # a new day (the organization's)
    assert (await net.authorize("CP-1", "TAG-DAY")).accepted


async def test_a_months_spend_counts_the_running_sessions_estimate(net):
    tariff = await net.create_tariff(energy_tariff("0.50"), net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    fleet = await a_fleet(net, {"max_spend_per_month": {"amount": "10.00", "currency": "GBP"}})
    await a_fleet_driver(net, fleet, "TAG-SPEND")
    started = await net.start(StartTransaction("CP-1", 1, "TAG-SPEND", Decimal(0), MONDAY_MORNING))
    tx = str(started.transaction_id)
    # 15 kWh at 0.50 + 20 % VAT is 9.00 so far: still below the limit.
    await net.meter_values(MeterValues("CP-1", (register(MONDAY_MORNING + timedelta(minutes=40), 15_000),), tx, 1))
    net.clock.advance(minutes=45)
    assert (await net.authorize("CP-1", "TAG-SPEND")).accepted
    await net.meter_values(MeterValues("CP-1", (register(MONDAY_MORNING + timedelta(minutes=50), 17_000),), tx, 1))
    net.clock.advance(minutes=10)
    refused = await net.authorize("CP-1", "TAG-SPEND")                # 10.20 with the running session's estimate
    assert (refused.status, refused.reason) == (AuthorizationStatus.NO_CREDIT, Refusal.MONTHLY_SPEND_LIMIT_REACHED)
    assert "10.20 GBP spent" in refused.detail
    net.clock.current = datetime(2026, 2, 1, 9, tzinfo=UTC)           # next month
    assert (await net.authorize("CP-1", "TAG-SPEND")).accepted


async def test_a_remote_start_is_authorized_before_it_is_sent(net):
    fleet = await a_fleet(net, {"time_windows": [{"days": ["SATURDAY"], "start": "08:00", "end": "12:00"}]})
    await a_fleet_driver(net, fleet, "TAG-REMOTE")
    with pytest.raises(ChargingRefused, match="outside_time_windows"):
        await net.send_command("CP-1", RemoteStart("TAG-REMOTE", connector_id=1), net.operator, net.org.id)
    assert net.fleet.sent == []
    assert await refusals(net) == [("TAG-REMOTE", "outside_time_windows", "RemoteStart")]
    await net.update_fleet(fleet.id, FleetDetails("Acme"), net.operator, net.org.id)
    assert (await net.send_command("CP-1", RemoteStart("TAG-REMOTE", connector_id=1), net.operator,
                                   net.org.id)).status == "Accepted"


# ---------------------------------------------------------------- the energy cap on the meter path


async def test_a_session_over_its_cap_is_stopped_once_with_the_reason_recorded(net):
    fleet = await a_fleet(net, {"max_kwh_per_session": 10})
    await a_fleet_driver(net, fleet, "TAG-CAP")
    started = await net.start(StartTransaction("CP-1", 1, "TAG-CAP", Decimal(1000), MONDAY_MORNING))
    tx = str(started.transaction_id)
    await net.meter_values(MeterValues("CP-1", (register(MONDAY_MORNING + timedelta(minutes=30), 9_000),), tx, 1))
    await net.caps.drain()
    assert net.fleet.sent == []                                       # 8 kWh: below the cap
    await net.meter_values(MeterValues("CP-1", (register(MONDAY_MORNING + timedelta(minutes=50), 11_000),), tx, 1))
    await net.caps.drain()
    assert net.fleet.sent == [("CP-1", RemoteStop(tx))]
    session = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert session.stop_request is not None
    assert (session.stop_request.reason, session.stop_request.answer) == ("max_kwh_per_session", "Accepted")
    stop_events = [e.event for e in net.store.tables["events"].values() if e.event.name == "session.stop_requested"]
    assert [(e.session_id, e.reason, e.energy_wh) for e in stop_events] == [(session.id, "max_kwh_per_session",
                                                                             Decimal(10_000))]
    for minutes in (55, 59):                                          # more readings before the stop arrives
        await net.meter_values(MeterValues("CP-1", (register(MONDAY_MORNING + timedelta(minutes=minutes),
                                                             11_000 + minutes),), tx, 1))
    await net.caps.drain()
    assert len(net.fleet.sent) == 1
    await net.stop(StopTransaction("CP-1", tx, Decimal(11_100), MONDAY_MORNING + timedelta(hours=1), "Remote"))
    assert (await net.get_session(started.session_id, net.operator, net.org.id)).session.status is \
        SessionStatus.COMPLETED


async def test_a_stop_the_charge_point_did_not_take_is_asked_again_later(net):
    fleet = await a_fleet(net, {"max_kwh_per_session": 5})
    await a_fleet_driver(net, fleet, "TAG-AGAIN")
    started = await net.transaction_event(TransactionEventReport(
        "CP-1", TransactionEventKind.STARTED, MONDAY_MORNING, "tx-cap", 0, "Authorized", "TAG-AGAIN", evse_id=1,
        connector_id=1, samples=(register(MONDAY_MORNING, 0),)))
    assert started.accepted
    net.fleet.answers["RemoteStop"] = "Rejected"

    async def update(seq: int, minutes: int, wh: int) -> None:
        net.clock.current = MONDAY_MORNING + timedelta(minutes=minutes)
        await net.transaction_event(TransactionEventReport(
            "CP-1", TransactionEventKind.UPDATED, net.clock.now(), "tx-cap", seq, "MeterValuePeriodic",
            samples=(register(net.clock.now(), wh),)))
        await net.caps.drain()

    await update(1, 20, 6_000)
    await update(2, 20, 6_100)                                        # asked in vain a moment ago: not again yet
    assert net.fleet.sent == [("CP-1", RemoteStop("tx-cap"))]
    net.fleet.answers["RemoteStop"] = "Accepted"
    await update(3, 22, 6_300)                                        # a minute later: asked again
    assert net.fleet.sent == [("CP-1", RemoteStop("tx-cap"))] * 2
    await update(4, 30, 6_500)
    assert len(net.fleet.sent) == 2
    [session] = (await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest(limit=5))).items
    assert session.stop_request.answer == "Accepted"


# ---------------------------------------------------------------- billing


async def test_a_fleets_month_is_one_invoice_with_all_its_drivers_sessions(net):
    tariff = await net.create_tariff(energy_tariff("0.30"), net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    fleet = await a_fleet(net)
    car = await net.create_vehicle(VehicleDetails(fleet.id, VIN, "VW", "ID.3", 58), net.operator, net.org.id)
    dana = await a_fleet_driver(net, fleet, "TAG-F1", "Dana")
    await a_fleet_driver(net, fleet, "TAG-F2", "Eli")
    await net.assign(dana.id, car.id, net.operator, net.org.id)
    sessions = []
    for day, tag in enumerate(["TAG-F1", "TAG-F2", "TAG-F1"]):
        at = MONDAY_MORNING + timedelta(days=day)
        net.clock.current = at
        started = await net.start(StartTransaction("CP-1", 1, tag, Decimal(0), at))
        await net.stop(StopTransaction("CP-1", str(started.transaction_id), Decimal(4000), at + timedelta(hours=1)))
        sessions.append(started.session_id)
    await net.start(StartTransaction("CP-1", 2, "RFID-DANA", Decimal(0), MONDAY_MORNING))  # not a fleet driver
    first = (await net.get_session(sessions[0], net.operator, net.org.id)).session
    assert (first.fleet_id, first.vehicle_id) == (fleet.id, car.id)
    net.clock.current = datetime(2026, 2, 2, tzinfo=UTC)
    run = await net.run_period(net.org.id, BillingPeriod.month("2026-01"))
    assert run.invoices_created == 1
    async with net.uow() as uow:
        customer = await uow.customers.find_by_fleet(net.org.id, fleet.id)
        invoices = [i for i in net.store.tables["invoices"].values() if i.customer_id == customer.id]
        charges = [c for c in net.store.tables["charges"].values() if c.customer_id == customer.id]
    assert customer.name == "Acme" and customer.fleet_id == fleet.id
    assert len(invoices) == 1
    assert sorted(c.id for c in charges) == sorted(sessions)
    assert {c.invoice_id for c in charges} == {invoices[0].id}
