"""Drivers and their id tags: created by operators, looked up when a charge point presents a tag."""

from __future__ import annotations

from attrs import evolve, frozen

from application.authorization import Action, Actor, authorize
from application.fleets import PolicyDocument, billing_currency, checked_policy, end_assignments_outside
from application.id_tags import KnownTags
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import InvalidInput, NotFound
from domain.fleets import ChargingPolicy
from domain.ids import PREFIXES, new_id
from domain.network import Driver
from domain.validation import normalize_email


@frozen
class CreateDriver:
    name: str
    email: str | None = None
    fleet_id: str | None = None
    id_tags: tuple[str, ...] = ()
    customer_id: str | None = None
    policy: PolicyDocument = None      # its own charging policy (JSON form), replacing its fleet's
    active: bool = True


UpdateDriver = CreateDriver             # a PUT replaces every field


async def _checked(uow: UnitOfWork, cmd: CreateDriver, organization_id: str) -> ChargingPolicy | None:
    """What only storage knows: its fleet and customer are the organization's, its policy's locations too, and
    its spending limit is in the currency it is billed in."""
    fleet = None
    if cmd.fleet_id is not None:
        fleet = await uow.fleets.get(organization_id, cmd.fleet_id)
        if fleet is None:
            raise InvalidInput.field("fleet_id", "no such fleet in this organization")
    currency = await billing_currency(uow, organization_id, cmd.customer_id or (fleet.customer_id if fleet else None))
    if cmd.policy is None:
        return None
    return await checked_policy(uow, organization_id, cmd.policy, "policy", currency)


def _forget(known: KnownTags | None, organization_id: str, tags: list[str]) -> None:
    """Who holds a tag, and what governs it, may be remembered here: a change drops it at once."""
    if known is not None:
        for tag in tags:
            known.forget((organization_id, tag))


async def create_driver(cmd: CreateDriver, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                        clock: Clock, known: KnownTags | None = None) -> Driver:
    Driver.validate(name=cmd.name, email=cmd.email, fleet_id=cmd.fleet_id, id_tags=list(cmd.id_tags),
                    customer_id=cmd.customer_id)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        policy = await _checked(uow, cmd, organization_id)
        driver = Driver(id=new_id(PREFIXES["driver"]), organization_id=organization_id, name=cmd.name.strip(),
                        created_at=clock.now(), email=normalize_email(cmd.email) if cmd.email else None,
                        fleet_id=cmd.fleet_id, id_tags=list(cmd.id_tags), customer_id=cmd.customer_id,
                        policy=policy, active=cmd.active)
        await uow.drivers.add(driver)
        await uow.commit()
    _forget(known, organization_id, driver.id_tags)   # a tag tried before it was given out: remembered as nobody's
    return driver


async def update_driver(driver_id: str, cmd: UpdateDriver, actor: Actor, organization_id: str, *,
                        uow_factory: UnitOfWorkFactory, clock: Clock, known: KnownTags | None = None) -> Driver:
    """Replaces the driver's details. Moved to another fleet, it stops driving its old fleet's vehicle."""
    Driver.validate(name=cmd.name, email=cmd.email, fleet_id=cmd.fleet_id, id_tags=list(cmd.id_tags),
                    customer_id=cmd.customer_id)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        driver = await uow.drivers.get(organization_id, driver_id)
        if driver is None:
            raise NotFound("driver", driver_id)
        policy = await _checked(uow, cmd, organization_id)
        before = list(driver.id_tags)
        driver = evolve(driver, name=cmd.name.strip(), email=normalize_email(cmd.email) if cmd.email else None,
                        fleet_id=cmd.fleet_id, id_tags=list(cmd.id_tags), customer_id=cmd.customer_id,
                        policy=policy, active=cmd.active)
        await end_assignments_outside(uow, driver, clock.now())
        await uow.drivers.save(driver)
        await uow.commit()
    _forget(known, organization_id, before + driver.id_tags)
    return driver


async def get_driver(driver_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory) -> Driver:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        driver = await uow.drivers.get(organization_id, driver_id)
    if driver is None:
        raise NotFound("driver", driver_id)
    return driver


async def list_drivers(actor: Actor, organization_id: str, page: PageRequest, fleet_id: str | None = None, *,
                       uow_factory: UnitOfWorkFactory) -> Page[Driver]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.drivers.list(organization_id, page, fleet_id)
