"""Drivers and their id tags: created by operators, looked up when a charge point presents a tag."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.id_tags import KnownTags
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from domain.errors import InvalidInput, NotFound
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


async def create_driver(cmd: CreateDriver, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                        clock: Clock, known: KnownTags | None = None) -> Driver:
    Driver.validate(name=cmd.name, email=cmd.email, fleet_id=cmd.fleet_id, id_tags=list(cmd.id_tags),
                    customer_id=cmd.customer_id)
    driver = Driver(id=new_id(PREFIXES["driver"]), organization_id=organization_id, name=cmd.name.strip(),
                    created_at=clock.now(), email=normalize_email(cmd.email) if cmd.email else None,
                    fleet_id=cmd.fleet_id, id_tags=list(cmd.id_tags), customer_id=cmd.customer_id)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        if cmd.customer_id is not None and await uow.customers.get(organization_id, cmd.customer_id) is None:
            raise InvalidInput.field("customer_id", "no such customer in this organization")
        await uow.drivers.add(driver)
        await uow.commit()
    if known is not None:   # a tag tried before it was given out may be remembered here as nobody's
        for tag in driver.id_tags:
            known.forget((organization_id, tag))
    return driver


async def get_driver(driver_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory) -> Driver:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        driver = await uow.drivers.get(organization_id, driver_id)
    if driver is None:
        raise NotFound("driver", driver_id)
    return driver


async def list_drivers(actor: Actor, organization_id: str, page: PageRequest, *,
                       uow_factory: UnitOfWorkFactory) -> Page[Driver]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.drivers.list(organization_id, page)
