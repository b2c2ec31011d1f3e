"""A reporting world on any storage: an organization with locations in several time zones (DST changes, half-hour
offsets, a zone whose DST change skips midnight), charge points with two connectors each, and completed sessions
stored as the OCPP door and pricing store them, so the event handlers book them and write their facts."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from adapters.memory import InMemoryStore
from application import event_handlers, invoice_runs, invoices, ledger, reports
from application.authorization import Actor
from application.events import EventDispatcher
from domain.charging import ChargingSession, SessionStatus
from domain.charging.events import SessionCompleted
from domain.identity import Organization, Role
from domain.ids import PREFIXES, new_id
from domain.network import ChargePoint, Connector, Driver, Location
from domain.pricing import SessionCost
from domain.tariffs import parse_tariff, quote_profile, rate
from tests.fakes import FakeClock

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Santiago", "UTC")
REGISTERED = datetime(2025, 1, 1, tzinfo=UTC)


def tariff(currency: str = "EUR"):
    components = [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1},
                  {"type": "FLAT", "price": "0.50", "vat": "19", "step_size": 1}]
    return parse_tariff({"currency": currency, "elements": [{"price_components": components}]})


def build(storage: object = None, now: datetime = datetime(2027, 1, 1, tzinfo=UTC)) -> SimpleNamespace:
    clock = FakeClock(now)
    store = storage if storage is not None else InMemoryStore(now=clock.now)
    dispatcher = EventDispatcher(store.unit_of_work, clock, event_handlers.handlers(clock))
    uow = dispatcher.unit_of_work
    p = functools.partial
    return SimpleNamespace(
        store=store, clock=clock, uow=uow, organizations={},
        report=p(reports.build_report, uow_factory=uow, clock=clock),
        trial_balance=p(ledger.trial_balance, uow_factory=uow),
        run_period=p(invoice_runs.run_period, uow_factory=uow, clock=clock),
        finalize=p(invoices.finalize_invoice, uow_factory=uow, clock=clock),
        credit=p(invoices.issue_credit_note, uow_factory=uow, clock=clock),
    )


def actor(organization_id: str, role: Role = Role.VIEWER) -> Actor:
    return Actor(api_key_id=new_id(PREFIXES["api_key"]), api_key_organization_id=organization_id, api_key_role=role)


async def organization(world: SimpleNamespace, zones: tuple[str, ...] = ZONES, timezone: str = "Europe/Berlin",
                       charge_points_per_location: int = 1) -> SimpleNamespace:
    """An organization (EUR, its zone ``timezone``) with a location per zone; returns its ids."""
    from attrs import evolve

    from domain.billing.invoices import Address
    from domain.billing.settings import BillingSettings

    now = world.clock.now()
    org = Organization.create(id=new_id(PREFIXES["organization"]), name="Voltline", country="DE",
                              contact_email="ops@voltline.example", now=now)
    billing = BillingSettings(legal_name="Voltline GmbH", billing_address=Address("Hafenstr. 1", "20457", "Hamburg",
                                                                                  "DE"),
                              vat_id="DE136695976", iban="DE89370400440532013000", bic="COBADEFFXXX")
    org.settings = evolve(org.settings, currency="EUR", timezone=timezone, billing=billing)
    locations, points = [], []
    async with world.uow() as uow:
        await uow.organizations.add(org)
        for i, zone in enumerate(zones):
            location = Location(id=new_id(PREFIXES["location"]), organization_id=org.id, name=f"Site {i} {zone}",
                                address=f"{i} Main Street", city="Somewhere", country="DE", timezone=zone,
                                created_at=REGISTERED)
            await uow.locations.add(location)
            locations.append(location)
            for j in range(charge_points_per_location):
                point = ChargePoint(id=f"CP-{org.id[-6:]}-{i}-{j}", organization_id=org.id, location_id=location.id,
                                    created_at=REGISTERED, connectors=[Connector(1, 1), Connector(1, 2)])
                await uow.charge_points.add(point)
                points.append(point)
        driver = Driver(id=new_id(PREFIXES["driver"]), organization_id=org.id, name="Dana",
                        created_at=REGISTERED, email="dana@example.com")
        await uow.drivers.add(driver)
        await uow.commit()
    found = SimpleNamespace(id=org.id, locations=locations, charge_points=points, driver=driver,
                            actor=actor(org.id), admin=actor(org.id, Role.ADMIN))
    world.organizations[org.id] = found
    return found


async def fleet(world: SimpleNamespace, organization: SimpleNamespace, name: str, *, vehicles: int = 1,
                drivers: int = 1) -> SimpleNamespace:
    """A fleet of the organization with its vehicles and drivers (each a driver of the fleet)."""
    from domain.fleets import Fleet, Vehicle

    made = Fleet(id=new_id(PREFIXES["fleet"]), organization_id=organization.id, name=name, created_at=REGISTERED)
    cars, people = [], []
    async with world.uow() as uow:
        await uow.fleets.add(made)
        for i in range(vehicles):
            car = Vehicle(id=new_id(PREFIXES["vehicle"]), organization_id=organization.id, fleet_id=made.id,
                          vin=f"WVWZZZ1JZ{made.id[-5:].upper()}{i:03d}"[:17].ljust(17, "0"), make="Volkswagen",
                          model=f"ID.{i + 3}", battery_kwh=Decimal(77), created_at=REGISTERED,
                          licence_plate=f"HH-{name[:2].upper()} {100 + i}")
            await uow.vehicles.add(car)
            cars.append(car)
        for i in range(drivers):
            person = Driver(id=new_id(PREFIXES["driver"]), organization_id=organization.id,
                            name=f"{name} driver {i}", created_at=REGISTERED, fleet_id=made.id)
            await uow.drivers.add(person)
            people.append(person)
        await uow.commit()
    return SimpleNamespace(id=made.id, name=name, vehicles=cars, drivers=people)


async def completed_session(world: SimpleNamespace, organization: SimpleNamespace, charge_point: ChargePoint,
                            connector: int, started: datetime, stopped: datetime, energy_wh: Decimal, *,
                            priced: bool = True, driver_id: str | None = None, fleet_id: str | None = None,
                            vehicle_id: str | None = None) -> ChargingSession:
    """A completed session stored with its events, as the OCPP door and pricing store them: the handlers book it
    in the ledger (when ``priced``) and write its fact. Its driver is the organization's own unless named; a fleet
    and vehicle are what it recorded at its start."""
    session = ChargingSession(id=new_id(PREFIXES["session"]), organization_id=organization.id,
                              charge_point_id=charge_point.id, transaction_id=new_id("tx"),
                              status=SessionStatus.COMPLETED, connector_id=connector, evse_id=1,
                              driver_id=driver_id or organization.driver.id, started_at=started, stopped_at=stopped,
                              meter_start_wh=Decimal(0), meter_stop_wh=energy_wh, fleet_id=fleet_id,
                              vehicle_id=vehicle_id)
    session.pending_events.append(SessionCompleted(
        organization_id=organization.id, occurred_at=stopped, session_id=session.id, charge_point_id=charge_point.id,
        started_at=started, stopped_at=stopped, energy_wh=energy_wh, stop_reason=None))
    if priced:
        breakdown = rate(tariff(), quote_profile(started, stopped, energy_wh / 1000), UTC).rounded()
        session.priced(SessionCost.of(breakdown), world.clock.now())
    async with world.uow() as uow:
        await uow.sessions.add(session)
        await uow.commit()
    return session


async def odometer(world: SimpleNamespace, organization: SimpleNamespace, vehicle_id: str,
                   *readings: tuple[str, datetime]) -> None:
    """Odometer readings of a vehicle: ``(km, instant read)`` each, stored as the API stores them."""
    from domain.fleets.odometer import OdometerReading

    async with world.uow() as uow:
        for km, read_at in readings:
            await uow.odometer_readings.add(OdometerReading(
                id=new_id(PREFIXES["odometer_reading"]), organization_id=organization.id, vehicle_id=vehicle_id,
                odometer_km=Decimal(km), read_at=read_at, recorded_at=world.clock.now()))
        await uow.commit()
