"""Dict-backed pricing repositories: tariffs with versions, plans, subscriptions."""

from __future__ import annotations

import copy
from datetime import datetime

from adapters.memory.repositories import _page, _Table
from application.pagination import Page, PageRequest
from domain.errors import Conflict
from domain.pricing import MembershipPlan, Subscription, TariffRecord


class _Scoped(_Table):
    def _scoped(self, organization_id: str, key: str):
        found = self.data.get(key)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    def _all(self, organization_id: str) -> list:
        return [x for x in self.data.values() if x.organization_id == organization_id]


class InMemoryTariffs(_Scoped):
    async def add(self, record: TariffRecord) -> None:
        if record.id in self.data:
            raise Conflict(f"tariff {record.id} exists")
        self._put(record.id, record)

    async def get(self, organization_id: str, tariff_id: str) -> TariffRecord | None:
        return self._scoped(organization_id, tariff_id)

    async def save(self, record: TariffRecord) -> None:
        stored = self.data.get(record.id)
        if stored is not None:  # stored versions never change: only new ones are appended
            record = copy.deepcopy(record)
            record.versions[: len(stored.versions)] = stored.versions
        self._put(record.id, record)

    async def list(self, organization_id: str, page: PageRequest) -> Page[TariffRecord]:
        return _page(self._all(organization_id), page, lambda x: x.id)


class InMemoryPlans(_Scoped):
    async def add(self, plan: MembershipPlan) -> None:
        self._put(plan.id, plan)

    async def get(self, organization_id: str, plan_id: str) -> MembershipPlan | None:
        return self._scoped(organization_id, plan_id)

    async def save(self, plan: MembershipPlan) -> None:
        self._put(plan.id, plan)

    async def list(self, organization_id: str, page: PageRequest) -> Page[MembershipPlan]:
        return _page(self._all(organization_id), page, lambda x: x.id)


class InMemorySubscriptions(_Scoped):
    async def add(self, subscription: Subscription) -> None:
        self._put(subscription.id, subscription)

    async def get(self, organization_id: str, subscription_id: str) -> Subscription | None:
        return self._scoped(organization_id, subscription_id)

    async def save(self, subscription: Subscription) -> None:
        self._put(subscription.id, subscription)

    async def list(self, organization_id: str, page: PageRequest, driver_id: str | None = None,
                   plan_id: str | None = None) -> Page[Subscription]:
        rows = [s for s in self._all(organization_id) if (driver_id is None or s.driver_id == driver_id)
                and (plan_id is None or s.plan_id == plan_id)]
        return _page(rows, page, lambda x: x.id)

    async def active_for_driver(self, organization_id: str, driver_id: str, instant: datetime) -> Subscription | None:
        active = [s for s in self._all(organization_id) if s.driver_id == driver_id and s.active_at(instant)]
        return copy.deepcopy(max(active, key=lambda s: (s.starts_at, s.id))) if active else None
