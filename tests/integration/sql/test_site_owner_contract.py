"""Site owners on every storage (the in-memory fakes, SQLite, PostgreSQL: the contract of the site-owner,
project, statement and project-activity repositories): invitation by email, acceptance once, onboarding refused
until every stage is done, projects scoped to their owner, a statement whose share is the project's percentage
of the month's revenue (computed here from the sessions), booked once to the site owner's payable, and a credit
note on a stated session adjusting the next statement."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import attrs
import pytest

from application import projects, site_owners
from application.invoices import CreditNoteRequest
from application.pagination import PageRequest
from application.ports.billing import InvoiceFilter
from domain.billing.invoices import InvoiceKind
from domain.billing.ledger import site_owner_payable
from domain.billing.periods import BillingPeriod
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.site_owners import ShareBasis, SiteOwnerStatus
from domain.site_owners.owners import AGREEMENT_VERSION
from tests.unit.billing.world import ACTOR, ORG, build, priced_session, setup

URL = "https://charge.example"


async def _mails(world) -> list:
    async with world.uow(read_only=True) as uow:
        return [e.message for e in (await uow.outbox.list(PageRequest(100, None))).items]


async def _secret(world) -> str:
    texts = [m.text for m in await _mails(world) if "/site-owner/accept/" in m.text]
    return re.findall(r"/site-owner/accept/(\S+)", texts[-1])[-1]


async def _onboarded(world, email: str = "owner@parkhaus.example"):
    p = functools.partial
    invited = await site_owners.invite_site_owner(email, "Parkhaus", ACTOR, ORG, uow_factory=world.uow,
                                                  clock=world.clock, public_url=URL)
    issued = await site_owners.accept_invitation(await _secret(world), uow_factory=world.uow, clock=world.clock)
    owner = await site_owners.authenticate_site_owner(issued.secret, uow_factory=world.uow, clock=world.clock)
    complete = p(site_owners.complete_onboarding, owner, uow_factory=world.uow, clock=world.clock)
    with pytest.raises(InvalidInput) as refused:
        await complete()
    assert "payout_details.iban" in {e.field for e in refused.value.errors}
    await site_owners.update_profile(owner, {"legal_name": "Parkhaus GmbH", "contact_name": "Ada",
                                             "phone": "+49 30 123456", "address": "Hauptstr. 1",
                                             "postal_code": "10115", "city": "Berlin", "country": "DE"},
                                     uow_factory=world.uow)
    await site_owners.set_payout_details(owner, "Parkhaus GmbH", "DE89 3704 0044 0532 0130 00", None,
                                         uow_factory=world.uow)
    with pytest.raises(InvalidInput) as refused:
        await complete()
    assert {e.field for e in refused.value.errors} == {"agreement.agreement_accepted"}
    await site_owners.accept_agreement(owner, AGREEMENT_VERSION, uow_factory=world.uow, clock=world.clock)
    done = await complete()
    assert done.status is SiteOwnerStatus.ACTIVE and done.profile.country == "DE"
    return invited.site_owner, owner, issued.secret


async def test_invitation_is_accepted_once_and_onboarding_completes_when_every_stage_is_done(storage):
    world = build(storage=storage)
    await setup(world)
    so, owner, secret = await _onboarded(world)
    assert owner.site_owner_id == so.id
    mails = await _mails(world)
    assert any(m.to == "owner@parkhaus.example" for m in mails)
    with pytest.raises(Unauthenticated):        # the invitation works once
        await site_owners.accept_invitation(await _secret(world), uow_factory=world.uow, clock=world.clock)
    with pytest.raises(Forbidden):              # an operator key is not a site owner
        await site_owners.authenticate_site_owner("ck_something", uow_factory=world.uow, clock=world.clock)
    await site_owners.sign_out(owner, uow_factory=world.uow, clock=world.clock)
    with pytest.raises(Unauthenticated):
        await site_owners.authenticate_site_owner(secret, uow_factory=world.uow, clock=world.clock)


async def test_statement_share_is_the_projects_percentage_booked_once_and_credits_adjust_the_next(storage):
    world = build(now=datetime(2026, 4, 15, 9, tzinfo=UTC), storage=storage)
    drivers = await setup(world)
    so, owner, _ = await _onboarded(world)
    _, other, _ = await _onboarded(world, "other@example.com")
    async with world.uow(read_only=True) as uow:
        location_id = (await uow.locations.list(ORG, PageRequest(10, None))).items[0].id
    p = functools.partial
    project = await projects.create_project(
        projects.ProjectInput(so.id, "Harbour", [location_id], Decimal("12.5"), ShareBasis.NET_REVENUE),
        ACTOR, ORG, uow_factory=world.uow, clock=world.clock)
    async with world.uow(read_only=True) as uow:
        location = await uow.locations.get(ORG, location_id)
        assert (location.site_owner_id, location.project_id) == (so.id, project.id)
    with pytest.raises(InvalidInput) as refused:     # a location belongs to one project
        await projects.create_project(projects.ProjectInput(so.id, "Again", [location_id], Decimal(10)),
                                      ACTOR, ORG, uow_factory=world.uow, clock=world.clock)
    assert refused.value.errors[0].field == "location_ids[0]"
    sessions = [await priced_session(world, drivers[i % 2], datetime(2026, 3, 3 + i, 10, tzinfo=UTC),
                                     Decimal(10 + i)) for i in range(4)]
    assert (await projects.my_projects(owner, PageRequest(10, None), uow_factory=world.uow)).items[0].id == project.id
    assert (await projects.my_projects(other, PageRequest(10, None), uow_factory=world.uow)).items == []
    with pytest.raises(NotFound):                    # another owner's project is unknown
        await projects.my_statement(other, project.id, "2026-03", uow_factory=world.uow)

    issue = p(projects.issue_statement, project.id, actor=ACTOR, organization_id=ORG, uow_factory=world.uow,
              clock=world.clock)
    march = await issue("2026-03")
    revenue = sum((s.cost.total_excl_vat for s in sessions), Decimal(0))
    assert march.revenue == revenue and len(march.sessions) == 4
    assert march.share == (revenue * Decimal("0.125")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (await issue("2026-03")).id == march.id                 # once per project and month
    with pytest.raises(InvalidInput):
        await issue("2026-04")                                     # the month is not over
    mine = await projects.my_statement(owner, project.id, "2026-03", uow_factory=world.uow)
    assert mine.id == march.id and mine.share == march.share

    # March is invoiced, and a credit note in April on one of March's sessions lands on April's statement.
    await world.run_period(ORG, BillingPeriod.month("2026-03"), finalize=True)
    async with world.uow(read_only=True) as uow:
        invoices = (await uow.invoices.list(ORG, InvoiceFilter(kind=InvoiceKind.INVOICE),
                                            PageRequest(10, None))).items
    invoice, position = next((invoice, i) for invoice in invoices for i, line in enumerate(invoice.lines)
                             if line.session_id == sessions[0].id)
    await world.credit(invoice.id, CreditNoteRequest("Faulty plug", lines=((position, Decimal("1.00")),)),
                       ACTOR, ORG)
    assert (await projects.my_statement(owner, project.id, "2026-03", uow_factory=world.uow)).credited == 0
    world.clock.advance(days=17)
    april = await issue("2026-04")
    assert april.credited == Decimal("1.00") and april.sessions == ()
    assert april.share == Decimal("-0.13")           # 12.5 % of −1.00, half-up
    async with world.uow(read_only=True) as uow:
        balance = await uow.ledger.trial_balance(ORG, None)
    payable = [a for a in balance.accounts if a.account == site_owner_payable(so.id)]
    assert payable[0].balance == march.share + april.share
    assert balance.balances

    # The months the site owner's pages chart: twelve through the current one, issued where issued, else drafts.
    months = await projects.my_project_months(owner, project.id, uow_factory=world.uow, clock=world.clock)
    assert months.project.id == project.id and months.timezone == "Europe/London"
    assert [s.period.label for s in months.statements] == [
        *(f"2025-{m:02d}" for m in range(6, 13)), *(f"2026-{m:02d}" for m in range(1, 6))]
    by_month = {s.period.label: s for s in months.statements}
    assert (by_month["2026-03"].id, by_month["2026-04"].id) == (march.id, april.id)
    assert by_month["2026-05"].id is None and by_month["2026-05"].share == 0
    with pytest.raises(NotFound):
        await projects.my_project_months(other, project.id, uow_factory=world.uow, clock=world.clock)


async def test_the_repositories_keep_what_they_store(storage):
    """Round trips, the unique rules (an email per organization, a location in one project, a statement per
    project and month) and the filters, as every adapter must answer them."""
    world = build(now=datetime(2026, 4, 15, 9, tzinfo=UTC), storage=storage)
    await setup(world)
    so, _, _ = await _onboarded(world)
    async with world.uow(read_only=True) as uow:
        stored = await uow.site_owners.get(ORG, so.id)
        assert stored.payout.iban == "DE89370400440532013000" and stored.profile.city == "Berlin"
        assert stored.agreement_version == AGREEMENT_VERSION and stored.status is SiteOwnerStatus.ACTIVE
        assert (await uow.site_owners.by_email(ORG, "owner@parkhaus.example")).id == so.id
        assert await uow.site_owners.get("org_01JD9999999999999999999999", so.id) is None
        assert [o.id for o in (await uow.site_owners.list(ORG, PageRequest(10, None))).items] == [so.id]
        locations = [loc.id for loc in (await uow.locations.list(ORG, PageRequest(10, None))).items]
    with pytest.raises(Conflict):
        async with world.uow() as uow:
            await uow.site_owners.add(attrs.evolve(stored, id="so_01JD0000000000000000000000"))
    with pytest.raises(InvalidInput):               # percent above 100, before anything is stored
        await projects.create_project(projects.ProjectInput(so.id, "Too much", [], Decimal("100.01")),
                                      ACTOR, ORG, uow_factory=world.uow, clock=world.clock)
    first = await projects.create_project(projects.ProjectInput(so.id, "One", locations[:1], Decimal(10)),
                                          ACTOR, ORG, uow_factory=world.uow, clock=world.clock)
    second = await projects.create_project(
        projects.ProjectInput(so.id, "Two", [], Decimal("7.25"), ShareBasis.ENERGY_MARGIN, "0.081"),
        ACTOR, ORG, uow_factory=world.uow, clock=world.clock)
    async with world.uow() as uow:
        moved = attrs.evolve(first, location_ids=())
        await uow.projects.save(moved)
        await uow.projects.save(attrs.evolve(second, location_ids=tuple(locations[:1])))
        await uow.commit()
    async with world.uow(read_only=True) as uow:
        again = await uow.projects.get(ORG, second.id)
        assert (again.location_ids, again.revenue_share_percent, again.energy_cost_per_kwh) == (
            tuple(locations[:1]), Decimal("7.25"), Decimal("0.081"))
        assert await uow.projects.owning(ORG, locations) == {locations[0]: second.id}
        listed = await uow.projects.list(ORG, PageRequest(1, None), site_owner_id=so.id)
        assert [p.id for p in listed.items] == [first.id] and listed.has_more
        nobody = "so_01JD9999999999999999999999"
        assert (await uow.projects.list(ORG, PageRequest(10, None), site_owner_id=nobody)).items == []
    with pytest.raises(Conflict):                   # a location in two projects
        async with world.uow() as uow:
            await uow.projects.save(attrs.evolve(first, location_ids=tuple(locations[:1])))
    world.clock.advance(days=20)
    issued = await projects.issue_statement(second.id, "2026-04", actor=ACTOR, organization_id=ORG,
                                            uow_factory=world.uow, clock=world.clock)
    async with world.uow() as uow:
        assert await uow.statements.get(ORG, second.id, "2026-04") == issued
        assert await uow.statements.list(ORG, second.id) == [issued]
        assert not await uow.statements.add(issued)
