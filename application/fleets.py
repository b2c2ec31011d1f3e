"""Fleets and their vehicles, created by operators; which vehicle each driver drives, with its history.

A fleet's policy comes in its JSON form and is read by the domain's parser, so every fault is named with its
path (``policy.time_windows[1].end``); what only storage knows (that a location or customer is the
organization's, the currency the fleet is billed in) is checked here, naming the field the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from attrs import evolve, frozen

from application.authorization import Action, Actor, authorize
from application.id_tags import KnownTags
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import Conflict, FieldErrors, InvalidInput, NotFound
from domain.fleets import ChargingPolicy, Fleet, Vehicle, VehicleAssignment, parse_policy
from domain.fleets.vins import normalize_vin
from domain.ids import PREFIXES, new_id
from domain.network import Driver

PolicyDocument = Mapping[str, object] | None


@frozen
class FleetDetails:
    """What an operator gives (a PUT replaces all of it); ``policy`` in its JSON form, absent for no limits."""

    name: str
    customer_id: str | None = None
    policy: PolicyDocument = None


@frozen
class VehicleDetails:
    fleet_id: str
    vin: str
    make: str
    model: str
    battery_kwh: object                        # a quantity as the API read it: Decimal, int or decimal string
    connector_types: tuple[str, ...] = ()
    licence_plate: str | None = None


async def checked_policy(uow: UnitOfWork, organization_id: str, document: PolicyDocument, path: str,
                         billed_in: str | None) -> ChargingPolicy:
    """A policy whose locations are the organization's and whose spending limit is in the currency it is
    billed in (``billed_in``; None: not checked)."""
    policy = parse_policy(dict(document) if document is not None else None, path)
    errors = FieldErrors()
    for i, location_id in enumerate(policy.allowed_location_ids or ()):
        if await uow.locations.get(organization_id, location_id) is None:
            errors.add(f"{path}.allowed_location_ids[{i}]", f"no location {location_id} in this organization")
    limit = policy.max_spend_per_month
    if limit is not None and billed_in is not None and limit.currency != billed_in:
        errors.add(f"{path}.max_spend_per_month.currency", f"must be {billed_in}, the currency its sessions are "
                                                           "billed in")
    errors.raise_if_any()
    return policy


async def billing_currency(uow: UnitOfWork, organization_id: str, customer_id: str | None) -> str | None:
    if customer_id is not None:
        customer = await uow.customers.get(organization_id, customer_id)
        if customer is None:
            raise InvalidInput.field("customer_id", "no such customer in this organization")
        if customer.currency is not None:
            return customer.currency
    organization = await uow.organizations.get(organization_id)
    return organization.settings.currency if organization is not None else None


async def create_fleet(cmd: FleetDetails, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                       clock: Clock) -> Fleet:
    Fleet.validate(name=cmd.name, customer_id=cmd.customer_id)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        currency = await billing_currency(uow, organization_id, cmd.customer_id)
        policy = await checked_policy(uow, organization_id, cmd.policy, "policy", currency)
        fleet = Fleet(id=new_id(PREFIXES["fleet"]), organization_id=organization_id, name=cmd.name.strip(),
                      created_at=clock.now(), customer_id=cmd.customer_id, policy=policy)
        await uow.fleets.add(fleet)
        await uow.commit()
    return fleet


async def update_fleet(fleet_id: str, cmd: FleetDetails, actor: Actor, organization_id: str, *,
                       uow_factory: UnitOfWorkFactory, clock: Clock) -> Fleet:
    Fleet.validate(name=cmd.name, customer_id=cmd.customer_id)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        fleet = await uow.fleets.get(organization_id, fleet_id)
        if fleet is None:
            raise NotFound("fleet", fleet_id)
        currency = await billing_currency(uow, organization_id, cmd.customer_id)
        policy = await checked_policy(uow, organization_id, cmd.policy, "policy", currency)
        fleet = evolve(fleet, name=cmd.name.strip(), customer_id=cmd.customer_id, policy=policy,
                       updated_at=clock.now())
        await uow.fleets.save(fleet)
        await uow.commit()
    return fleet


async def get_fleet(fleet_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory) -> Fleet:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        fleet = await uow.fleets.get(organization_id, fleet_id)
    if fleet is None:
        raise NotFound("fleet", fleet_id)
    return fleet


async def list_fleets(actor: Actor, organization_id: str, page: PageRequest, *,
                      uow_factory: UnitOfWorkFactory) -> Page[Fleet]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.fleets.list(organization_id, page)


async def delete_fleet(fleet_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory) -> None:
    """Only an empty fleet goes: its drivers and vehicles must be moved or removed first (409). Its sessions keep
    its id, and its own customer (with its invoices) stays."""
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        if await uow.fleets.get(organization_id, fleet_id) is None:
            raise NotFound("fleet", fleet_id)
        drivers = await uow.drivers.count_in_fleet(organization_id, fleet_id)
        vehicles = await uow.vehicles.count_in_fleet(organization_id, fleet_id)
        if drivers or vehicles:
            raise Conflict(f"the fleet still has {drivers} driver(s) and {vehicles} vehicle(s): move or remove them "
                           "first")
        await uow.fleets.delete(organization_id, fleet_id)
        await uow.commit()


# ---------------------------------------------------------------- vehicles


def _checked_vehicle(cmd: VehicleDetails) -> tuple[VehicleDetails, Decimal]:
    """The details as stored (VIN normalized, names trimmed), and the battery capacity read exactly."""
    vin = normalize_vin(cmd.vin) if isinstance(cmd.vin, str) else cmd.vin
    battery = Vehicle.validate(fleet_id=cmd.fleet_id, vin=vin, make=cmd.make, model=cmd.model,
                               battery_kwh=cmd.battery_kwh, connector_types=list(cmd.connector_types),
                               licence_plate=cmd.licence_plate)
    return evolve(cmd, vin=vin, make=cmd.make.strip(), model=cmd.model.strip(),
                  licence_plate=cmd.licence_plate.strip() if cmd.licence_plate else None), battery


async def _fleet_of(uow: UnitOfWork, organization_id: str, fleet_id: str) -> Fleet:
    fleet = await uow.fleets.get(organization_id, fleet_id)
    if fleet is None:
        raise InvalidInput.field("fleet_id", "no such fleet in this organization")
    return fleet


async def create_vehicle(cmd: VehicleDetails, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                         clock: Clock) -> Vehicle:
    d, battery = _checked_vehicle(cmd)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        await _fleet_of(uow, organization_id, d.fleet_id)
        vehicle = Vehicle(id=new_id(PREFIXES["vehicle"]), organization_id=organization_id, fleet_id=d.fleet_id,
                          vin=d.vin, make=d.make, model=d.model, battery_kwh=battery, created_at=clock.now(),
                          connector_types=d.connector_types, licence_plate=d.licence_plate)
        await uow.vehicles.add(vehicle)
        await uow.commit()
    return vehicle


async def update_vehicle(vehicle_id: str, cmd: VehicleDetails, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock) -> Vehicle:
    d, battery = _checked_vehicle(cmd)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        vehicle = await uow.vehicles.get(organization_id, vehicle_id)
        if vehicle is None:
            raise NotFound("vehicle", vehicle_id)
        await _fleet_of(uow, organization_id, d.fleet_id)
        if d.fleet_id != vehicle.fleet_id \
                and await uow.vehicle_assignments.current_of_vehicle(organization_id, vehicle_id) is not None:
            raise Conflict("the vehicle is assigned to a driver of its fleet: end the assignment before moving it")
        vehicle = evolve(vehicle, fleet_id=d.fleet_id, vin=d.vin, make=d.make, model=d.model,
                         battery_kwh=battery, connector_types=d.connector_types, licence_plate=d.licence_plate,
                         updated_at=clock.now())
        await uow.vehicles.save(vehicle)
        await uow.commit()
    return vehicle


async def get_vehicle(vehicle_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory) -> Vehicle:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        vehicle = await uow.vehicles.get(organization_id, vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle", vehicle_id)
    return vehicle


async def list_vehicles(actor: Actor, organization_id: str, page: PageRequest, fleet_id: str | None = None, *,
                        uow_factory: UnitOfWorkFactory) -> Page[Vehicle]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.vehicles.list(organization_id, page, fleet_id)


async def delete_vehicle(vehicle_id: str, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory) -> None:
    """A vehicle a driver drives now cannot go (409: end the assignment first); its history and its sessions
    keep its id, its odometer readings go with it."""
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        if await uow.vehicles.get(organization_id, vehicle_id) is None:
            raise NotFound("vehicle", vehicle_id)
        if await uow.vehicle_assignments.current_of_vehicle(organization_id, vehicle_id) is not None:
            raise Conflict("a driver drives the vehicle now: end the assignment first")
        await uow.odometer_readings.delete_of_vehicle(organization_id, vehicle_id)
        await uow.vehicles.delete(organization_id, vehicle_id)
        await uow.commit()


# ---------------------------------------------------------------- who drives what


async def _end_current(uow: UnitOfWork, assignment: VehicleAssignment | None, at: datetime) -> str | None:
    """Ends ``assignment`` and clears its driver's current vehicle; answers that driver's id."""
    if assignment is None:
        return None
    assignment.end(at)
    await uow.vehicle_assignments.save(assignment)
    driver = await uow.drivers.get(assignment.organization_id, assignment.driver_id)
    if driver is not None and driver.vehicle_id == assignment.vehicle_id:
        driver.vehicle_id = None
        await uow.drivers.save(driver)
    return assignment.driver_id


def _forget_tags(known: KnownTags | None, drivers: list[Driver]) -> None:
    """A driver's vehicle and policy travel with what this node remembers of its tags."""
    if known is not None:
        for driver in drivers:
            for tag in driver.id_tags:
                known.forget((driver.organization_id, tag))


async def assign_vehicle(driver_id: str, vehicle_id: str, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock,
                         known: KnownTags | None = None) -> VehicleAssignment:
    """The driver drives ``vehicle_id`` from now on: its previous vehicle's assignment ends, and so does the
    vehicle's with another driver (a hand-over). The vehicle must be of the driver's fleet."""
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        driver = await uow.drivers.get(organization_id, driver_id)
        if driver is None:
            raise NotFound("driver", driver_id)
        vehicle = await uow.vehicles.get(organization_id, vehicle_id)
        if vehicle is None:
            raise InvalidInput.field("vehicle_id", "no such vehicle in this organization")
        if vehicle.fleet_id != driver.fleet_id:
            raise InvalidInput.field("vehicle_id", f"the vehicle is in fleet {vehicle.fleet_id}; the driver is in "
                                                   f"{driver.fleet_id or 'no fleet'}")
        current = await uow.vehicle_assignments.current_of_driver(organization_id, driver_id)
        if current is not None and current.vehicle_id == vehicle_id:
            return current                       # already so: nothing changes
        touched = [await _end_current(uow, current, now),
                   await _end_current(uow, await uow.vehicle_assignments.current_of_vehicle(organization_id,
                                                                                            vehicle_id), now)]
        assignment = VehicleAssignment(id=new_id(PREFIXES["vehicle_assignment"]), organization_id=organization_id,
                                       driver_id=driver_id, vehicle_id=vehicle_id, assigned_at=now)
        await uow.vehicle_assignments.add(assignment)
        driver = await uow.drivers.get(organization_id, driver_id)
        assert driver is not None
        driver.vehicle_id = vehicle_id
        await uow.drivers.save(driver)
        changed = [d for d in [await uow.drivers.get(organization_id, i) for i in {driver_id, *touched} if i]
                   if d is not None]
        await uow.commit()
    _forget_tags(known, changed)
    return assignment


async def unassign_vehicle(driver_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                           clock: Clock, known: KnownTags | None = None) -> None:
    """The driver drives no vehicle from now on (nothing changes if it drove none)."""
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        driver = await uow.drivers.get(organization_id, driver_id)
        if driver is None:
            raise NotFound("driver", driver_id)
        await _end_current(uow, await uow.vehicle_assignments.current_of_driver(organization_id, driver_id),
                           clock.now())
        await uow.commit()
    _forget_tags(known, [driver])


async def list_vehicle_assignments(driver_id: str, actor: Actor, organization_id: str, page: PageRequest, *,
                                   uow_factory: UnitOfWorkFactory) -> Page[VehicleAssignment]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        if await uow.drivers.get(organization_id, driver_id) is None:
            raise NotFound("driver", driver_id)
        return await uow.vehicle_assignments.list_of_driver(organization_id, driver_id, page)


async def end_assignments_outside(uow: UnitOfWork, driver: Driver, at: datetime) -> None:
    """A driver moved to another fleet (or none) stops driving its old fleet's vehicle."""
    current = await uow.vehicle_assignments.current_of_driver(driver.organization_id, driver.id)
    if current is None:
        return
    vehicle = await uow.vehicles.get(driver.organization_id, current.vehicle_id)
    if vehicle is None or vehicle.fleet_id != driver.fleet_id:
        current.end(at)
        await uow.vehicle_assignments.save(current)
        driver.vehicle_id = None
