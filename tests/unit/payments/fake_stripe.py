"""A stateful Stripe in memory for the application tests: customers, cards that succeed, decline or need
authentication, SetupIntents confirmed by a stand-in for the browser, PaymentIntents idempotent by key, refunds
and disputes, each emitting the event Stripe would send as a signed webhook payload.

Events are parsed by the real Stripe adapter (``StripeProvider.parse_event``: the SDK's signature check and
Charge's reading of the event), which needs no network; only the calls that would reach Stripe are faked here.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.payments.stripe import StripeProvider
from application.ports.payments import (
    Collection,
    CollectionResult,
    CustomerProfile,
    PaymentStatus,
    ProviderEvent,
    Refund,
    RefundResult,
    SavedMethod,
    SaveMethod,
)
from domain.errors import InvalidInput
from domain.money import from_minor_units, to_minor_units

WEBHOOK_SECRET = "whsec_fake_stripe"
OK, DECLINE, AUTHENTICATE = "4242424242424242", "4000000000000341", "4000002500003155"


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    """The ``Stripe-Signature`` header of ``payload``, as Stripe computes it."""
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={digest}"}


class FakeStripe:
    name = "stripe"

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.customers: dict[str, dict[str, Any]] = {}
        self.methods: dict[str, dict[str, Any]] = {}
        self.setups: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, Any] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.outbox: list[tuple[bytes, dict[str, str]]] = []     # signed webhook deliveries, in order
        self.calls = 0
        self._parser = StripeProvider("sk_test_fake", WEBHOOK_SECRET, "http://127.0.0.1:9")

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def _emit(self, kind: str, obj: dict[str, Any]) -> None:
        payload = json.dumps({"id": self._id("evt"), "object": "event", "type": kind, "created": int(time.time()),
                              "api_version": "2026-10-28", "data": {"object": obj}}).encode()
        self.outbox.append((payload, sign(payload)))

    # ------------------------------------------------------------------ the port

    async def ensure_customer(self, profile: CustomerProfile, known: str | None) -> str | None:
        if known:
            return known
        key = f"{profile.customer_id}:customer"
        if key not in self.by_key:
            customer = self._id("cus")
            self.customers[customer] = {"default": None, "account": profile.account}
            self.by_key[key] = customer
        return str(self.by_key[key])

    async def save_method(self, request: SaveMethod) -> SavedMethod:
        assert request.provider_customer in self.customers
        setup = self._id("seti")
        self.setups[setup] = {"customer": request.provider_customer, "status": "requires_payment_method",
                              "payment_method": None, "metadata": {"organization_id": request.organization_id,
                                                                   "customer_id": request.customer_id}}
        return SavedMethod("stripe", "card", None, "card (being set up)", client_secret=f"{setup}_secret_x",
                           setup_reference=setup)

    def confirm_setup(self, setup: str, number: str = OK, *, send_event: bool = True) -> str:
        """What Stripe.js does in the customer's browser: the card is saved on the SetupIntent's customer."""
        method = self._id("pm")
        self.methods[method] = {"number": number, "customer": self.setups[setup]["customer"], "exp": (12, 2030)}
        self.setups[setup].update(status="succeeded", payment_method=method)
        if send_event:
            self._emit("setup_intent.succeeded", {"id": setup, "object": "setup_intent", "status": "succeeded",
                                                  "payment_method": method, "customer": self.setups[setup]["customer"],
                                                  "metadata": self.setups[setup]["metadata"]})
        return method

    def _saved(self, method: str) -> SavedMethod:
        m = self.methods[method]
        return SavedMethod("stripe", "card", method, f"Visa …{m['number'][-4:]}", brand="visa",
                           last4=m["number"][-4:], exp_month=m["exp"][0], exp_year=m["exp"][1])

    async def method_setup(self, setup_reference: str, provider_customer: str | None,
                           account: str | None) -> SavedMethod | None:
        setup = self.setups[setup_reference]
        return self._saved(setup["payment_method"]) if setup["status"] == "succeeded" else None

    async def detach_method(self, provider_reference: str, account: str | None) -> None:
        self.methods[provider_reference]["customer"] = None

    async def set_default_method(self, provider_customer: str | None, provider_reference: str,
                                 account: str | None) -> None:
        assert provider_customer is not None
        self.customers[provider_customer]["default"] = provider_reference

    async def collect(self, request: Collection) -> CollectionResult:
        self.calls += 1
        if request.idempotency_key in self.by_key:       # Stripe answers the first request's outcome again
            return self.by_key[request.idempotency_key]  # type: ignore[no-any-return]
        method = self.methods.get(request.payment_method_id or "")
        intent = self._id("pi")
        minor = to_minor_units(request.amount, request.currency)
        record = {"id": intent, "object": "payment_intent", "amount": minor, "currency": request.currency.lower(),
                  "customer": request.provider_customer, "payment_method": request.payment_method_id,
                  "metadata": {"organization_id": request.organization_id, "invoice_id": request.invoice_id,
                               "attempt": str(request.attempt)}, "refunded": 0, "disputed": 0}
        self.intents[intent] = record
        if method is None or method["number"] == DECLINE:
            record.update(status="requires_payment_method", amount_received=0,
                          last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds"})
            result = CollectionResult(PaymentStatus.FAILED, "stripe", intent, error="insufficient_funds")
            self._emit("payment_intent.payment_failed", _public(record))
        elif method["number"] == AUTHENTICATE:
            record.update(status="requires_action", amount_received=0)
            result = CollectionResult(PaymentStatus.FAILED, "stripe", intent, error="authentication_required")
        else:
            record.update(status="succeeded", amount_received=minor)
            result = CollectionResult(PaymentStatus.SUCCEEDED, "stripe", intent, amount=request.amount)
            self._emit("payment_intent.succeeded", _public(record))
        self.by_key[request.idempotency_key] = result
        return result

    async def refund(self, request: Refund) -> RefundResult:
        if request.idempotency_key in self.by_key:
            return self.by_key[request.idempotency_key]  # type: ignore[no-any-return]
        intent = self.intents[request.payment_provider_reference or ""]
        minor = to_minor_units(request.amount, request.currency)
        disputed = any(d["payment_intent"] == intent["id"] for d in self.disputes.values())
        if intent["status"] != "succeeded" or disputed or minor > intent["amount_received"] - intent["refunded"]:
            raise InvalidInput.field("amount", "Stripe refused the refund")
        refund = self._id("re")
        intent["refunded"] += minor
        self.refunds[refund] = {"id": refund, "amount": minor, "status": "succeeded", "payment_intent": intent["id"]}
        result = RefundResult(PaymentStatus.SUCCEEDED, refund)
        self.by_key[request.idempotency_key] = result
        self._emit_refunded(intent)
        return result

    def _emit_refunded(self, intent: dict[str, Any]) -> None:
        refunds = [r for r in self.refunds.values() if r["payment_intent"] == intent["id"]]
        self._emit("charge.refunded", {"id": f"ch_{intent['id']}", "object": "charge", "amount": intent["amount"],
                                       "amount_refunded": intent["refunded"], "currency": intent["currency"],
                                       "payment_intent": intent["id"], "refunds": {"object": "list",
                                                                                   "data": refunds}})

    def refund_in_dashboard(self, intent_id: str, amount: Decimal) -> None:
        """A refund made at Stripe (its dashboard), which Charge learns of by the webhook only."""
        intent = self.intents[intent_id]
        minor = min(to_minor_units(amount, intent["currency"].upper()), intent["amount_received"] - intent["refunded"])
        if minor <= 0 or any(d["payment_intent"] == intent_id for d in self.disputes.values()):
            return          # Stripe refunds no disputed charge
        refund = self._id("re")
        intent["refunded"] += minor
        self.refunds[refund] = {"id": refund, "amount": minor, "status": "succeeded", "payment_intent": intent_id}
        self._emit_refunded(intent)

    def dispute(self, intent_id: str, status: str | None = None) -> str:
        """A card holder disputes the payment (``status`` None: opened), or the bank decides it."""
        intent = self.intents[intent_id]
        existing = next((d for d in self.disputes.values() if d["payment_intent"] == intent_id), None)
        if existing is None:
            if intent.get("amount_received", 0) - intent["refunded"] <= 0:
                return ""   # nothing left to dispute
            existing = {"id": self._id("dp"), "object": "dispute",
                        "amount": intent["amount_received"] - intent["refunded"],
                        "currency": intent["currency"], "payment_intent": intent_id, "charge": f"ch_{intent_id}",
                        "reason": "fraudulent", "status": "needs_response"}
            self.disputes[existing["id"]] = existing
            self._emit("charge.dispute.created", dict(existing))
        if status is not None and existing["status"] not in ("won", "lost"):   # a decision is final
            existing["status"] = status
            self._emit("charge.dispute.closed", dict(existing))
        return str(existing["id"])

    def net(self, currency: str) -> Decimal:
        """What Stripe holds for us: captured − refunded − disputes not won."""
        total = 0
        for intent in self.intents.values():
            total += intent.get("amount_received", 0) - intent["refunded"]
        for dispute in self.disputes.values():
            if dispute["status"] != "won":
                total -= dispute["amount"]
        return from_minor_units(total, currency)

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        return self._parser.parse_event(payload, headers)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("refunded", "disputed")}
