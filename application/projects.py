"""Projects and their monthly statements.

The operator groups locations of one site owner into a project with a revenue share. A statement for a month
is computed from the sessions that stopped at the project's locations in the month (in the organization's
time zone) and the credit notes finalized in the month on the project's sessions; issuing it stores it and
books the share in the ledger (Dr ``revenue_share``, Cr ``site_owner_payable:{so}``) in one transaction, once
per project and month. Only a month that has ended can be issued; before that, and until issued, reading it
gives a draft computed now. A site owner reads only their own projects' statements."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.site_owners import SiteOwnerActor
from domain.billing.ledger import (
    REVENUE_SHARE,
    LedgerTransaction,
    Source,
    SourceKind,
    credit,
    debit,
    site_owner_payable,
)
from domain.billing.periods import BillingPeriod
from domain.errors import FieldErrors, InvalidInput, InvalidState, NotFound
from domain.ids import PREFIXES, new_id
from domain.site_owners import Project, ShareBasis, Statement, compute_statement
from domain.site_owners.projects import parse_energy_cost, parse_percent
from domain.site_owners.statements import StatementStatus


@frozen
class ProjectInput:
    site_owner_id: object
    name: object
    location_ids: Sequence[object]
    revenue_share_percent: object                          # a JSON number or decimal string, read exactly
    share_basis: object = ShareBasis.NET_REVENUE
    energy_cost_per_kwh: object = None


@frozen
class _Terms:
    percent: Decimal
    basis: ShareBasis
    energy_cost: Decimal | None


def _terms(cmd: ProjectInput) -> _Terms:
    """The share's terms read from the input, every field's problem named at once."""
    errors = FieldErrors()
    percent = energy_cost = None
    basis = ShareBasis.NET_REVENUE
    try:
        percent = parse_percent(cmd.revenue_share_percent)
    except InvalidInput as e:
        errors.errors.extend(e.errors)
    try:
        basis = ShareBasis(cmd.share_basis)
    except ValueError:
        errors.add("share_basis", "must be one of " + ", ".join(b.value for b in ShareBasis))
    if cmd.energy_cost_per_kwh is not None:
        try:
            energy_cost = parse_energy_cost(cmd.energy_cost_per_kwh)
        except InvalidInput as e:
            errors.errors.extend(e.errors)
    errors.raise_if_any()
    assert percent is not None
    return _Terms(percent, basis, energy_cost)


async def _checked(uow: UnitOfWork, organization_id: str, cmd: ProjectInput, project_id: str | None) -> _Terms:
    """The site owner and every location exist in the organization, and no location is another project's."""
    terms = _terms(cmd)
    Project.validate(site_owner_id=cmd.site_owner_id, name=cmd.name, location_ids=cmd.location_ids,
                     share_basis=terms.basis, energy_cost_per_kwh=terms.energy_cost)
    errors = FieldErrors()
    if await uow.site_owners.get(organization_id, str(cmd.site_owner_id)) is None:
        errors.add("site_owner_id", "no such site owner in this organization")
    ids = [str(i) for i in cmd.location_ids]
    for i, location_id in enumerate(ids):
        if await uow.locations.get(organization_id, location_id) is None:
            errors.add(f"location_ids[{i}]", "no such location in this organization")
    owners = await uow.projects.owning(organization_id, ids)
    for i, location_id in enumerate(ids):
        other = owners.get(location_id)
        if other is not None and other != project_id:
            errors.add(f"location_ids[{i}]", f"the location belongs to project {other} already")
    errors.raise_if_any()
    return terms


async def _assign_locations(uow: UnitOfWork, project: Project, previous: Sequence[str]) -> None:
    """Locations carry their project and site owner (``site_owner_id``/``project_id`` in API.md)."""
    for location_id in set(previous) - set(project.location_ids):
        location = await uow.locations.get(project.organization_id, location_id)
        if location is not None and location.project_id == project.id:
            location.project_id = None
            location.site_owner_id = None
            await uow.locations.save(location)
    for location_id in project.location_ids:
        location = await uow.locations.get(project.organization_id, location_id)
        if location is not None:
            location.project_id = project.id
            location.site_owner_id = project.site_owner_id
            await uow.locations.save(location)


async def create_project(cmd: ProjectInput, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                         clock: Clock) -> Project:
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        terms = await _checked(uow, organization_id, cmd, None)
        project = Project(id=new_id(PREFIXES["project"]), organization_id=organization_id,
                          site_owner_id=str(cmd.site_owner_id), name=str(cmd.name).strip(),
                          location_ids=tuple(str(i) for i in cmd.location_ids),
                          revenue_share_percent=terms.percent, share_basis=terms.basis,
                          created_at=now, updated_at=now, energy_cost_per_kwh=terms.energy_cost)
        await uow.projects.add(project)
        await _assign_locations(uow, project, ())
        await uow.commit()
    return project


async def update_project(project_id: str, cmd: ProjectInput, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock) -> Project:
    """Replace the project (PUT). Issued statements keep the share they were issued with."""
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        project = await project_of(uow, organization_id, project_id, for_update=True)
        terms = await _checked(uow, organization_id, cmd, project.id)
        previous = project.location_ids
        project.site_owner_id = str(cmd.site_owner_id)
        project.name = str(cmd.name).strip()
        project.location_ids = tuple(str(i) for i in cmd.location_ids)
        project.revenue_share_percent = terms.percent
        project.share_basis = terms.basis
        project.energy_cost_per_kwh = terms.energy_cost
        project.updated_at = clock.now()
        await uow.projects.save(project)
        await _assign_locations(uow, project, previous)
        await uow.commit()
    return project


async def get_project(project_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory) -> Project:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        project = await project_of(uow, organization_id, project_id)
        return project


async def list_projects(actor: Actor, organization_id: str, page: PageRequest, site_owner_id: str | None, *,
                        uow_factory: UnitOfWorkFactory) -> Page[Project]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.projects.list(organization_id, page, site_owner_id=site_owner_id)


async def my_projects(owner: SiteOwnerActor, page: PageRequest, *, uow_factory: UnitOfWorkFactory) -> Page[Project]:
    async with uow_factory(read_only=True) as uow:
        return await uow.projects.list(owner.organization_id, page, site_owner_id=owner.site_owner_id)


async def statement_of(uow: UnitOfWork, project: Project, period: BillingPeriod) -> Statement:
    """The issued statement of the month, or a draft computed now."""
    issued = await uow.statements.get(project.organization_id, project.id, period.label)
    if issued is not None:
        return issued
    organization = await uow.organizations.get(project.organization_id)
    if organization is None:
        raise NotFound("organization", project.organization_id)
    start, end = period.bounds(ZoneInfo(organization.settings.timezone))
    sessions = await uow.project_activity.sessions(project.organization_id, project.location_ids, start, end)
    credits = await uow.project_activity.credits(project.organization_id, project.location_ids, start, end)
    currency = organization.settings.currency
    if any(s.currency != currency for s in sessions) or any(c.currency != currency for c in credits):
        raise InvalidState(f"the project's sessions are not all in {currency}; a statement is in one currency")
    return compute_statement(project, period, currency, sessions, credits)


def month_of(text: object) -> BillingPeriod:
    return BillingPeriod.month(text, "period")


async def project_statement(project_id: str, period: object, actor: Actor, organization_id: str, *,
                            uow_factory: UnitOfWorkFactory) -> Statement:
    month = month_of(period)
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        project = await project_of(uow, organization_id, project_id)
        return await statement_of(uow, project, month)


async def project_statements(project_id: str, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory) -> list[Statement]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        await project_of(uow, organization_id, project_id)
        return await uow.statements.list(organization_id, project_id)


async def my_statement(owner: SiteOwnerActor, project_id: str, period: object, *,
                       uow_factory: UnitOfWorkFactory) -> Statement:
    month = month_of(period)
    async with uow_factory(read_only=True) as uow:
        project = await own_project(uow, owner, project_id)
        return await statement_of(uow, project, month)


async def my_statements(owner: SiteOwnerActor, project_id: str, *, uow_factory: UnitOfWorkFactory
                        ) -> list[Statement]:
    async with uow_factory(read_only=True) as uow:
        await own_project(uow, owner, project_id)
        return await uow.statements.list(owner.organization_id, project_id)


@frozen
class ProjectMonths:
    """A project's last months, oldest first, through the current one: each month's issued statement, or a
    draft computed now (what the site owner's pages chart)."""

    project: Project
    timezone: str
    statements: tuple[Statement, ...]


MONTHS_SHOWN = 12


async def my_project_months(owner: SiteOwnerActor, project_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                            months: int = MONTHS_SHOWN) -> ProjectMonths:
    """The ``months`` months up to the current month of the organization's time zone, in one read."""
    async with uow_factory(read_only=True) as uow:
        project = await own_project(uow, owner, project_id)
        organization = await uow.organizations.get(owner.organization_id)
        if organization is None:
            raise NotFound("organization", owner.organization_id)
        zone = organization.settings.timezone
        period = BillingPeriod.containing(clock.now().astimezone(ZoneInfo(zone)).date())
        periods = [period]
        for _ in range(months - 1):
            periods.append(periods[-1].previous())
        statements = [await statement_of(uow, project, p) for p in reversed(periods)]
    return ProjectMonths(project, zone, tuple(statements))


async def project_of(uow: UnitOfWork, organization_id: str, project_id: str, *,
                     for_update: bool = False) -> Project:
    """The organization's project, or ``NotFound`` (another organization's is as unknown as a missing one)."""
    project = await uow.projects.get(organization_id, project_id, for_update=for_update)
    if project is None:
        raise NotFound("project", project_id)
    return project


async def own_project(uow: UnitOfWork, owner: SiteOwnerActor, project_id: str) -> Project:
    project = await uow.projects.get(owner.organization_id, project_id)
    if project is None or project.site_owner_id != owner.site_owner_id:
        raise NotFound("project", project_id)       # another owner's project is as unknown as a missing one
    return project


async def issue_statement(project_id: str, period: object, actor: Actor, organization_id: str, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock) -> Statement:
    """Issue the month's statement and book the share, once: issuing again answers the issued statement."""
    month = month_of(period)
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        project = await project_of(uow, organization_id, project_id, for_update=True)
        draft = await statement_of(uow, project, month)
        if draft.status is StatementStatus.ISSUED:
            return draft
        organization = await uow.organizations.get(organization_id)
        assert organization is not None
        _, end = month.bounds(ZoneInfo(organization.settings.timezone))
        if now < end:
            raise InvalidInput.field("period", "the month has not ended yet: its statement can be issued after it")
        statement_id = new_id(PREFIXES["statement"])
        transaction_id = None
        if draft.share != 0:
            transaction = LedgerTransaction.balanced(
                id=new_id(PREFIXES["ledger_transaction"]), organization_id=organization_id,
                source=Source(SourceKind.STATEMENT, statement_id), posted_at=now,
                description=f"Site owner share of {project.name}, {month.label}",
                entries=(debit(REVENUE_SHARE, draft.currency, draft.share),
                         credit(site_owner_payable(project.site_owner_id), draft.currency, draft.share)))
            await uow.ledger.post(transaction)
            transaction_id = transaction.id
        statement = draft.issued(id=statement_id, at=now, ledger_transaction_id=transaction_id)
        if not await uow.statements.add(statement):
            raise InvalidState("this month's statement was issued meanwhile")
        await uow.commit()
    return statement

