"""Refunds, Stripe's webhooks (applied once, in any order, signature checked), chargebacks, bank statements and
reconciliation, on the fakes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from application.provider_events import Applied, NotYetKnown
from application.refunds import RefundCommand
from domain.billing.chargebacks import ChargebackStatus
from domain.billing.invoices import InvoiceStatus
from domain.billing.ledger import BANK, CHARGEBACKS, PAYMENT_CLEARING, REFUNDS
from domain.errors import InvalidInput, InvalidState
from tests.unit.payments.fake_stripe import WEBHOOK_SECRET, sign
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


async def _paid(world=None):
    world = world or build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    invoice = await finalized_invoice(world, driver)
    await deliver(world)
    assert invoice.status is InvoiceStatus.PAID
    return world, invoice


async def _invoice(world, invoice_id):
    return (await world.get_invoice(invoice_id, ACTOR, ORG)).invoice


async def test_a_partial_refund_posts_and_a_second_above_the_rest_is_422():
    world, invoice = await _paid()
    first = await world.refund(invoice.id, RefundCommand(Decimal("1.00"), "GBP", "Interrupted session"), ACTOR, ORG)
    assert first.provider_reference in world.stripe.refunds and first.method == "stripe"
    with pytest.raises(InvalidInput) as refused:
        await world.refund(invoice.id, RefundCommand(invoice.total, "GBP", "Too much"), ACTOR, ORG)
    assert refused.value.errors[0].field == "amount.amount"
    with pytest.raises(InvalidInput) as other_currency:
        await world.refund(invoice.id, RefundCommand(Decimal("1.00"), "EUR", "Wrong"), ACTOR, ORG)
    assert other_currency.value.errors[0].field == "amount.currency"
    assert await ledger_balance(world, REFUNDS) == Decimal("1.00")
    assert await ledger_balance(world, PAYMENT_CLEARING) == invoice.total - Decimal("1.00")
    assert await deliver(world) == ["applied"]        # charge.refunded names our re_…: nothing new
    current = await _invoice(world, invoice.id)
    assert current.amount_refunded == Decimal("1.00") and current.status is InvoiceStatus.PAID
    rest = current.refundable()
    await world.refund(invoice.id, RefundCommand(rest, "GBP", "The rest"), ACTOR, ORG)
    assert (await _invoice(world, invoice.id)).refundable() == 0
    assert world.stripe.net("GBP") == await ledger_balance(world, PAYMENT_CLEARING) == 0


async def test_a_refund_of_an_unpaid_invoice_is_a_conflict_and_bank_transfers_refund_by_transfer():
    world = build(stripe=False)
    (driver, _) = await organization(world)
    invoice = await finalized_invoice(world, driver)
    with pytest.raises(InvalidState):
        await world.refund(invoice.id, RefundCommand(Decimal("1.00"), "GBP", "x"), ACTOR, ORG)
    from application.invoices import PaymentReceived

    await world.pay(invoice.id, PaymentReceived(invoice.total, "GBP", date(2026, 4, 2)), ACTOR, ORG)
    refund = await world.refund(invoice.id, RefundCommand(Decimal("2.00"), "GBP", "Goodwill"), ACTOR, ORG)
    assert refund.method == "bank_transfer"
    assert await ledger_balance(world, BANK) == invoice.total - Decimal("2.00")


async def test_a_refund_made_in_stripes_dashboard_is_recorded_once_from_its_webhook():
    world, invoice = await _paid()
    (payment,) = invoice.payments
    world.stripe.refund_in_dashboard(payment.provider_reference, Decimal("3.00"))
    payload, headers = world.stripe.outbox[0]
    assert await deliver(world) == ["applied"]
    assert await world.webhook(payload, headers) is Applied.REPLAYED
    current = await _invoice(world, invoice.id)
    (refund,) = current.refunds
    assert refund.amount == Decimal("3.00") and refund.provider_reference.startswith("re_")
    assert await ledger_balance(world, REFUNDS) == Decimal("3.00")


async def test_a_replayed_event_changes_nothing_and_a_bad_or_stale_signature_is_refused():
    world = build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    invoice = await finalized_invoice(world, driver)
    payload, headers = world.stripe.outbox[-1]
    before = await world.trial_balance(ACTOR, ORG, None)
    assert await world.webhook(payload, headers) is Applied.APPLIED
    assert await world.webhook(payload, headers) is Applied.REPLAYED
    assert await world.trial_balance(ACTOR, ORG, None) == before
    for bad in ({"Stripe-Signature": headers["Stripe-Signature"].replace("v1=", "v1=0")},
                sign(payload, "whsec_someone_else"), sign(payload, WEBHOOK_SECRET, at=1_700_000_000), {}):
        with pytest.raises(InvalidInput) as refused:
            await world.webhook(payload, bad)
        assert refused.value.errors[0].field == "Stripe-Signature"
    tampered = payload.replace(b'"amount": ', b'"amount": 9')
    with pytest.raises(InvalidInput):
        await world.webhook(tampered, headers)
    assert len((await _invoice(world, invoice.id)).payments) == 1


async def test_an_unknown_event_type_is_stored_and_ignored():
    world = build()
    await organization(world)
    payload = json.dumps({"id": "evt_other", "object": "event", "type": "customer.created", "created": 1,
                          "data": {"object": {"id": "cus_x", "object": "customer"}}}).encode()
    assert await world.webhook(payload, sign(payload)) is Applied.IGNORED
    assert await world.webhook(payload, sign(payload)) is Applied.REPLAYED


async def test_events_about_a_payment_not_recorded_yet_wait_for_it():
    world = build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    from application import collection as collection_module

    original = collection_module.record_provider_payment
    collection_module.record_provider_payment = lambda *a, **k: Decimal(0)     # the attempt's outcome is lost
    try:
        invoice = await finalized_invoice(world, driver)
    finally:
        collection_module.record_provider_payment = original
    pi = next(iter(world.stripe.intents))
    world.stripe.dispute(pi)
    succeeded = world.stripe.outbox[-2]       # payment_intent.succeeded, before the dispute
    disputed = world.stripe.outbox[-1]
    with pytest.raises(NotYetKnown):
        await world.webhook(*disputed)        # Stripe gets a 409 and sends it again later
    assert await world.webhook(*succeeded) is Applied.APPLIED
    assert await world.webhook(*disputed) is Applied.APPLIED
    current = await _invoice(world, invoice.id)
    assert current.status is InvoiceStatus.PAID and len(current.payments) == 1
    assert await ledger_balance(world, CHARGEBACKS) == invoice.total


async def test_a_chargeback_is_recorded_posted_and_reversed_when_won():
    world, invoice = await _paid()
    (payment,) = invoice.payments
    dispute = world.stripe.dispute(payment.provider_reference)
    await deliver(world)
    async with world.uow(read_only=True) as uow:
        chargeback = await uow.chargebacks.find("stripe", dispute)
    assert (chargeback.status, chargeback.amount, chargeback.payment_id, chargeback.source) == (
        ChargebackStatus.OPEN, invoice.total, payment.id, "card_network")
    assert await ledger_balance(world, CHARGEBACKS) == invoice.total
    assert await ledger_balance(world, PAYMENT_CLEARING) == 0
    world.stripe.dispute(payment.provider_reference, "won")
    await deliver(world)
    async with world.uow(read_only=True) as uow:
        assert (await uow.chargebacks.find("stripe", dispute)).status is ChargebackStatus.WON
    assert await ledger_balance(world, CHARGEBACKS) == 0
    assert await ledger_balance(world, PAYMENT_CLEARING) == invoice.total == world.stripe.net("GBP")


async def test_a_dispute_closed_before_its_creation_arrives_is_recorded_and_closed_once():
    world, invoice = await _paid()
    (payment,) = invoice.payments
    world.stripe.dispute(payment.provider_reference, "lost")
    created, closed = world.stripe.outbox[-2:]
    world.stripe.outbox.clear()
    assert await world.webhook(*closed) is Applied.APPLIED
    assert await world.webhook(*created) is Applied.APPLIED
    assert await ledger_balance(world, CHARGEBACKS) == invoice.total
    assert (await world.trial_balance(ACTOR, ORG, None)).balances


CSV = """date,amount,currency,reference,counterparty,id
2026-04-16,{total},GBP,Invoice {rf},Driver 0,BANK-1
2026-04-16,12.00,GBP,RF18539007547034,Someone,BANK-2
2026-04-17,-5.00,GBP,fees,Bank,BANK-3
"""


async def test_a_bank_statement_pays_invoices_by_their_reference_and_lists_the_rest_unmatched():
    world = build(stripe=False)
    (driver, _) = await organization(world)
    invoice = await finalized_invoice(world, driver)
    rf = " ".join(invoice.payment_reference[i:i + 4] for i in range(0, len(invoice.payment_reference), 4))
    content = CSV.format(total=invoice.total, rf=rf).encode()
    result = await world.import_statement(content, "text/csv", ACTOR, ORG)
    assert [line.key for line in result.matched] == ["BANK-1"]
    assert [line.key for line in result.unmatched] == ["BANK-2"]
    assert (await _invoice(world, invoice.id)).status is InvoiceStatus.PAID
    again = await world.import_statement(content, "text/csv", ACTOR, ORG)
    assert again.duplicates == 2 and not again.lines
    assert len((await _invoice(world, invoice.id)).payments) == 1


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt><GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-04-17T06:00:00Z</CreDtTm></GrpHdr>
  <Stmt><Id>S1-1</Id>
   <Ntry><NtryRef>1</NtryRef><Amt Ccy="GBP">{total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-04-16</Dt></BookgDt><AcctSvcrRef>CAMT-A</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Driver 0</Nm></Pty></Dbtr></RltdPties>
     <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>
      <Ref>{rf}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="GBP">7.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-04-16</Dt></BookgDt><AcctSvcrRef>CAMT-B</AcctSvcrRef>
    <NtryDtls><TxDtls><RmtInf><Ustrd>thanks for the coffee</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="GBP">3.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-04-16</Dt></BookgDt><AcctSvcrRef>CAMT-C</AcctSvcrRef></Ntry>
  </Stmt></BkToCstmrStmt></Document>"""


async def test_a_camt053_statement_is_matched_by_the_structured_creditor_reference():
    world = build(stripe=False)
    (driver, _) = await organization(world)
    invoice = await finalized_invoice(world, driver)
    content = CAMT.format(total=invoice.total, rf=invoice.payment_reference).encode()
    result = await world.import_statement(content, "application/xml", ACTOR, ORG)
    assert [(line.key, line.invoice_id) for line in result.matched] == [("CAMT-A", invoice.id)]
    assert [(line.key, line.reference) for line in result.unmatched] == [("CAMT-B", "thanks for the coffee")]
    with pytest.raises(InvalidInput):
        await world.import_statement(b"<Document><Nope/></Document>", "application/xml", ACTOR, ORG)
    with pytest.raises(InvalidInput) as bad_csv:
        await world.import_statement(b"date,amount,currency\n2026-04-40,1.00,GBP\n", "text/csv", ACTOR, ORG)
    assert bad_csv.value.errors[0].field == "line 2.date"


async def test_reconciliation_of_a_seeded_month_shows_difference_zero_and_the_unknown_transfer():
    world = build()
    drivers = await organization(world, drivers=3)
    await card_customer(world, drivers[0])
    await card_customer(world, drivers[1])
    from tests.unit.payments.fake_stripe import DECLINE

    await card_customer(world, drivers[2], DECLINE)
    paid = await finalized_invoice(world, drivers[0], "12")
    also = await finalized_invoice(world, drivers[1], "20")
    declined = await finalized_invoice(world, drivers[2], "7")
    await world.refund(paid.id, RefundCommand(Decimal("1.50"), "GBP", "Goodwill"), ACTOR, ORG)
    world.stripe.dispute(also.payments[0].provider_reference)
    await deliver(world)
    await world.import_statement(b"date,amount,currency,reference,id\n2026-04-15,42.00,GBP,who knows,X-1\n",
                                 "text/csv", ACTOR, ORG)
    report = await world.reconcile(date(2026, 4, 1), date(2026, 5, 1), ACTOR, ORG)
    assert report.balanced and report.difference == {"GBP": Decimal(0)}
    assert {p.invoice_id for p in report.matched} == {paid.id, also.id}
    assert [(u.key, u.amount) for u in report.unmatched] == [("X-1", Decimal("42.00"))]
    assert [r.amount for r in report.refunds] == [Decimal("1.50")]
    assert [c.invoice_id for c in report.chargebacks] == [also.id]
    assert [(b.customer_id, b.amount_due) for b in report.open_balances] == [(declined.customer_id,
                                                                             declined.total)]
    (totals,) = report.totals
    assert totals.ledger == totals.records == paid.total + also.total - Decimal("1.50") - also.total
    # Another month saw none of it.
    empty = await world.reconcile(date(2026, 5, 1), date(2026, 6, 1), ACTOR, ORG)
    assert not empty.matched and empty.balanced
    with pytest.raises(InvalidInput):
        await world.reconcile(date(2026, 5, 1), date(2026, 5, 1), ACTOR, ORG)


async def test_reconciliation_sees_money_the_records_do_not_explain():
    world, _ = await _paid()
    from domain.billing.ledger import CHARGING_REVENUE, LedgerTransaction, Source, SourceKind, credit, debit

    async with world.uow() as uow:   # a posting no payment explains (a hand-written one, a doubled handler)
        await uow.ledger.post(LedgerTransaction.balanced(
            id="txn_01JD0000000000000000000000", organization_id=ORG,
            source=Source(SourceKind.PAYMENT, "pay_01JD0000000000000000000000"), posted_at=world.clock.now(),
            description="stray", entries=[debit(PAYMENT_CLEARING, "GBP", Decimal("5.00")),
                                          credit(CHARGING_REVENUE, "GBP", Decimal("5.00"))]))
        await uow.commit()
    report = await world.reconcile(date(2026, 4, 1), date(2026, 5, 1), ACTOR, ORG)
    assert report.difference == {"GBP": Decimal("5.00")} and not report.balanced


async def test_an_event_about_a_payment_charge_never_made_is_refused_then_ignored_once_stripe_would_give_up():
    world = build()
    await organization(world)
    payload = json.dumps({"id": "evt_foreign", "object": "event", "type": "charge.refunded",
                          "created": int(world.clock.now().timestamp()), "data": {"object": {
                              "id": "ch_x", "object": "charge", "amount": 100, "amount_refunded": 100,
                              "currency": "gbp", "payment_intent": "pi_not_ours"}}}).encode()
    with pytest.raises(NotYetKnown):
        await world.webhook(payload, sign(payload))
    world.clock.advance(days=3)
    assert await world.webhook(payload, sign(payload)) is Applied.IGNORED
    no_intent = payload.replace(b'"payment_intent": "pi_not_ours"', b'"payment_intent": null').replace(
        b"evt_foreign", b"evt_foreign_2")
    assert await world.webhook(no_intent, sign(no_intent)) is Applied.IGNORED


async def test_money_stripe_took_for_an_invoice_paid_otherwise_is_listed_unmatched():
    world = build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    from application import collection as collection_module
    from application.invoices import PaymentReceived

    original = collection_module.record_provider_payment
    collection_module.record_provider_payment = lambda *a, **k: Decimal(0)
    try:
        invoice = await finalized_invoice(world, driver)     # Stripe charged; the record is lost
    finally:
        collection_module.record_provider_payment = original
    await world.pay(invoice.id, PaymentReceived(invoice.total, "GBP", date(2026, 4, 15)), ACTOR, ORG)  # by transfer
    await deliver(world)
    report = await world.reconcile(date(2026, 4, 1), date(2026, 5, 1), ACTOR, ORG)
    (unmatched,) = report.unmatched
    assert (unmatched.amount, unmatched.counterparty, unmatched.reference) == (invoice.total, "stripe",
                                                                               invoice.number)
    assert len((await _invoice(world, invoice.id)).payments) == 1
