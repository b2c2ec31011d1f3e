"""The payment-provider port: collect an invoice, refund a payment, save a payment method, read a provider's
event. The embedded provider is bank transfer (``adapters/payments/bank_transfer.py``); Stripe is a second
adapter of the same port (``adapters/payments/stripe.py``). Amounts are ``Decimal`` in the invoice's currency;
an adapter converts them to whatever its provider wants (Stripe: integer minor units), exactly.

Every request names the ``account`` it is made for (a Stripe Connect account, from the organization's
settings; None for the platform's own), and a provider ``customer`` where the provider keeps customers of its
own (``ensure_customer`` makes one on demand; bank transfer keeps none and answers None)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Protocol

from attrs import frozen


class PaymentStatus(str, enum.Enum):
    PENDING = "pending"            # the customer acts next (a bank transfer to make, a card to authenticate)
    SUCCEEDED = "succeeded"        # the money is ours: the invoice records the payment
    FAILED = "failed"


@frozen
class Collection:
    """Ask for an invoice's money. ``idempotency_key`` is derived from the invoice and the attempt, so that a
    retried call never charges twice."""

    organization_id: str
    invoice_id: str
    invoice_number: str
    customer_id: str
    amount: Decimal
    currency: str
    idempotency_key: str
    payment_method_id: str | None = None
    payment_reference: str | None = None         # the invoice's ISO 11649 reference
    payee_iban: str | None = None                # the organization's account (bank transfer)
    payee_bic: str | None = None
    provider_customer: str | None = None         # Stripe's cus_…
    account: str | None = None                   # a Stripe Connect account
    attempt: int = 1


@frozen
class PaymentInstructions:
    """How the customer pays by transfer: the payee's account and the reference that matches the invoice."""

    iban: str | None
    bic: str | None
    reference: str


@frozen
class CollectionResult:
    status: PaymentStatus
    provider: str
    provider_reference: str | None = None        # the provider's id of the attempt (a PaymentIntent…)
    instructions: PaymentInstructions | None = None
    error: str | None = None                     # why it failed (a decline code…)
    amount: Decimal | None = None                # what the provider took (SUCCEEDED)


@frozen
class Refund:
    organization_id: str
    invoice_id: str
    payment_provider_reference: str | None
    amount: Decimal
    currency: str
    reason: str
    idempotency_key: str
    account: str | None = None


@frozen
class RefundResult:
    status: PaymentStatus
    provider_reference: str | None = None
    instructions: str | None = None              # what the operator does (a transfer to send back)


@frozen
class CustomerProfile:
    """Who a provider customer is made for (created on demand, its id kept by Charge)."""

    organization_id: str
    customer_id: str
    name: str
    email: str
    account: str | None = None


@frozen
class SaveMethod:
    organization_id: str
    customer_id: str
    iban: str | None = None                      # a bank-transfer mandate
    holder: str | None = None
    provider_customer: str | None = None
    account: str | None = None


@frozen
class SavedMethod:
    provider: str
    kind: str                                    # sepa_mandate, card…
    provider_reference: str | None               # the method (pm_…, an IBAN); None while a card is being set up
    label: str                                   # what a person recognises it by (IBAN ending, card brand and last4)
    client_secret: str | None = None             # a card to confirm in the browser (Stripe.js)
    setup_reference: str | None = None           # the SetupIntent (seti_…) a pending card waits on
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None

    @property
    def pending(self) -> bool:
        return self.provider_reference is None


class ProviderEventKind(str, enum.Enum):
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    METHOD_SAVED = "method_saved"                # a SetupIntent succeeded
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_CLOSED = "dispute_closed"
    IGNORED = "ignored"                          # authentic, but nothing Charge acts on


@frozen
class ProviderRefund:
    provider_reference: str                      # re_…
    amount: Decimal


@frozen
class ProviderEvent:
    """A provider's notification, as the core understands it; ``id`` is the provider's (applied once).

    ``provider_reference`` is the payment it is about (a PaymentIntent), ``reference`` what else matches it to an
    invoice (an RF reference, or the invoice id the payment was made for)."""

    id: str
    kind: ProviderEventKind
    amount: Decimal
    currency: str
    reference: str | None                        # what matches it to an invoice (an RF reference, an invoice id)
    received_on: date | None = None
    provider_reference: str | None = None
    type: str = ""                               # the provider's own name for it (payment_intent.succeeded…)
    organization_id: str | None = None           # as the payment's metadata says
    error: str | None = None                     # a failed payment's reason
    refunds: tuple[ProviderRefund, ...] = ()     # every refund of the payment so far (charge.refunded)
    dispute_reference: str | None = None         # dp_…
    dispute_status: str | None = None            # the provider's (needs_response, won, lost…)
    dispute_reason: str | None = None
    setup_reference: str | None = None           # seti_… (method saved)
    method: SavedMethod | None = None            # the method a setup saved, when the event carries it
    method_reference: str | None = None          # pm_… (method saved, even when the event carries only its id)


class PaymentProvider(Protocol):
    name: str

    async def ensure_customer(self, profile: CustomerProfile, known: str | None) -> str | None:
        """The provider's customer for ``profile`` (``known``, or a new one); None where it keeps none."""
        ...
    async def collect(self, request: Collection) -> CollectionResult: ...
    async def refund(self, request: Refund) -> RefundResult: ...
    async def save_method(self, request: SaveMethod) -> SavedMethod:
        """A method saved at once (an IBAN), or one the customer completes (a card: ``client_secret``)."""
        ...
    async def method_setup(self, setup_reference: str, provider_customer: str | None,
                           account: str | None) -> SavedMethod | None:
        """A pending setup as the provider has it now: the method saved (attached to the customer), or None while
        the customer has not completed it."""
        ...
    async def detach_method(self, provider_reference: str, account: str | None) -> None: ...
    async def set_default_method(self, provider_customer: str | None, provider_reference: str,
                                 account: str | None) -> None: ...
    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """The event a provider sent, its authenticity checked; ``InvalidInput`` when it is not one."""
        ...


__all__ = ["Collection", "CollectionResult", "CustomerProfile", "PaymentInstructions", "PaymentProvider",
           "PaymentStatus", "ProviderEvent", "ProviderEventKind", "ProviderRefund", "Refund", "RefundResult",
           "SaveMethod", "SavedMethod"]
