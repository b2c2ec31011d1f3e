"""Collection's storage, the same flows on every storage (the in-memory fakes, SQLite, PostgreSQL): saved methods
and their default, retries found when due, webhooks applied once and matched by their payment, refunds,
chargebacks, bank statement lines, and the reconciliation's reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.pagination import PageRequest
from application.payment_methods import MethodRequest
from application.provider_events import Applied
from application.refunds import RefundCommand
from domain.billing.chargebacks import ChargebackStatus
from domain.billing.invoices import InvoiceStatus
from domain.billing.ledger import CHARGEBACKS, PAYMENT_CLEARING
from domain.billing.payment_methods import MethodStatus
from tests.unit.payments.fake_stripe import DECLINE, OK
from tests.unit.payments.world import (
    ACTOR,
    ORG,
    build,
    card_customer,
    deliver,
    finalized_invoice,
    ledger_balance,
    organization,
)


async def _invoice(world, invoice_id):
    return (await world.get_invoice(invoice_id, ACTOR, ORG)).invoice


async def test_methods_and_their_default_are_stored(storage):
    world = build(storage=storage)
    (driver, _) = await organization(world)
    customer_id, first = await card_customer(world, driver)
    second = await world.save_method(MethodRequest(customer_id), ACTOR, ORG)
    world.stripe.confirm_setup(second.setup_reference, OK, send_event=False)
    listed = {m.id: m for m in await world.list_methods(customer_id, ACTOR, ORG)}
    assert listed[second.id].status is MethodStatus.ACTIVE and listed[first].is_default
    await world.set_default(second.id, ACTOR, ORG)
    listed = {m.id: m for m in await world.list_methods(customer_id, ACTOR, ORG)}
    assert listed[second.id].is_default and not listed[first].is_default
    await world.detach_method(first, ACTOR, ORG)
    assert [m.id for m in await world.list_methods(customer_id, ACTOR, ORG)] == [second.id]


async def test_retries_are_found_when_due_then_the_invoice_is_written_off(storage):
    world = build(storage=storage, payment_retry_days=(1,), uncollectible_after_retries=True)
    (driver, _) = await organization(world)
    await card_customer(world, driver, DECLINE)
    invoice = await finalized_invoice(world, driver)
    assert invoice.last_payment_error == "insufficient_funds" and invoice.next_payment_attempt_at is not None
    assert await world.retry_due() == []
    world.clock.advance(days=1, seconds=1)
    (outcome,) = await world.retry_due()
    assert outcome.invoice_id == invoice.id and outcome.status is InvoiceStatus.UNCOLLECTIBLE
    stored = await _invoice(world, invoice.id)
    assert (stored.payment_attempts, stored.next_payment_attempt_at) == (2, None)


async def test_webhooks_refunds_chargebacks_statements_and_reconciliation(storage):
    world = build(storage=storage)
    (driver, other) = await organization(world)
    await card_customer(world, driver)
    invoice = await finalized_invoice(world, driver)
    assert invoice.status is InvoiceStatus.PAID
    (payment,) = invoice.payments
    await world.refund(invoice.id, RefundCommand(Decimal("1.00"), "GBP", "Goodwill"), ACTOR, ORG)
    world.stripe.refund_in_dashboard(payment.provider_reference, Decimal("0.50"))
    payload, headers = world.stripe.outbox[-1]
    await deliver(world)
    assert await world.webhook(payload, headers) is Applied.REPLAYED
    stored = await _invoice(world, invoice.id)
    assert sorted(r.amount for r in stored.refunds) == [Decimal("0.50"), Decimal("1.00")]
    dispute = world.stripe.dispute(payment.provider_reference, "lost")
    await deliver(world)
    async with world.uow(read_only=True) as uow:
        chargeback = await uow.chargebacks.find("stripe", dispute)
    assert chargeback.status is ChargebackStatus.LOST and chargeback.amount == invoice.total - Decimal("1.50")
    async with world.uow(read_only=True) as uow:
        assert await uow.chargebacks.get(ORG, chargeback.id) == chargeback
        assert await uow.chargebacks.get("org_01JD0000000000000000000099", chargeback.id) is None
        listed = await uow.chargebacks.list(ORG, PageRequest(limit=10))
    assert [c.id for c in listed.items] == [chargeback.id] and listed.items[0].source == "card_network"
    assert await ledger_balance(world, CHARGEBACKS) == chargeback.amount
    assert await ledger_balance(world, PAYMENT_CLEARING) == world.stripe.net("GBP") == 0
    unpaid = await finalized_invoice(world, other, "5")            # no card: open
    statement = (f"date,amount,currency,reference,id\n2026-04-15,{unpaid.total},GBP,{unpaid.payment_reference},A\n"
                 "2026-04-15,9.99,GBP,nothing,B\n").encode()
    result = await world.import_statement(statement, "text/csv", ACTOR, ORG)
    assert [line.key for line in result.matched] == ["A"] and [line.key for line in result.unmatched] == ["B"]
    assert (await world.import_statement(statement, "text/csv", ACTOR, ORG)).duplicates == 2
    report = await world.reconcile(date(2026, 4, 1), date(2026, 5, 1), ACTOR, ORG)
    assert report.balanced and {p.invoice_id for p in report.matched} == {invoice.id, unpaid.id}
    assert [u.key for u in report.unmatched] == ["B"] and len(report.refunds) == 2
    assert [c.id for c in report.chargebacks] == [chargeback.id] and report.open_balances == ()
