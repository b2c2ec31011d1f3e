"""Which payment provider acts for an organization: its ``payment_provider`` setting names one of the providers
this process has (bank transfer always; Stripe when ``CHARGE_STRIPE_SECRET_KEY`` is set)."""

from __future__ import annotations

from collections.abc import Iterable

from application.ports.payments import PaymentProvider
from domain.billing.settings import BillingSettings
from domain.errors import InvalidState

BANK_TRANSFER = "bank_transfer"


class PaymentProviders:
    def __init__(self, providers: Iterable[PaymentProvider | None]) -> None:
        self._by_name = {p.name: p for p in providers if p is not None}
        if BANK_TRANSFER not in self._by_name:
            raise ValueError("the embedded bank-transfer provider is always there")

    def has(self, name: str) -> bool:
        return name in self._by_name

    def named(self, name: str) -> PaymentProvider:
        """The provider of that name; ``InvalidState`` when this server has none (Stripe not configured)."""
        provider = self._by_name.get(name)
        if provider is None:
            raise InvalidState(f"the {name} payment provider is not configured on this server "
                               "(CHARGE_STRIPE_SECRET_KEY)")
        return provider

    def of(self, billing: BillingSettings) -> PaymentProvider:
        return self.named(billing.payment_provider)

    @staticmethod
    def account(billing: BillingSettings, provider: PaymentProvider) -> str | None:
        """The Connect account every call for the organization carries (Stripe only)."""
        return billing.stripe_account if provider.name == "stripe" else None
