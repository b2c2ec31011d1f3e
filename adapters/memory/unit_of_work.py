"""An in-memory unit of work: works on a copy of the store and swaps it in on commit."""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Any

from adapters.memory.network import (
    InMemoryChargePoints,
    InMemoryDrivers,
    InMemoryLocations,
    InMemoryReservations,
    InMemorySessions,
)
from adapters.memory.pricing import InMemoryPlans, InMemorySubscriptions, InMemoryTariffs
from adapters.memory.repositories import (
    InMemoryAccessTokens,
    InMemoryApiKeys,
    InMemoryInvitations,
    InMemoryMembers,
    InMemoryOrganizations,
    InMemoryOutbox,
    InMemoryUsers,
)

_TABLES = ("users", "organizations", "members", "invitations", "api_keys", "access_tokens", "outbox",
           "locations", "charge_points", "drivers", "sessions", "samples", "reservations",
           "tariffs", "plans", "subscriptions")


class InMemoryStore:
    """The shared state every unit of work of one fake 'database' reads and commits to."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Any, Any]] = {name: {} for name in _TABLES}
        self.commits = 0

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> InMemoryUnitOfWork:
        self._tables = copy.deepcopy(self._store.tables)
        t = self._tables
        self.users = InMemoryUsers(t["users"])
        self.organizations = InMemoryOrganizations(t["organizations"], t["members"])
        self.members = InMemoryMembers(t["members"])
        self.invitations = InMemoryInvitations(t["invitations"])
        self.api_keys = InMemoryApiKeys(t["api_keys"])
        self.access_tokens = InMemoryAccessTokens(t["access_tokens"])
        self.outbox = InMemoryOutbox(t["outbox"])
        self.locations = InMemoryLocations(t["locations"])
        self.charge_points = InMemoryChargePoints(t["charge_points"])
        self.drivers = InMemoryDrivers(t["drivers"])
        self.sessions = InMemorySessions(t["sessions"], t["samples"], t["drivers"])
        self.reservations = InMemoryReservations(t["reservations"])
        self.tariffs = InMemoryTariffs(t["tariffs"])
        self.plans = InMemoryPlans(t["plans"])
        self.subscriptions = InMemorySubscriptions(t["subscriptions"])
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self._store.tables = copy.deepcopy(self._tables)
        self._store.commits += 1

    async def rollback(self) -> None:
        self._tables = copy.deepcopy(self._store.tables)
        self._rebind()

    def _rebind(self) -> None:
        t = self._tables
        self.users.data = t["users"]
        self.organizations.data, self.organizations.members = t["organizations"], t["members"]
        self.members.data = t["members"]
        self.invitations.data = t["invitations"]
        self.api_keys.data = t["api_keys"]
        self.access_tokens.data = t["access_tokens"]
        self.outbox.data = t["outbox"]
        self.locations.data = t["locations"]
        self.charge_points.data = t["charge_points"]
        self.drivers.data = t["drivers"]
        self.sessions.data, self.sessions.sample_data, self.sessions.drivers = t["sessions"], t["samples"], t["drivers"]
        self.reservations.data = t["reservations"]
        self.tariffs.data, self.plans.data, self.subscriptions.data = t["tariffs"], t["plans"], t["subscriptions"]
