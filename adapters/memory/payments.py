"""In-memory repositories of collection: payment methods, provider customers and events, chargebacks, bank
statement lines. They keep the SQL schema's unique rules (an event id, a statement line's key, a dispute)."""

from __future__ import annotations

import builtins
import copy
from datetime import date, datetime

from adapters.memory.repositories import _newest_first, _Table
from application.pagination import Page, PageRequest
from application.ports.payment_records import StatementLine
from domain.billing.chargebacks import Chargeback
from domain.billing.payment_methods import MethodStatus, PaymentMethod
from domain.errors import Conflict


class InMemoryPaymentMethods(_Table):
    async def add(self, method: PaymentMethod) -> None:
        if method.id in self.data:
            raise Conflict("payment method exists")
        self._put(method.id, method)

    async def get(self, organization_id: str, method_id: str) -> PaymentMethod | None:
        found = self.data.get(method_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, method: PaymentMethod) -> None:
        self._put(method.id, method)

    async def for_customer(self, organization_id: str, customer_id: str) -> builtins.list[PaymentMethod]:
        return copy.deepcopy(sorted((m for m in self.data.values() if m.organization_id == organization_id
                                     and m.customer_id == customer_id and m.status is not MethodStatus.DETACHED),
                                    key=lambda m: m.id))

    async def find_by_setup(self, organization_id: str, setup_reference: str) -> PaymentMethod | None:
        return next((copy.deepcopy(m) for m in self.data.values() if m.organization_id == organization_id
                     and m.setup_reference == setup_reference), None)


class InMemoryProviderCustomers(_Table):
    async def get(self, organization_id: str, customer_id: str, provider: str) -> str | None:
        found = self.data.get(f"{organization_id}/{customer_id}/{provider}")
        return str(found) if found is not None else None

    async def add(self, organization_id: str, customer_id: str, provider: str, reference: str) -> None:
        key = f"{organization_id}/{customer_id}/{provider}"
        if key in self.data:
            raise Conflict(f"customer {customer_id} has a {provider} customer already")
        self.data[key] = reference


class InMemoryProviderEvents(_Table):
    async def add(self, provider: str, event_id: str, event_type: str, organization_id: str | None,
                  received_at: datetime) -> bool:
        if f"{provider}/{event_id}" in self.data:
            return False
        self.data[f"{provider}/{event_id}"] = (event_type, organization_id, received_at)
        return True


class InMemoryChargebacks(_Table):
    async def add(self, chargeback: Chargeback) -> None:
        if any((c.provider, c.provider_reference) == (chargeback.provider, chargeback.provider_reference)
               for c in self.data.values()):
            raise Conflict(f"dispute {chargeback.provider_reference} is recorded already")
        self._put(chargeback.id, chargeback)

    async def find(self, provider: str, provider_reference: str) -> Chargeback | None:
        return next((copy.deepcopy(c) for c in self.data.values()
                     if (c.provider, c.provider_reference) == (provider, provider_reference)), None)

    async def save(self, chargeback: Chargeback) -> None:
        self._put(chargeback.id, chargeback)

    async def get(self, organization_id: str, chargeback_id: str) -> Chargeback | None:
        found = self.data.get(chargeback_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[Chargeback]:
        return _newest_first([c for c in self.data.values() if c.organization_id == organization_id], page,
                             lambda c: c.id)

    async def between(self, organization_id: str, start: datetime, end: datetime) -> builtins.list[Chargeback]:
        return copy.deepcopy(sorted((c for c in self.data.values() if c.organization_id == organization_id and (
            start <= c.opened_at < end or (c.closed_at is not None and start <= c.closed_at < end))),
            key=lambda c: c.id))


class InMemoryStatementLines(_Table):
    async def add(self, line: StatementLine) -> bool:
        if any((s.organization_id, s.key) == (line.organization_id, line.key) for s in self.data.values()):
            return False
        self._put(line.id, line)
        return True

    async def between(self, organization_id: str, start: date, end: date) -> builtins.list[StatementLine]:
        return copy.deepcopy(sorted((s for s in self.data.values() if s.organization_id == organization_id
                                     and start <= s.booked_on < end), key=lambda s: (s.booked_on, s.id)))
