"""The dispute use cases on every storage (the in-memory fakes, SQLite, PostgreSQL: the dispute repository's
contract): a card network's chargeback recorded once as a ``card_network`` dispute on the invoice it took money
from, listed and filtered like any other, and settled by a credit note that refunds nothing (the network took
the money back itself); a driver's dispute resolved before its session is invoiced waits for the invoice."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from application import disputes
from application.disputes import Chargeback, FileDispute, Resolution
from application.invoices import PaymentReceived
from application.pagination import PageRequest
from application.portal_access import DriverActor
from application.ports.portal import DisputeFilter
from domain.billing.invoices import InvoiceStatus
from domain.billing.ledger import CHARGEBACKS, receivable
from domain.billing.periods import BillingPeriod
from domain.errors import Conflict, InvalidInput, NotFound
from domain.money import Money
from domain.portal import DisputeOutcome, DisputeSource, DisputeStatus, SettlementStatus
from tests.integration.sql.test_billing_contract import invoices_of
from tests.unit.billing.world import ACTOR, ORG, build, priced_session, setup

JAN = BillingPeriod.month("2026-01")
PAGE = PageRequest(limit=100)


def _bind(world):
    p = functools.partial
    world.chargeback = p(disputes.open_card_network_dispute, uow_factory=world.uow, clock=world.clock)
    world.resolve = p(disputes.resolve_dispute, uow_factory=world.uow, clock=world.clock)
    world.list_disputes = p(disputes.list_disputes, uow_factory=world.uow)
    world.get_dispute = p(disputes.get_dispute, uow_factory=world.uow)
    world.file = p(disputes.file_dispute, uow_factory=world.uow, clock=world.clock)
    return world


async def _paid_invoice(world):
    """Dana's January session (10 kWh at 30p + 20 % VAT) on a finalized invoice of 3.60 GBP, paid."""
    [dana] = await setup(world, drivers=1)
    session = await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    await world.run_period(ORG, JAN, finalize=True)
    [invoice] = await invoices_of(world)
    await world.pay(invoice.id, PaymentReceived(Decimal("3.60"), "GBP", date(2026, 2, 3), "card"), ACTOR, ORG)
    return dana, session, invoice


async def test_a_chargeback_is_a_card_network_dispute_recorded_once(storage):
    world = _bind(build(storage=storage))
    dana, session, invoice = await _paid_invoice(world)
    chargeback = Chargeback(organization_id=ORG, invoice_id=invoice.id, provider_dispute_id="dp_1NetworkA",
                            amount=Money(Decimal("3.60"), "GBP"), reason="fraudulent")
    dispute = await world.chargeback(chargeback)
    assert (dispute.source, dispute.status, dispute.invoice_id, dispute.session_id, dispute.driver_id) == (
        DisputeSource.CARD_NETWORK, DisputeStatus.OPEN, invoice.id, session.id, dana.id)
    assert dispute.billed == Money(Decimal("3.60"), "GBP")
    assert dispute.expected_cost == Money(Decimal("0.00"), "GBP")       # the whole payment was charged back
    assert dispute.description == "Card-network chargeback: fraudulent"
    # The provider repeats its webhook: the same dispute, nothing added.
    world.clock.advance(seconds=60)
    assert (await world.chargeback(chargeback)).id == dispute.id
    page = await world.list_disputes(ACTOR, ORG, DisputeFilter(), PAGE)
    assert [d.id for d in page.items] == [dispute.id]
    assert [d.id for d in (await world.list_disputes(ACTOR, ORG, DisputeFilter(session_id=session.id),
                                                     PAGE)).items] == [dispute.id]
    assert (await world.list_disputes(ACTOR, ORG, DisputeFilter(status=DisputeStatus.RESOLVED), PAGE)).items == []
    detail = await world.get_dispute(dispute.id, ACTOR, ORG)
    assert detail.evidence.invoice.id == invoice.id and detail.evidence.session.id == session.id


async def test_a_chargeback_names_a_known_invoice_in_its_currency(storage):
    world = _bind(build(storage=storage))
    _, _, invoice = await _paid_invoice(world)
    with pytest.raises(NotFound):
        await world.chargeback(Chargeback(ORG, "invc_01JD0000000000000000000000", "dp_unknown",
                                          Money(Decimal(1), "GBP"), "fraudulent"))
    with pytest.raises(InvalidInput) as refused:
        await world.chargeback(Chargeback(ORG, invoice.id, "dp_euros", Money(Decimal(1), "EUR"), "fraudulent"))
    assert [e.field for e in refused.value.errors] == ["amount.currency"]
    with pytest.raises(NotFound):     # another organization's invoice is not found
        await world.chargeback(Chargeback("org_01JD00000000000000000000ZZ", invoice.id, "dp_other",
                                          Money(Decimal(1), "GBP"), "fraudulent"))
    assert (await world.list_disputes(ACTOR, ORG, DisputeFilter(), PAGE)).items == []


async def test_an_accepted_chargeback_is_credited_and_refunds_nothing(storage):
    world = _bind(build(storage=storage))
    _, _, invoice = await _paid_invoice(world)
    dispute = await world.chargeback(Chargeback(ORG, invoice.id, "dp_1NetworkB", Money(Decimal("1.20"), "GBP"),
                                                "product_not_received"))
    assert dispute.expected_cost == Money(Decimal("2.40"), "GBP")
    resolved = await world.resolve(dispute.id, Resolution(DisputeOutcome.ACCEPTED, "The network decided"), ACTOR,
                                   ORG)
    assert (resolved.status, resolved.outcome, resolved.refund_amount) == (
        DisputeStatus.RESOLVED, DisputeOutcome.ACCEPTED, Decimal("1.20"))
    s = resolved.settlement
    assert (s.status, s.credited, s.refund_amount, s.refund_id) == (SettlementStatus.CREDITED, Decimal("1.20"),
                                                                    None, None)
    async with world.uow(read_only=True) as uow:
        note = await uow.invoices.get(ORG, s.credit_note_id)
        credited = await uow.invoices.get(ORG, invoice.id)
        stored = await uow.disputes.get(ORG, dispute.id)
    assert (note.total, note.number, note.corrects) == (Decimal("1.20"), s.credit_note_number, invoice.id)
    assert credited.credited == Decimal("1.20")
    assert credited.status is InvoiceStatus.PAID
    assert stored.settlement == s                       # nothing left for the refund handler to do
    # Resolved, it is closed to a second chargeback of the same provider id and to a second decision.
    assert (await world.chargeback(Chargeback(ORG, invoice.id, "dp_1NetworkB", Money(Decimal("1.20"), "GBP"),
                                              "again"))).id == dispute.id
    with pytest.raises(Exception, match="resolved"):
        await world.resolve(dispute.id, Resolution(DisputeOutcome.REJECTED, "No"), ACTOR, ORG)
    trial = await world.trial_balance(ACTOR, ORG, None)
    assert all(debits == credits for debits, credits in trial.totals().values())
    # The bank took the money back already (booked to chargebacks when the chargeback opened): the credit note's
    # credit is paid out by it, so the customer is owed nothing more and the chargeback is used up.
    balances = {row.account: row.balance for row in trial.accounts}
    assert balances[receivable(invoice.customer_id)] == 0
    assert balances[CHARGEBACKS] == Decimal("-1.20")


async def test_a_driver_dispute_resolved_before_its_invoice_is_credited_when_the_invoice_is_finalized(storage):
    world = _bind(build(storage=storage, now=datetime(2026, 1, 20, 9, tzinfo=UTC)))
    [dana] = await setup(world, drivers=1)
    session = await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(10))
    driver = DriverActor(token_id="ptk_01JD0000000000000000000000", organization_id=ORG, driver_id=dana.id)
    dispute = await world.file(driver, FileDispute(session.id, "Charged for 10 kWh, I took 5",
                                                   Money(Decimal("1.80"), "GBP")))
    with pytest.raises(Conflict):
        await world.file(driver, FileDispute(session.id, "Again", Money(Decimal("1.80"), "GBP")))
    resolved = await world.resolve(dispute.id, Resolution(DisputeOutcome.ACCEPTED, "Meter fault"), ACTOR, ORG)
    assert resolved.settlement.status is SettlementStatus.AWAITING_INVOICE
    world.clock.advance(days=14)
    await world.run_period(ORG, JAN, finalize=True)
    async with world.uow(read_only=True) as uow:
        settled = await uow.disputes.get(ORG, dispute.id)
    [invoice] = await invoices_of(world)
    assert (settled.settlement.status, settled.settlement.credited, settled.invoice_id) == (
        SettlementStatus.CREDITED, Decimal("1.80"), invoice.id)
    assert invoice.amount_due == Decimal("1.80")        # unpaid: the credit lowers what is owed, nothing refunded
