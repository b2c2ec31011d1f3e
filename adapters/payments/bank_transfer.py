"""The embedded payment provider: bank transfer. Nothing to install or configure: an invoice shows the
organization's IBAN and its ISO 11649 reference, and stays open until payments cover it.

- ``collect`` answers the transfer to make (pending until the money arrives and is recorded);
- ``refund`` answers the transfer the operator sends back (pending: a bank transfer is made by people);
- ``save_method`` records a customer's IBAN (a SEPA mandate's account), checked with schwifty; it is saved at
  once (nothing to confirm), so there is no setup to wait for, and nothing to detach or make default elsewhere;
- ``parse_event`` reads a bank's credit notification (JSON: ``id``, ``amount``, ``currency``,
  ``reference``, ``received_on``), which a statement import or a bank's push hands over.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import msgspec

from adapters.registries import SchwiftyBankAccounts
from application.ports.payments import (
    Collection,
    CollectionResult,
    CustomerProfile,
    PaymentInstructions,
    PaymentStatus,
    ProviderEvent,
    ProviderEventKind,
    Refund,
    RefundResult,
    SavedMethod,
    SaveMethod,
)
from domain.errors import InvalidInput
from domain.geography import is_currency
from domain.money import parse_decimal

NAME = "bank_transfer"


class _CreditNotification(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    amount: str
    currency: str
    received_on: date
    reference: str | None = None


class BankTransferProvider:
    name = NAME

    def __init__(self) -> None:
        self._accounts = SchwiftyBankAccounts()

    async def ensure_customer(self, profile: CustomerProfile, known: str | None) -> str | None:
        return known        # it keeps no customers of its own: nothing to make

    async def collect(self, request: Collection) -> CollectionResult:
        reference = request.payment_reference or request.invoice_number
        return CollectionResult(PaymentStatus.PENDING, NAME, provider_reference=reference,
                                instructions=PaymentInstructions(request.payee_iban, request.payee_bic, reference))

    async def refund(self, request: Refund) -> RefundResult:
        return RefundResult(PaymentStatus.PENDING, provider_reference=None,
                            instructions=f"send {request.amount} {request.currency} back by bank transfer "
                                         f"({request.reason})")

    async def save_method(self, request: SaveMethod) -> SavedMethod:
        if request.iban is None:
            raise InvalidInput.field("iban", "a bank-transfer method is an IBAN")
        iban = self._accounts.iban(request.iban, "iban")
        return SavedMethod(NAME, "sepa_mandate", provider_reference=iban, label=f"IBAN …{iban[-4:]}",
                           last4=iban[-4:])

    async def method_setup(self, setup_reference: str, provider_customer: str | None,
                           account: str | None) -> SavedMethod | None:
        return None

    async def detach_method(self, provider_reference: str, account: str | None) -> None:
        return None

    async def set_default_method(self, provider_customer: str | None, provider_reference: str,
                                 account: str | None) -> None:
        return None

    def parse_event(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        try:
            note = msgspec.json.decode(payload, type=_CreditNotification)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            raise InvalidInput.field("body", f"not a credit notification: {error}") from None
        if not is_currency(note.currency):
            raise InvalidInput.field("currency", f"{note.currency!r} is not an ISO 4217 currency code")
        return ProviderEvent(id=note.id, kind=ProviderEventKind.PAYMENT_SUCCEEDED,
                             amount=parse_decimal(note.amount, "amount"), currency=note.currency,
                             reference=note.reference, received_on=note.received_on)
