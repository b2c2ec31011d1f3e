"""The Stripe adapter through the real SDK against localstripe: amounts in exact minor units of the currency,
declines and authentication, Connect accounts on every call."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import stripe

from adapters.payments import StripeProvider
from application.ports.payments import Collection, CustomerProfile, PaymentStatus, SaveMethod
from domain.errors import InvalidInput, Unavailable
from tests.integration.payments.test_provider_contract import ORG, StripeHarness

INVOICE = "invc_01JD0000000000000000000009"


async def _card(harness: StripeHarness, number: str) -> str:
    saved = await harness.provider.save_method(SaveMethod(ORG, "cus_01JD0000000000000000000009",
                                                          provider_customer=harness.customer))
    await harness.complete(saved, number)
    done = await harness.provider.method_setup(saved.setup_reference, harness.customer, None)
    assert done is not None and done.provider_reference
    return done.provider_reference


@pytest.fixture
async def harness(localstripe) -> StripeHarness:
    h = StripeHarness(localstripe)
    h.customer = await h.provider.ensure_customer(
        CustomerProfile(ORG, "cus_01JD0000000000000000000009", "Fleet Co", "ap@fleet.example"), None)
    return h


def _collect(harness: StripeHarness, method: str, amount: str, currency: str) -> Collection:
    return Collection(ORG, INVOICE, "INV-000009", "cus_01JD0000000000000000000009", Decimal(amount), currency,
                      f"{INVOICE}:collect:{time.time_ns()}", payment_method_id=method,
                      provider_customer=harness.customer, attempt=3)


@pytest.mark.parametrize(("amount", "currency", "minor"), [("12.34", "EUR", 1234), ("500", "JPY", 500),
                                                           ("1.234", "KWD", 1234), ("0.05", "GBP", 5),
                                                           ("99999.99", "USD", 9999999)])
async def test_amounts_go_to_stripe_in_exact_minor_units(harness, amount, currency, minor):
    method = await _card(harness, "4242424242424242")
    result = await harness.provider.collect(_collect(harness, method, amount, currency))
    assert result.status is PaymentStatus.SUCCEEDED and result.amount == Decimal(amount)
    intent = harness.sdk.v1.payment_intents.retrieve(result.provider_reference)
    assert (intent.amount, intent.currency) == (minor, currency.lower())
    assert intent.metadata["invoice_id"] == INVOICE and intent.metadata["attempt"] == "3"


async def test_an_amount_finer_than_the_currency_is_refused_before_stripe_is_asked(harness):
    method = await _card(harness, "4242424242424242")
    with pytest.raises(InvalidInput):
        await harness.provider.collect(_collect(harness, method, "500.5", "JPY"))


async def test_a_card_needing_authentication_fails_off_session(harness):
    # Its SetupIntent waits for the holder's authentication (localstripe as Stripe): attached another way.
    card = harness.sdk.v1.payment_methods.create(params={"type": "card", "card": {
        "number": "4000002500003155", "exp_month": 12, "exp_year": 2031, "cvc": "123"}})
    method = harness.sdk.v1.payment_methods.attach(card.id, params={"customer": harness.customer}).id
    result = await harness.provider.collect(_collect(harness, method, "10.00", "EUR"))
    assert result.status is PaymentStatus.FAILED and result.error == "authentication_required"


async def test_a_refund_above_what_is_left_is_refused(harness):
    method = await _card(harness, "4242424242424242")
    paid = await harness.provider.collect(_collect(harness, method, "10.00", "EUR"))
    from application.ports.payments import Refund

    made = await harness.provider.refund(Refund(ORG, INVOICE, paid.provider_reference, Decimal("4.00"), "EUR", "a",
                                                f"r-{time.time_ns()}"))
    assert made.status is PaymentStatus.SUCCEEDED
    refund = harness.sdk.v1.refunds.retrieve(made.provider_reference)
    assert (refund.amount, refund.payment_intent) == (400, paid.provider_reference)


async def test_every_call_for_a_connect_account_names_it(localstripe, monkeypatch):
    seen: list[tuple[str, str | None]] = []
    original = stripe.RequestsClient.request

    def record(self, method, url, headers, post_data=None):
        seen.append((url, headers.get("Stripe-Account")))
        return original(self, method, url, headers, post_data)

    monkeypatch.setattr(stripe.RequestsClient, "request", record)
    provider = StripeProvider(localstripe.secret_key, "whsec_x", localstripe.url)
    customer = await provider.ensure_customer(CustomerProfile(ORG, "cus_01JD0000000000000000000008", "C",
                                                              "c@example.com", account="acct_1Connected"), None)
    await provider.save_method(SaveMethod(ORG, "cus_01JD0000000000000000000008", provider_customer=customer,
                                          account="acct_1Connected"))
    assert seen and all(account == "acct_1Connected" for _, account in seen)


async def test_an_unreachable_stripe_is_unavailable():
    provider = StripeProvider("sk_test_x", "whsec_x", "http://127.0.0.1:9")
    with pytest.raises(Unavailable):
        await provider.ensure_customer(CustomerProfile(ORG, "cus_01JD0000000000000000000007", "C", "c@x.io"), None)
