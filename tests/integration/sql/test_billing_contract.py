"""The billing use cases on every storage (the in-memory fakes, SQLite, PostgreSQL: the repositories' contract):
priced sessions booked, a run makes one invoice per customer, finalizing numbers and emails it, payments and
credit notes settle it, late sessions wait for the next one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from attrs import evolve

from application.customers import CustomerDetails
from application.invoices import CreditNoteRequest, PaymentReceived
from application.pagination import PageRequest
from application.ports.billing import InvoiceFilter, RunStatus, TransactionFilter
from domain.billing.invoices import Invoice, InvoiceKind, InvoiceStatus
from domain.billing.periods import BillingPeriod
from domain.errors import Conflict, InvalidInput, InvalidState
from domain.ids import PREFIXES, new_id
from tests.unit.billing.world import ACTOR, ORG, build, priced_session, setup, subscribe

JAN = BillingPeriod.month("2026-01")
FEB = BillingPeriod.month("2026-02")


async def invoices_of(world):
    async with world.uow(read_only=True) as uow:
        page = await uow.invoices.list(ORG, InvoiceFilter(kind=InvoiceKind.INVOICE), PageRequest(limit=100))
    return sorted(page.items, key=lambda i: (i.period_start, i.id))


async def test_a_run_invoices_each_customers_sessions_once_and_a_second_run_adds_nothing(storage):
    world = build(storage=storage)
    dana, eli = await setup(world)
    sessions = [await priced_session(world, dana, datetime(2026, 1, d, 8, tzinfo=UTC), Decimal(10)) for d in (3, 9)]
    await priced_session(world, eli, datetime(2026, 1, 20, 23, 30, tzinfo=UTC), Decimal(5), vat=None)
    run = await world.run_period(ORG, JAN)
    assert (run.status, run.invoices_created, run.sessions_invoiced) == (RunStatus.COMPLETED, 2, 3)
    again = await world.run_period(ORG, JAN)
    assert (again.invoices_created, again.sessions_invoiced, again.id != run.id) == (0, 0, True)
    [first, second] = await invoices_of(world)
    assert {s.session_id for s in first.sessions} | {s.session_id for s in second.sessions} >= {s.id for s in sessions}
    dana_invoice = next(i for i in (first, second) if len(i.sessions) == 2)
    assert dana_invoice.total == sum(s.cost.total for s in sessions)      # one rate: the same VAT either way
    exempt = next(i for i in (first, second) if len(i.sessions) == 1)
    assert [(g.treatment.category, g.vat) for g in exempt.vat_breakdown] == [("E", Decimal(0))]
    balance = await world.trial_balance(ACTOR, ORG, None)
    assert balance.balances
    assert {r.account: r.balance for r in balance.accounts}["unbilled_receivable"] == Decimal("7.50")


async def test_finalizing_numbers_in_sequence_emails_the_pdf_and_posts_the_invoice(storage):
    world = build(storage=storage)
    dana, eli = await setup(world)
    for driver in (dana, eli):
        await priced_session(world, driver, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    await world.run_period(ORG, JAN)
    drafts = await invoices_of(world)
    numbers = [(await world.finalize(i.id, ACTOR, ORG)).invoice.number for i in drafts]
    assert numbers == ["INV-000001", "INV-000002"]
    with pytest.raises(InvalidState):
        await world.finalize(drafts[0].id, ACTOR, ORG)
    assert await world.relay() == 2
    [mail] = [m for m in world.mailer.sent if "INV-000001" in m.subject]
    buyer = await world.get_invoice(drafts[0].id, ACTOR, ORG)
    assert mail.to == buyer.invoice.buyer.email and "GB33BUKB20201555555555" in mail.text
    [attachment] = mail.attachments
    assert attachment.filename == "INV-000001.pdf" and attachment.content.startswith(b"%PDF-")
    page = await world.transactions(ACTOR, ORG, TransactionFilter(invoice_id=drafts[0].id), PageRequest())
    [posting] = page.items
    assert {(e.account, e.signed) for e in posting.entries} == {
        (f"receivable:{drafts[0].customer_id}", Decimal("3.60")), ("unbilled_receivable", Decimal("-3.00")),
        ("vat_payable:20", Decimal("-0.60"))}


async def test_a_finalization_refused_for_missing_seller_details_draws_no_number(storage):
    world = build(storage=storage)
    world.settings = world.settings.__class__(legal_name="Voltline Ltd")     # no address, no VAT id
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    run = await world.run_period(ORG, JAN, finalize=True)
    assert (run.invoices_created, run.invoices_finalized) == (1, 0)
    [draft] = await invoices_of(world)
    with pytest.raises(InvalidState, match="VAT id"):
        await world.finalize(draft.id, ACTOR, ORG)
    async with world.uow() as uow:      # the settings fixed, the first number is still the first
        organization = await uow.organizations.get(ORG)
        organization.settings = evolve(organization.settings, billing=build().settings)
        await uow.organizations.save(organization)
        await uow.commit()
    assert (await world.finalize(draft.id, ACTOR, ORG)).invoice.number == "INV-000001"


async def test_late_sessions_go_on_the_next_invoice_never_twice(storage):
    world = build(storage=storage, auto_finalize_invoices=True)
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    await world.run_period(ORG, JAN)
    late = await priced_session(world, dana, datetime(2026, 1, 30, 8, tzinfo=UTC), Decimal(4))   # an offline replay
    assert (await world.run_period(ORG, JAN)).sessions_invoiced == 0
    await priced_session(world, dana, datetime(2026, 2, 2, 8, tzinfo=UTC), Decimal(1))
    feb = await world.run_period(ORG, FEB)
    assert (feb.invoices_created, feb.sessions_invoiced, feb.invoices_finalized) == (1, 2, 1)
    [jan_invoice, feb_invoice] = await invoices_of(world)
    assert late.id in {s.session_id for s in feb_invoice.sessions}
    assert late.id not in {s.session_id for s in jan_invoice.sessions}
    assert (jan_invoice.number, feb_invoice.number) == ("INV-000001", "INV-000002")


async def test_payments_credit_notes_and_their_bad_input(storage):
    world = build(storage=storage, auto_finalize_invoices=True)
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    await world.run_period(ORG, JAN)
    [invoice] = await invoices_of(world)
    with pytest.raises(InvalidInput) as error:
        await world.pay(invoice.id, PaymentReceived(Decimal("1.00"), "EUR", date(2026, 2, 1)), ACTOR, ORG)
    assert error.value.errors[0].field == "amount.currency"
    paid = await world.pay(invoice.id, PaymentReceived(Decimal("1.00"), "GBP", date(2026, 2, 1), "RF"), ACTOR, ORG)
    assert (paid.invoice.amount_paid, paid.invoice.amount_due) == (Decimal("1.00"), Decimal("2.60"))
    with pytest.raises(InvalidInput) as error:
        await world.credit(invoice.id, CreditNoteRequest("Goodwill", amount=Decimal("3.61")), ACTOR, ORG)
    assert error.value.errors[0].field == "amount"
    note = await world.credit(invoice.id, CreditNoteRequest("Goodwill", amount=Decimal("2.60")), ACTOR, ORG)
    assert (note.number, note.corrects_number, note.total) == ("CN-000001", "INV-000001", Decimal("2.60"))
    detail = await world.get_invoice(invoice.id, ACTOR, ORG)
    assert detail.invoice.status is InvoiceStatus.PAID and [n.id for n in detail.credit_notes] == [note.id]
    with pytest.raises(InvalidState):
        await world.void(invoice.id, ACTOR, ORG)
    [balance] = (await world.balance(invoice.customer_id, ACTOR, ORG)).balances
    assert (balance.invoiced_outstanding, balance.unbilled) == (Decimal(0), Decimal(0))
    assert (await world.trial_balance(ACTOR, ORG, None)).balances


async def test_a_customer_named_by_a_driver_pays_for_its_sessions_and_vat_ids_are_checked(storage):
    world = build(storage=storage)
    [dana] = await setup(world, drivers=1)
    with pytest.raises(InvalidInput) as error:
        await world.create_customer(CustomerDetails("Fleet Co", "ap@fleet.example", tax_id="DE136695977"), ACTOR, ORG)
    assert error.value.errors[0].field == "tax_id"
    fleet = await world.create_customer(CustomerDetails("Fleet Co", "ap@fleet.example", tax_id="de 136695976"),
                                        ACTOR, ORG)
    assert fleet.tax_id == "DE136695976"
    async with world.uow() as uow:
        dana.customer_id = fleet.id
        await uow.drivers.save(dana)
        await uow.commit()
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    await world.run_period(ORG, JAN)
    [invoice] = await invoices_of(world)
    assert invoice.customer_id == fleet.id


async def test_plan_fees_due_in_the_month_are_lines_of_their_own_charged_once(storage):
    world = build(storage=storage, auto_finalize_invoices=True, plan_fee_vat=Decimal(20))
    dana, eli = await setup(world)
    await subscribe(world, dana, "9.99", datetime(2025, 12, 20, tzinfo=UTC))                 # all of January
    await subscribe(world, eli, "9.99", datetime(2026, 1, 15, 10, tzinfo=UTC))               # 17 of 31 days
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))    # 3.00 + 0.60
    run = await world.run_period(ORG, JAN)
    assert (run.invoices_created, run.invoices_finalized, run.sessions_invoiced) == (2, 2, 1)
    invoices = {i.customer_id: i for i in await invoices_of(world)}
    async with world.uow(read_only=True) as uow:
        dana_customer = await uow.customers.find_by_driver(ORG, dana.id)
        eli_customer = await uow.customers.find_by_driver(ORG, eli.id)
    dana_invoice, eli_invoice = invoices[dana_customer.id], invoices[eli_customer.id]
    assert [(line.kind.value, line.net_amount) for line in dana_invoice.lines] == [
        ("plan_fee", Decimal("9.99")), ("energy", Decimal("3.00"))]
    assert dana_invoice.total == Decimal("15.59")          # (9.99 + 3.00) + 20 % of 12.99, rounded once
    [fee] = eli_invoice.lines                              # no session: an invoice for the fee alone
    assert (fee.description, fee.net_amount) == ("Commuter membership, 2026-01, 17 of 31 days", Decimal("5.48"))
    assert (await world.run_period(ORG, JAN)).invoices_created == 0
    assert (await world.run_period(ORG, BillingPeriod.of(date(2026, 1, 1), date(2026, 1, 20)))).invoices_created == 0
    page = await world.transactions(ACTOR, ORG, TransactionFilter(invoice_id=dana_invoice.id), PageRequest())
    [posting] = page.items
    assert {(e.account, e.signed) for e in posting.entries} == {
        (f"receivable:{dana_customer.id}", Decimal("15.59")), ("unbilled_receivable", Decimal("-3.00")),
        ("fee_revenue", Decimal("-9.99")), ("vat_payable:20", Decimal("-2.60"))}
    assert (await world.trial_balance(ACTOR, ORG, None)).balances
    feb = await world.run_period(ORG, FEB)        # February's fees: a month of each subscription
    assert feb.invoices_created == 2


async def test_a_charge_goes_on_one_invoice_ever(storage):
    world = build(storage=storage)
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    before = datetime(2026, 3, 1, tzinfo=UTC)
    async with world.uow() as uow:
        keys = await uow.charges.pending_customers(ORG, before, None, 10)
        [charge] = await uow.charges.pending(ORG, keys, before)

        def draft(period: BillingPeriod) -> Invoice:
            invoice = Invoice(id=new_id(PREFIXES["invoice"]), organization_id=ORG, customer_id=charge.customer_id,
                              kind=InvoiceKind.INVOICE, currency="GBP", period_start=period.start,
                              period_end=period.end, created_at=world.clock.now())
            invoice.add_charges([charge])
            return invoice

        first = draft(JAN)
        await uow.invoices.add(first)
        await uow.invoices.save(first, new_lines=True)          # its own charge again: nothing to do
        assert await uow.charges.pending(ORG, keys, before) == []
        with pytest.raises(Conflict):
            await uow.invoices.add(draft(FEB))                  # the same charge on another invoice
