"""The payment-provider port's contract, run against every adapter: bank transfer (embedded) and Stripe, the
latter through the real ``stripe`` SDK against localstripe (a server speaking Stripe's API, started by the
suite). Each adapter's harness plays what happens outside Charge: the customer completing a card in the browser
(Stripe.js), the provider sending an event."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import stripe

from adapters.payments import BankTransferProvider, StripeProvider
from application.ports.payments import (
    Collection,
    CollectionResult,
    CustomerProfile,
    PaymentStatus,
    ProviderEventKind,
    Refund,
    SavedMethod,
    SaveMethod,
)
from domain.errors import InvalidInput
from tests.support.localstripe_process import LocalStripe
from tests.unit.payments.fake_stripe import sign

ORG = "org_01JD0000000000000000000000"
CUSTOMER = "cus_01JD0000000000000000000001"
WEBHOOK_SECRET = "whsec_contract"
GOOD, DECLINES = "4242424242424242", "4000000000000341"


class BankHarness:
    name = "bank_transfer"
    charges_cards = False

    def __init__(self) -> None:
        self.provider = BankTransferProvider()

    def save(self) -> SaveMethod:
        return SaveMethod(ORG, CUSTOMER, iban="DE89 3704 0044 0532 0130 00", holder="A Driver")

    async def complete(self, saved: SavedMethod, number: str = GOOD) -> None:
        """Nothing to complete: a mandate's account is saved at once."""

    def authentic_event(self, amount: str, currency: str, reference: str) -> tuple[bytes, Mapping[str, str]]:
        body = {"id": f"bank-{time.time_ns()}", "amount": amount, "currency": currency, "reference": reference,
                "received_on": "2026-04-16"}
        return json.dumps(body).encode(), {}

    def forged_event(self) -> tuple[bytes, Mapping[str, str]]:
        return b'{"id": "x", "amount": 12.5}', {}


class StripeHarness:
    name = "stripe"
    charges_cards = True

    def __init__(self, server: LocalStripe) -> None:
        self.provider = StripeProvider(server.secret_key, WEBHOOK_SECRET, server.url)
        self.sdk = stripe.StripeClient(server.secret_key, base_addresses={"api": server.url})
        self.customer: str | None = None

    def save(self) -> SaveMethod:
        return SaveMethod(ORG, CUSTOMER, provider_customer=self.customer)

    async def complete(self, saved: SavedMethod, number: str = GOOD) -> None:
        """What Stripe.js does in the customer's browser: a card confirmed on the SetupIntent."""
        assert saved.client_secret is not None and saved.setup_reference is not None
        assert saved.client_secret.startswith(saved.setup_reference + "_secret_")
        card = self.sdk.v1.payment_methods.create(params={"type": "card", "card": {
            "number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}})
        self.sdk.v1.setup_intents.confirm(saved.setup_reference, params={"payment_method": card.id})

    def authentic_event(self, amount: str, currency: str, reference: str) -> tuple[bytes, Mapping[str, str]]:
        minor = int(Decimal(amount).scaleb(2))
        payload = json.dumps({"id": f"evt_{time.time_ns()}", "object": "event", "type": "payment_intent.succeeded",
                              "created": int(time.time()), "data": {"object": {
                                  "id": f"pi_{time.time_ns()}", "object": "payment_intent", "amount": minor,
                                  "amount_received": minor, "currency": currency.lower(), "status": "succeeded",
                                  "metadata": {"invoice_id": reference, "organization_id": ORG}}}}).encode()
        return payload, sign(payload, WEBHOOK_SECRET)

    def forged_event(self) -> tuple[bytes, Mapping[str, str]]:
        payload, _ = self.authentic_event("12.50", "EUR", "x")
        return payload, sign(payload, "whsec_not_ours")


@pytest.fixture(params=["bank_transfer", "stripe"])
async def harness(request: pytest.FixtureRequest) -> Any:
    if request.param == "bank_transfer":
        return BankHarness()
    h = StripeHarness(request.getfixturevalue("localstripe"))
    h.customer = await h.provider.ensure_customer(CustomerProfile(ORG, CUSTOMER, "A Driver", "a@example.com"), None)
    return h


async def _saved_method(harness: Any, number: str = GOOD) -> SavedMethod:
    saved = await harness.provider.save_method(harness.save())
    if saved.pending:
        await harness.complete(saved, number)
        done = await harness.provider.method_setup(saved.setup_reference, harness.customer, None)
        assert done is not None
        return done
    return saved


def _collection(harness: Any, method: SavedMethod, amount: str = "12.34", currency: str = "EUR",
                key: str = "invc_1:collect:1") -> Collection:
    return Collection(organization_id=ORG, invoice_id="invc_01JD0000000000000000000001", invoice_number="INV-000001",
                      customer_id=CUSTOMER, amount=Decimal(amount), currency=currency,
                      idempotency_key=f"{key}:{time.time_ns()}", payment_method_id=method.provider_reference,
                      payment_reference="RF18539007547034", payee_iban="GB33BUKB20201555555555", payee_bic="BUKBGB22",
                      provider_customer=getattr(harness, "customer", None))


async def test_a_customer_at_the_provider_is_kept_once_made(harness):
    profile = CustomerProfile(ORG, CUSTOMER, "A Driver", "a@example.com")
    known = await harness.provider.ensure_customer(profile, None)
    assert known is None or isinstance(known, str)
    assert await harness.provider.ensure_customer(profile, "cus_known") == "cus_known"


async def test_a_saved_method_has_a_reference_and_what_a_person_recognises_it_by(harness):
    method = await _saved_method(harness)
    assert method.provider == harness.name and method.provider_reference and not method.pending
    assert method.last4 and method.last4 in method.label
    await harness.provider.set_default_method(getattr(harness, "customer", None), method.provider_reference, None)
    await harness.provider.detach_method(method.provider_reference, None)
    await harness.provider.detach_method(method.provider_reference, None)     # twice: nothing to detach, no error


async def test_collecting_with_a_working_method_takes_the_money_or_says_how_to_pay(harness):
    method = await _saved_method(harness)
    result = await harness.provider.collect(_collection(harness, method))
    assert result.provider == harness.name and result.status is not PaymentStatus.FAILED
    if result.status is PaymentStatus.SUCCEEDED:
        assert result.amount == Decimal("12.34") and result.provider_reference
    else:
        assert result.instructions is not None and result.instructions.reference == "RF18539007547034"
        assert result.instructions.iban == "GB33BUKB20201555555555"


async def test_a_refund_of_a_collected_payment_is_made_or_instructed(harness):
    method = await _saved_method(harness)
    result: CollectionResult = await harness.provider.collect(_collection(harness, method))
    refund = await harness.provider.refund(Refund(ORG, "invc_01JD0000000000000000000001", result.provider_reference,
                                                  Decimal("2.50"), "EUR", "Goodwill", f"rf-{time.time_ns()}"))
    if refund.status is PaymentStatus.SUCCEEDED:
        assert refund.provider_reference
    else:
        assert refund.status is PaymentStatus.PENDING and "2.50 EUR" in (refund.instructions or "")


async def test_an_authentic_event_is_read_exactly_and_a_forged_one_is_refused(harness):
    payload, headers = harness.authentic_event("1234.56", "EUR", "invc_01JD0000000000000000000001")
    event = harness.provider.parse_event(payload, headers)
    assert event.kind is ProviderEventKind.PAYMENT_SUCCEEDED
    assert (event.amount, event.currency, event.reference) == (Decimal("1234.56"), "EUR",
                                                               "invc_01JD0000000000000000000001")
    assert isinstance(event.received_on, date) and event.id
    with pytest.raises(InvalidInput):
        harness.provider.parse_event(*harness.forged_event())
    with pytest.raises(InvalidInput):
        harness.provider.parse_event(b"not json at all", headers)


async def test_a_card_that_declines_fails_with_the_reason(harness):
    if not harness.charges_cards:     # a bank transfer is made by the customer: nothing to decline
        assert (await harness.provider.collect(_collection(harness, await _saved_method(harness)))).status \
            is PaymentStatus.PENDING
        return
    method = await _saved_method(harness, DECLINES)
    result = await harness.provider.collect(_collection(harness, method))
    assert result.status is PaymentStatus.FAILED and result.error == "card_declined"
