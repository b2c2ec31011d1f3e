"""Stripe, through the official SDK's ``StripeClient``: customers made on demand, cards saved with SetupIntents
and charged off-session with PaymentIntents, refunds, and webhook events checked with the SDK.

- Amounts go to Stripe as integer minor units of the currency (ISO 4217 exponent: 12.34 EUR → 1234,
  500 JPY → 500), converted from ``Decimal`` exactly (``domain.money.to_minor_units``), never through float.
- Every call for an organization with a Connect account carries it (``stripe_account``), and every call that
  creates something carries an idempotency key, so a call repeated after a crash creates nothing twice.
- The SDK is synchronous (``requests``): calls run in a worker thread, never on the event loop.
- A declined card, or one that needs its holder to authenticate (impossible off-session), is a ``FAILED``
  collection with the reason; Stripe being unreachable or failing is ``Unavailable`` (the caller retries).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import stripe

from application.ports.payments import (
    Collection,
    CollectionResult,
    CustomerProfile,
    PaymentStatus,
    ProviderEvent,
    ProviderEventKind,
    ProviderRefund,
    Refund,
    RefundResult,
    SavedMethod,
    SaveMethod,
)
from domain.errors import InvalidInput, Unavailable
from domain.geography import is_currency
from domain.money import from_minor_units, to_minor_units

NAME = "stripe"
DEFAULT_API_BASE = "https://api.stripe.com"
SIGNATURE_HEADER = "stripe-signature"
T = TypeVar("T")

_EVENT_KINDS = {
    "payment_intent.succeeded": ProviderEventKind.PAYMENT_SUCCEEDED,
    "payment_intent.payment_failed": ProviderEventKind.PAYMENT_FAILED,
    "charge.refunded": ProviderEventKind.REFUNDED,
    "charge.dispute.created": ProviderEventKind.DISPUTE_OPENED,
    "charge.dispute.closed": ProviderEventKind.DISPUTE_CLOSED,
    "setup_intent.succeeded": ProviderEventKind.METHOD_SAVED,
}


def _id(value: Any) -> str | None:
    """An object's id whether Stripe sent the id or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return str(value["id"]) if "id" in value else None


def _get(obj: Any, key: str, default: Any = None) -> Any:
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _currency(code: Any) -> str:
    currency = str(code or "").upper()
    if not is_currency(currency):
        raise InvalidInput.field("currency", f"{code!r} is not an ISO 4217 currency code")
    return currency


def _method(pm: Any) -> SavedMethod:
    card = _get(pm, "card", {})
    brand, last4 = _get(card, "brand"), _get(card, "last4")
    kind = str(_get(pm, "type", "card"))
    if kind == "sepa_debit":
        last4 = _get(_get(pm, "sepa_debit", {}), "last4")
        label = f"SEPA debit …{last4}"
        kind = "sepa_mandate"
    else:
        label = f"{str(brand or 'card').capitalize()} …{last4}"
    return SavedMethod(NAME, kind, provider_reference=str(pm["id"]), label=label, brand=brand, last4=last4,
                       exp_month=_get(card, "exp_month"), exp_year=_get(card, "exp_year"))


class StripeProvider:
    """The payment-provider port on Stripe's API (or anything speaking it: ``api_base``, e.g. localstripe)."""

    name = NAME

    def __init__(self, secret_key: str, webhook_secret: str = "", api_base: str = DEFAULT_API_BASE, *,
                 max_network_retries: int = 2) -> None:
        if not secret_key:
            raise ValueError("a Stripe secret key is needed (CHARGE_STRIPE_SECRET_KEY)")
        self._client = stripe.StripeClient(secret_key, base_addresses={"api": api_base or DEFAULT_API_BASE},
                                           max_network_retries=max_network_retries)
        self._webhook_secret = webhook_secret

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise Unavailable(f"Stripe cannot be reached now: {error.user_message or error}") from None
        except stripe.APIError as error:
            raise Unavailable(f"Stripe failed: {error.user_message or error}") from None
        except stripe.AuthenticationError:
            raise Unavailable("Stripe refused the secret key (CHARGE_STRIPE_SECRET_KEY)") from None

    @staticmethod
    def _options(account: str | None, key: str | None = None) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if account:
            options["stripe_account"] = account
        if key:
            options["idempotency_key"] = key
        return options

    # ------------------------------------------------------------------ customers and methods

    async def ensure_customer(self, profile: CustomerProfile, known: str | None) -> str | None:
        if known:
            return known
        customer = await self._call(self._client.v1.customers.create, params={
            "name": profile.name, "email": profile.email,
            "metadata": {"organization_id": profile.organization_id, "customer_id": profile.customer_id}},
            options=self._options(profile.account, f"{profile.customer_id}:customer"))
        return str(customer.id)

    async def save_method(self, request: SaveMethod) -> SavedMethod:
        if request.iban is not None:
            raise InvalidInput.field("iban", "cards are saved through Stripe: leave out `iban` (a bank mandate is "
                                             "for the bank_transfer provider)")
        if request.provider_customer is None:
            raise InvalidInput.field("customer_id", "the customer has no Stripe customer")
        setup = await self._call(self._client.v1.setup_intents.create, params={
            "customer": request.provider_customer, "usage": "off_session", "payment_method_types": ["card"],
            "metadata": {"organization_id": request.organization_id, "customer_id": request.customer_id}},
            options=self._options(request.account))
        return SavedMethod(NAME, "card", provider_reference=None, label="card (being set up)",
                           client_secret=setup.client_secret, setup_reference=setup.id)

    async def method_setup(self, setup_reference: str, provider_customer: str | None,
                           account: str | None) -> SavedMethod | None:
        options = self._options(account)
        setup = await self._call(self._client.v1.setup_intents.retrieve, setup_reference, options=options)
        method_id = _id(setup.payment_method)
        if setup.status != "succeeded" or method_id is None:
            return None
        pm = await self._call(self._client.v1.payment_methods.retrieve, method_id, options=options)
        customer = provider_customer or _id(setup.customer)
        if customer and _id(_get(pm, "customer")) != customer:
            # Stripe attaches a SetupIntent's method to its customer; some servers speaking its API do not.
            pm = await self._call(self._client.v1.payment_methods.attach, method_id, params={"customer": customer},
                                  options=options)
        return _method(pm)

    async def detach_method(self, provider_reference: str, account: str | None) -> None:
        try:
            await self._call(self._client.v1.payment_methods.detach, provider_reference,
                             options=self._options(account))
        except stripe.InvalidRequestError as error:
            if error.http_status != 404 and error.code != "resource_missing":
                raise InvalidInput.field("payment_method", error.user_message or str(error)) from None

    async def set_default_method(self, provider_customer: str | None, provider_reference: str,
                                 account: str | None) -> None:
        if provider_customer is None:
            return
        await self._call(self._client.v1.customers.update, provider_customer,
                         params={"invoice_settings": {"default_payment_method": provider_reference}},
                         options=self._options(account))

    # ------------------------------------------------------------------ money

    async def collect(self, request: Collection) -> CollectionResult:
        if request.payment_method_id is None or request.provider_customer is None:
            return CollectionResult(PaymentStatus.FAILED, NAME, error="no_payment_method")
        params = {"amount": to_minor_units(request.amount, request.currency), "currency": request.currency.lower(),
                  "customer": request.provider_customer, "payment_method": request.payment_method_id,
                  "off_session": True, "confirm": True,
                  "metadata": {"organization_id": request.organization_id, "invoice_id": request.invoice_id,
                               "invoice_number": request.invoice_number, "attempt": str(request.attempt)}}
        try:
            intent = await self._call(self._client.v1.payment_intents.create, params=params,
                                      options=self._options(request.account, request.idempotency_key))
        except stripe.CardError as error:
            body = error.error
            intent_id = _id(_get(body, "payment_intent")) if body is not None else None
            code = (_get(body, "decline_code") or error.code or "card_declined") if body is not None else error.code
            return CollectionResult(PaymentStatus.FAILED, NAME, provider_reference=intent_id,
                                    error=str(code or "card_declined"))
        except stripe.InvalidRequestError as error:
            return CollectionResult(PaymentStatus.FAILED, NAME, error=str(error.code or error.user_message or error))
        if intent.status == "succeeded":
            received = _get(intent, "amount_received") or intent.amount
            return CollectionResult(PaymentStatus.SUCCEEDED, NAME, provider_reference=intent.id,
                                    amount=from_minor_units(int(received), request.currency))
        if intent.status == "processing":        # a debit that settles later: its webhook records it
            return CollectionResult(PaymentStatus.PENDING, NAME, provider_reference=intent.id)
        if intent.status == "requires_action":
            reason = "authentication_required"
        else:
            last = _get(intent, "last_payment_error", {})
            reason = str(_get(last, "decline_code") or _get(last, "code") or intent.status)
        return CollectionResult(PaymentStatus.FAILED, NAME, provider_reference=intent.id, error=reason)

    async def refund(self, request: Refund) -> RefundResult:
        if request.payment_provider_reference is None:
            raise InvalidInput.field("payment_id", "the payment was not made through Stripe")
        try:
            refund = await self._call(self._client.v1.refunds.create, params={
                "payment_intent": request.payment_provider_reference,
                "amount": to_minor_units(request.amount, request.currency),
                "metadata": {"organization_id": request.organization_id, "invoice_id": request.invoice_id,
                             "reason": request.reason[:500]}},
                options=self._options(request.account, request.idempotency_key))
        except stripe.InvalidRequestError as error:
            raise InvalidInput.field("amount", f"Stripe refused the refund: {error.user_message or error}") from None
        status = {"succeeded": PaymentStatus.SUCCEEDED, "pending": PaymentStatus.PENDING}.get(
            str(refund.status), PaymentStatus.FAILED)
        return RefundResult(status, provider_reference=refund.id)

    # ------------------------------------------------------------------ events

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        signature = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
        if not signature:
            raise InvalidInput.field("Stripe-Signature", "the header is missing")
        if not self._webhook_secret:
            raise InvalidInput.field("Stripe-Signature", "no webhook secret is configured "
                                                         "(CHARGE_STRIPE_WEBHOOK_SECRET)")
        try:
            event = self._client.construct_event(payload, signature, self._webhook_secret)
        except stripe.SignatureVerificationError:
            raise InvalidInput.field("Stripe-Signature", "the signature does not match, or is older than 300 "
                                                         "seconds") from None
        except ValueError:
            raise InvalidInput.field("body", "not a Stripe event") from None
        try:
            return _event(event)
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput.field("body", f"not a Stripe event Charge can read: {error}") from None


def _event(event: Any) -> ProviderEvent:
    kind = _EVENT_KINDS.get(str(event["type"]), ProviderEventKind.IGNORED)
    obj = event["data"]["object"]
    created = datetime.fromtimestamp(int(_get(event, "created", 0)), UTC)
    base: dict[str, Any] = {"id": str(event["id"]), "kind": kind, "type": str(event["type"]),
                            "received_on": created.date()}
    if kind is ProviderEventKind.IGNORED:
        return ProviderEvent(amount=Decimal(0), currency="EUR", reference=None, **base)
    if kind is ProviderEventKind.METHOD_SAVED:
        metadata = _get(obj, "metadata", {})
        pm = _get(obj, "payment_method")
        return ProviderEvent(amount=Decimal(0), currency="EUR", reference=_get(metadata, "customer_id"),
                             organization_id=_get(metadata, "organization_id"), setup_reference=str(obj["id"]),
                             method_reference=_id(pm), method=_method(pm) if pm is not None and not isinstance(
                                 pm, str) else None, **base)
    currency = _currency(obj["currency"])
    if kind in (ProviderEventKind.PAYMENT_SUCCEEDED, ProviderEventKind.PAYMENT_FAILED):
        metadata = _get(obj, "metadata", {})
        amount = _get(obj, "amount_received") if kind is ProviderEventKind.PAYMENT_SUCCEEDED else None
        last = _get(obj, "last_payment_error", {})
        return ProviderEvent(amount=from_minor_units(int(amount or obj["amount"]), currency), currency=currency,
                             reference=_get(metadata, "invoice_id"), organization_id=_get(metadata, "organization_id"),
                             provider_reference=str(obj["id"]),
                             error=str(_get(last, "decline_code") or _get(last, "code") or "payment_failed")
                             if kind is ProviderEventKind.PAYMENT_FAILED else None, **base)
    if kind is ProviderEventKind.REFUNDED:
        listed = _get(_get(obj, "refunds", {}), "data", None)
        refunds = tuple(ProviderRefund(str(r["id"]), from_minor_units(int(r["amount"]), currency))
                        for r in listed or () if _get(r, "status", "succeeded") in ("succeeded", "pending"))
        return ProviderEvent(amount=from_minor_units(int(obj["amount_refunded"]), currency), currency=currency,
                             reference=None, provider_reference=_id(_get(obj, "payment_intent")),
                             refunds=refunds, **base)
    return ProviderEvent(amount=from_minor_units(int(obj["amount"]), currency), currency=currency, reference=None,
                         provider_reference=_id(_get(obj, "payment_intent")), dispute_reference=str(obj["id"]),
                         dispute_status=str(_get(obj, "status", "needs_response")),
                         dispute_reason=str(_get(obj, "reason", "general")), **base)


def build_stripe(secret_key: str, webhook_secret: str, api_base: str) -> StripeProvider | None:
    """The Stripe adapter when a secret key is configured; None otherwise (bank transfer alone)."""
    if not secret_key:
        return None
    return StripeProvider(secret_key, webhook_secret, api_base or DEFAULT_API_BASE)
