"""Collection on the fakes: cards saved through SetupIntents, invoices collected off-session when finalized,
declines and their retries, a crash between Stripe's answer and the commit, bank transfer with no Stripe."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from attrs import evolve

from adapters.registries import SchwiftyBankAccounts, StdnumTaxIds
from application import settings as settings_module
from application.payment_methods import MethodRequest
from domain.billing.invoices import InvoiceStatus
from domain.billing.ledger import BANK, PAYMENT_CLEARING
from domain.billing.payment_methods import MethodStatus
from domain.errors import InvalidInput, InvalidState
from tests.unit.payments.fake_stripe import AUTHENTICATE, DECLINE, OK
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


async def _outbox(world):
    async with world.uow(read_only=True) as uow:
        return [e.message for e in uow.outbox.data.values()]


async def test_a_saved_card_appears_in_the_list_by_its_webhook_and_is_the_default():
    world = build()
    (driver, _) = await organization(world)
    customer_id, method_id = await card_customer(world, driver)
    (method,) = await world.list_methods(customer_id, ACTOR, ORG)
    assert (method.id, method.status, method.is_default, method.last4, method.brand) == (
        method_id, MethodStatus.ACTIVE, True, "4242", "visa")
    assert (method.exp_month, method.exp_year, method.client_secret) == (12, 2030, None)


async def test_a_card_confirmed_without_its_webhook_appears_by_a_sync_of_the_list():
    world = build()
    (driver, _) = await organization(world)
    customer_id, method_id = await card_customer(world, driver)
    second = await world.save_method(MethodRequest(customer_id), ACTOR, ORG)
    assert second.status is MethodStatus.PENDING and second.client_secret
    world.stripe.confirm_setup(second.setup_reference, DECLINE, send_event=False)
    listed = {m.id: m for m in await world.list_methods(customer_id, ACTOR, ORG)}
    assert listed[second.id].status is MethodStatus.ACTIVE and listed[second.id].last4 == "0341"
    assert listed[method_id].is_default and not listed[second.id].is_default    # the first stays the default


async def test_a_finalized_invoice_is_paid_by_the_default_card_and_booked_on_payment_clearing():
    world = build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    invoice = await finalized_invoice(world, driver)
    assert invoice.status is InvoiceStatus.PAID and invoice.amount_due == 0
    (payment,) = invoice.payments
    assert payment.method == "stripe" and payment.provider_reference in world.stripe.intents
    assert world.stripe.intents[payment.provider_reference]["amount"] == int(invoice.total * 100)
    assert await ledger_balance(world, PAYMENT_CLEARING) == invoice.total
    assert await ledger_balance(world, BANK) == 0
    await deliver(world)                                   # payment_intent.succeeded: recorded already
    again = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert len(again.payments) == 1 and (await world.trial_balance(ACTOR, ORG, None)).balances


@pytest.mark.parametrize(("number", "reason"), [(DECLINE, "insufficient_funds"),
                                                (AUTHENTICATE, "authentication_required")])
async def test_a_decline_leaves_the_invoice_open_with_the_reason_emails_and_a_replaced_card_pays_it(number, reason):
    world = build()
    (driver, _) = await organization(world)
    customer_id, _ = await card_customer(world, driver, number)
    invoice = await finalized_invoice(world, driver)
    assert invoice.status is InvoiceStatus.OPEN and invoice.last_payment_error == reason
    assert invoice.payment_attempts == 1
    assert invoice.next_payment_attempt_at == world.clock.now() + timedelta(days=1)
    (mail,) = [m for m in await _outbox(world) if "failed" in m.subject]
    assert reason in mail.text and invoice.number in mail.subject
    # The customer saves another card: it becomes the default, and the open invoice is tried with it at once.
    new = await world.save_method(MethodRequest(customer_id), ACTOR, ORG)
    world.stripe.confirm_setup(new.setup_reference, OK)
    await deliver(world)
    await world.set_default(new.id, ACTOR, ORG)
    paid = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert paid.status is InvoiceStatus.PAID and paid.last_payment_error is None and paid.payment_attempts == 2
    assert await ledger_balance(world, PAYMENT_CLEARING) == invoice.total


async def test_retries_follow_the_schedule_then_the_invoice_is_written_off_when_the_setting_says_so():
    world = build(payment_retry_days=(1, 3), uncollectible_after_retries=True)
    (driver, _) = await organization(world)
    await card_customer(world, driver, DECLINE)
    invoice = await finalized_invoice(world, driver)
    start = world.clock.now()
    assert await world.retry_due() == []                           # not due yet
    world.clock.advance(days=1)
    (outcome,) = await world.retry_due()
    assert outcome.status is InvoiceStatus.OPEN and outcome.error == "insufficient_funds"
    current = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert current.next_payment_attempt_at == start + timedelta(days=4)
    world.clock.advance(days=3)
    (outcome,) = await world.retry_due()
    assert outcome.status is InvoiceStatus.UNCOLLECTIBLE
    final = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert final.payment_attempts == 3 and final.written_off == invoice.total
    assert len({key for key in world.stripe.by_key if key.startswith(invoice.id)}) == 3   # one key per attempt
    world.clock.advance(days=30)
    assert await world.retry_due() == []


async def test_without_the_setting_an_invoice_stays_open_after_the_last_retry():
    world = build(payment_retry_days=(1,))
    (driver, _) = await organization(world)
    await card_customer(world, driver, DECLINE)
    invoice = await finalized_invoice(world, driver)
    world.clock.advance(days=1)
    await world.retry_due()
    final = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert final.status is InvoiceStatus.OPEN and final.next_payment_attempt_at is None
    assert final.last_payment_error == "insufficient_funds"


async def test_a_customer_without_a_card_is_told_and_the_card_saved_later_pays():
    world = build()
    (driver, _) = await organization(world)
    invoice = await finalized_invoice(world, driver)
    assert invoice.status is InvoiceStatus.OPEN and invoice.last_payment_error == "no_payment_method"
    assert any("no card is saved" in m.text for m in await _outbox(world))
    await card_customer(world, driver)          # the first card is the default at once: the invoice is retried
    assert (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice.status is InvoiceStatus.PAID


async def test_a_crash_between_stripes_answer_and_the_commit_charges_once(monkeypatch):
    world = build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    from domain.billing import invoices as invoices_module

    original = invoices_module.Invoice.collection_attempted
    crashed = []

    def crash_once(self, *args, **kwargs):
        if not crashed:
            crashed.append(True)
            raise RuntimeError("the process died before the commit")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(invoices_module.Invoice, "collection_attempted", crash_once)
    invoice = await finalized_invoice(world, driver)
    assert crashed and invoice.status is InvoiceStatus.OPEN and invoice.payment_attempts == 0
    # The event is pending; its handler runs again (the server's sweep) with the same idempotency key.
    world.clock.advance(minutes=5)
    await world.dispatcher.dispatch_pending()
    paid = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert paid.status is InvoiceStatus.PAID and len(paid.payments) == 1
    succeeded = [i for i in world.stripe.intents.values() if i["status"] == "succeeded"]
    assert len(succeeded) == 1 and world.stripe.calls == 2         # asked twice, charged once


async def test_a_payment_lost_by_a_crash_is_found_by_its_webhook():
    world = build()
    (driver, _) = await organization(world)
    await card_customer(world, driver)
    from application import collection as collection_module

    async def lost(*args, **kwargs):
        raise RuntimeError("the process died")

    original = collection_module.attempt_collection
    collection_module.attempt_collection = lost  # the finalize handler's attempt never records its outcome
    try:
        invoice = await finalized_invoice(world, driver)
    finally:
        collection_module.attempt_collection = original
    assert invoice.status is InvoiceStatus.OPEN
    await world.attempt(ORG, invoice.id)                       # charged; now suppose only the webhook knows
    assert (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice.status is InvoiceStatus.PAID
    await deliver(world)
    assert len((await world.get_invoice(invoice.id, ACTOR, ORG)).invoice.payments) == 1


async def test_with_no_stripe_configured_bank_transfer_runs_everything_and_stripe_is_refused():
    world = build(stripe=False)
    (driver, _) = await organization(world)
    invoice = await finalized_invoice(world, driver)
    assert invoice.status is InvoiceStatus.OPEN and invoice.payment_attempts == 0
    assert invoice.last_payment_error is None and invoice.payment_reference.startswith("RF")
    customer_id = invoice.customer_id
    mandate = await world.save_method(MethodRequest(customer_id, iban="DE89 3704 0044 0532 0130 00"), ACTOR, ORG)
    assert (mandate.status, mandate.is_default, mandate.last4, mandate.provider) == (
        MethodStatus.ACTIVE, True, "3000", "bank_transfer")
    with pytest.raises(InvalidInput) as refused:
        await world.save_method(MethodRequest(customer_id, iban="DE00370400440532013000"), ACTOR, ORG)
    assert refused.value.errors[0].field == "iban"
    with pytest.raises(InvalidState):
        world.providers.named("stripe")
    from application.payment_providers import PaymentProviders
    from domain.billing.settings import BillingSettings

    assert not world.providers.has("stripe")
    with pytest.raises(InvalidState):
        world.providers.of(BillingSettings(payment_provider="stripe"))
    assert isinstance(world.providers, PaymentProviders)


async def test_a_pending_card_cannot_be_the_default_and_a_detached_one_is_gone():
    world = build()
    (driver, _) = await organization(world)
    customer_id, method_id = await card_customer(world, driver)
    pending = await world.save_method(MethodRequest(customer_id), ACTOR, ORG)
    with pytest.raises(InvalidState):
        await world.set_default(pending.id, ACTOR, ORG)
    await world.detach_method(method_id, ACTOR, ORG)
    assert world.stripe.methods[next(iter(world.stripe.methods))]["customer"] is None
    assert [m.id for m in await world.list_methods(customer_id, ACTOR, ORG)] == [pending.id]
    from domain.errors import NotFound

    with pytest.raises(NotFound):
        await world.detach_method(method_id, ACTOR, ORG)
    assert Decimal(0) == await ledger_balance(world)


async def test_an_organization_cannot_choose_stripe_on_a_server_without_it():
    world = build(stripe=False)
    await organization(world)
    async with world.uow(read_only=True) as uow:
        current = (await uow.organizations.get(ORG)).settings
    wanted = evolve(current, billing=evolve(current.billing, payment_provider="stripe"))
    with pytest.raises(InvalidInput) as refused:
        await settings_module.update_settings(ORG, wanted, ACTOR, uow_factory=world.uow, clock=world.clock,
                                              tax_ids=StdnumTaxIds(), bank_accounts=SchwiftyBankAccounts(),
                                              payments=world.providers)
    assert refused.value.errors[0].field == "payment_provider"
