"""Organizations: create (the creator becomes admin), get, replace details, list the caller's."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from domain.errors import Forbidden, NotFound
from domain.identity import Member, Organization, Role
from domain.ids import PREFIXES, new_id


@frozen
class OrganizationDetails:
    name: str
    country: str
    contact_email: str


async def create_organization(cmd: OrganizationDetails, actor: Actor, *, uow_factory: UnitOfWorkFactory,
                              clock: Clock) -> Organization:
    if actor.user_id is None:
        raise Forbidden("organizations are created by a signed-in user, not an API key")
    now = clock.now()
    organization = Organization.create(id=new_id(PREFIXES["organization"]), name=cmd.name, country=cmd.country,
                                       contact_email=cmd.contact_email, now=now)
    async with uow_factory() as uow:
        await uow.organizations.add(organization)
        await uow.members.add(Member(id=new_id(PREFIXES["member"]), organization_id=organization.id,
                                     user_id=actor.user_id, role=Role.ADMIN, joined_at=now))
        await uow.commit()
    return organization


async def get_organization(organization_id: str, actor: Actor, *, uow_factory: UnitOfWorkFactory) -> Organization:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        organization = await uow.organizations.get(organization_id)
    if organization is None:
        raise NotFound("organization", organization_id)
    return organization


async def update_organization(organization_id: str, cmd: OrganizationDetails, actor: Actor, *,
                              uow_factory: UnitOfWorkFactory, clock: Clock) -> Organization:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.UPDATE_ORGANIZATION)
        organization = await uow.organizations.get_for_update(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        organization.replace_details(name=cmd.name, country=cmd.country, contact_email=cmd.contact_email,
                                     now=clock.now())
        await uow.organizations.save(organization)
        await uow.commit()
    return organization


async def list_my_organizations(actor: Actor, page: PageRequest, *,
                                uow_factory: UnitOfWorkFactory) -> Page[tuple[Organization, Role]]:
    """A user's organizations with its role in each; an API key sees the one organization it belongs to."""
    async with uow_factory(read_only=True) as uow:
        if actor.user_id is not None:
            return await uow.organizations.list_for_user(actor.user_id, page)
        if actor.api_key_organization_id is None or actor.api_key_role is None:
            return Page([], None)
        if page.after is not None:
            return Page([], None)
        organization = await uow.organizations.get(actor.api_key_organization_id)
    return Page([(organization, actor.api_key_role)] if organization else [], None)
