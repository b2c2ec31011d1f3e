"""The payment-provider port: collect an invoice, refund a payment, save a payment method, read a provider's
event. The embedded provider is bank transfer (``adapters/payments/bank_transfer.py``); Stripe is a second
adapter of the same port. Amounts are ``Decimal`` in the invoice's currency; an adapter converts them to
whatever its provider wants (Stripe: integer minor units), exactly."""

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


@frozen
class Refund:
    organization_id: str
    invoice_id: str
    payment_provider_reference: str | None
    amount: Decimal
    currency: str
    reason: str
    idempotency_key: str


@frozen
class RefundResult:
    status: PaymentStatus
    provider_reference: str | None = None
    instructions: str | None = None              # what the operator does (a transfer to send back)


@frozen
class SaveMethod:
    organization_id: str
    customer_id: str
    iban: str | None = None                      # a bank-transfer mandate
    holder: str | None = None


@frozen
class SavedMethod:
    provider: str
    kind: str                                    # sepa_mandate, card…
    provider_reference: str | None
    label: str                                   # what a person recognises it by (IBAN ending, card brand and last4)
    client_secret: str | None = None             # a card to confirm in the browser (Stripe.js)


class ProviderEventKind(str, enum.Enum):
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"


@frozen
class ProviderEvent:
    """A provider's notification, as the core understands it; ``id`` is the provider's (applied once)."""

    id: str
    kind: ProviderEventKind
    amount: Decimal
    currency: str
    reference: str | None                        # what matches it to an invoice (an RF reference, an invoice id)
    received_on: date | None = None
    provider_reference: str | None = None


class PaymentProvider(Protocol):
    name: str

    async def collect(self, request: Collection) -> CollectionResult: ...
    async def refund(self, request: Refund) -> RefundResult: ...
    async def save_method(self, request: SaveMethod) -> SavedMethod: ...
    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """The event a provider sent, its authenticity checked; ``InvalidInput`` when it is not one."""
        ...


__all__ = ["Collection", "CollectionResult", "PaymentInstructions", "PaymentProvider", "PaymentStatus",
           "ProviderEvent", "ProviderEventKind", "Refund", "RefundResult", "SaveMethod", "SavedMethod"]
