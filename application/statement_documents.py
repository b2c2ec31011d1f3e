"""A project's monthly statement as a document (PDF): the month's issued statement, or the draft computed now, with
the names it stands for — the operator who pays, the site owner paid, the project and its locations. The operator
reads any project of theirs; a site owner only their own (another's is a 404)."""

from __future__ import annotations

import asyncio

from application.authorization import Action, Actor, authorize
from application.ports import UnitOfWork, UnitOfWorkFactory
from application.ports.site_owners import StatementDocuments
from application.projects import month_of, own_project, project_of, statement_of
from application.site_owners import SiteOwnerActor
from domain.errors import NotFound
from domain.site_owners import Project, Statement
from domain.site_owners.printed import PrintedStatement, printed_locations


async def statement_document(project_id: str, period: object, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory, documents: StatementDocuments) -> bytes:
    month = month_of(period)
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        project = await project_of(uow, organization_id, project_id)
        printed = await _printed(uow, project, await statement_of(uow, project, month))
    content: bytes = await asyncio.to_thread(documents.statement, printed)
    return content


async def my_statement_document(owner: SiteOwnerActor, project_id: str, period: object, *,
                                uow_factory: UnitOfWorkFactory, documents: StatementDocuments) -> bytes:
    month = month_of(period)
    async with uow_factory(read_only=True) as uow:
        project = await own_project(uow, owner, project_id)
        printed = await _printed(uow, project, await statement_of(uow, project, month))
    content: bytes = await asyncio.to_thread(documents.statement, printed)
    return content


async def _printed(uow: UnitOfWork, project: Project, statement: Statement) -> PrintedStatement:
    org = project.organization_id
    organization = await uow.organizations.get(org)
    owner = await uow.site_owners.get(org, project.site_owner_id)
    if organization is None or owner is None:
        raise NotFound("project", project.id)
    billing = organization.settings.billing
    address = billing.billing_address
    operator_address = tuple(x for x in ((address.line1, address.line2, f"{address.postal_code} {address.city}",
                                          address.country) if address else ()) if x)
    profile = owner.profile
    owner_address = tuple(x for x in (profile.address, " ".join(x for x in (profile.postal_code, profile.city) if x),
                                      profile.country) if x)
    names: dict[str, tuple[str, str]] = {}
    for location_id in dict.fromkeys((*project.location_ids, *(s.location_id for s in statement.sessions))):
        location = await uow.locations.get(org, location_id)
        if location is not None:
            names[location_id] = (location.name, ", ".join(x for x in (location.address, location.city) if x))
    return PrintedStatement(
        operator_name=billing.legal_name or organization.name, operator_address=operator_address,
        operator_vat_id=billing.vat_id, site_owner_name=profile.legal_name or owner.name,
        site_owner_address=owner_address, project_name=project.name, timezone=organization.settings.timezone,
        locations=printed_locations(statement, names, project.location_ids), statement=statement)
