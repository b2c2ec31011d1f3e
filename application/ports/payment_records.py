"""Repository ports of collection: saved payment methods, customers' ids at a provider, the provider events seen
(each applied once), chargebacks, and bank statement lines. Every lookup is scoped by organization, except
those a provider's event needs before it knows the organization (named so)."""

from __future__ import annotations

import builtins
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from attrs import define

from application.pagination import Page, PageRequest
from domain.billing.chargebacks import Chargeback
from domain.billing.payment_methods import PaymentMethod


class PaymentMethodRepository(Protocol):
    async def add(self, method: PaymentMethod) -> None: ...
    async def get(self, organization_id: str, method_id: str) -> PaymentMethod | None: ...
    async def save(self, method: PaymentMethod) -> None: ...
    async def for_customer(self, organization_id: str, customer_id: str) -> builtins.list[PaymentMethod]:
        """Its methods not detached, oldest first."""
        ...
    async def find_by_setup(self, organization_id: str, setup_reference: str) -> PaymentMethod | None: ...


class ProviderCustomerRepository(Protocol):
    """A customer's id at a provider (Stripe's ``cus_…``), made on demand and kept."""

    async def get(self, organization_id: str, customer_id: str, provider: str) -> str | None: ...
    async def add(self, organization_id: str, customer_id: str, provider: str, reference: str) -> None: ...


class ProviderEventRepository(Protocol):
    async def add(self, provider: str, event_id: str, event_type: str, organization_id: str | None,
                  received_at: datetime) -> bool:
        """Note an event as applied; False (nothing stored) when it was seen before: a replay changes nothing."""
        ...


class ChargebackRepository(Protocol):
    async def add(self, chargeback: Chargeback) -> None: ...
    async def find(self, provider: str, provider_reference: str) -> Chargeback | None:
        """Across organizations: a provider's dispute id is unique at that provider."""
        ...
    async def save(self, chargeback: Chargeback) -> None: ...
    async def get(self, organization_id: str, chargeback_id: str) -> Chargeback | None: ...
    async def list(self, organization_id: str, page: PageRequest) -> Page[Chargeback]:
        """Newest first (what the disputes workflow lists as disputes of the card network)."""
        ...
    async def between(self, organization_id: str, start: datetime, end: datetime) -> builtins.list[Chargeback]:
        """Opened or closed in [start, end)."""
        ...


class StatementLineStatus(str, enum.Enum):
    MATCHED = "matched"
    UNMATCHED = "unmatched"


@define
class StatementLine:
    """A credit on the organization's bank account, from an imported statement; ``key`` is unique per
    organization (the bank's reference of the entry), so importing a statement twice records nothing twice."""

    id: str
    organization_id: str
    key: str
    booked_on: date
    amount: Decimal
    currency: str
    reference: str | None
    counterparty: str | None
    status: StatementLineStatus
    imported_at: datetime
    invoice_id: str | None = None
    payment_id: str | None = None


class StatementLineRepository(Protocol):
    async def add(self, line: StatementLine) -> bool:
        """False (nothing stored) when a line with its key was imported before."""
        ...
    async def between(self, organization_id: str, start: date, end: date) -> builtins.list[StatementLine]:
        """Booked in [start, end), in order."""
        ...


__all__ = ["ChargebackRepository", "PaymentMethodRepository", "ProviderCustomerRepository",
           "ProviderEventRepository", "StatementLine", "StatementLineRepository", "StatementLineStatus"]
