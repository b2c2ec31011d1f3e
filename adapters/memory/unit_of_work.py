"""An in-memory unit of work: works on a copy of the store and swaps it in on commit."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from adapters.memory.billing import (
    InMemoryCharges,
    InMemoryCounters,
    InMemoryCustomers,
    InMemoryInvoiceRuns,
    InMemoryInvoices,
    InMemoryLedger,
)
from adapters.memory.events import InMemoryEvents
from adapters.memory.fleets import InMemoryAuthorizations, InMemoryFleets, InMemoryVehicleAssignments, InMemoryVehicles
from adapters.memory.network import (
    InMemoryChargePoints,
    InMemoryDrivers,
    InMemoryLocations,
    InMemoryOrphans,
    InMemoryReservations,
    InMemorySessions,
)
from adapters.memory.odometer import InMemoryOdometerReadings
from adapters.memory.payments import (
    InMemoryChargebacks,
    InMemoryPaymentMethods,
    InMemoryProviderCustomers,
    InMemoryProviderEvents,
    InMemoryStatementLines,
)
from adapters.memory.portal import InMemoryDisputes, InMemoryEvidenceRetention, InMemoryFrames, InMemoryPortalAccess
from adapters.memory.pricing import InMemoryPlans, InMemorySubscriptions, InMemoryTariffs
from adapters.memory.reports import InMemoryReports, InMemorySessionFacts
from adapters.memory.repositories import (
    InMemoryAccessTokens,
    InMemoryApiKeys,
    InMemoryInvitations,
    InMemoryMembers,
    InMemoryOrganizations,
    InMemoryOutbox,
    InMemoryUsers,
)
from adapters.memory.site_owners import (
    InMemoryProjectActivity,
    InMemoryProjects,
    InMemorySiteOwners,
    InMemoryStatements,
)
from adapters.memory.webhooks import InMemoryWebhooks

_TABLES = ("users", "organizations", "members", "invitations", "api_keys", "access_tokens", "outbox",
           "locations", "charge_points", "drivers", "sessions", "samples", "anomalies", "reservations",
           "tariffs", "plans", "subscriptions", "orphans", "events", "customers", "charges", "invoices",
           "counters", "ledger", "invoice_runs", "session_facts", "fleets", "vehicles", "vehicle_assignments",
           "odometer_readings",
           "authorizations", "portal_tokens", "magic_links", "disputes", "dispute_comments", "ocpp_frames",
           # Collection (issue 11).
           "payment_methods", "provider_customers", "provider_events", "chargebacks", "statement_lines",
           "webhook_endpoints", "webhook_deliveries", "webhook_attempts",
           # Site owners (issue 13).
           "site_owners", "site_owner_invitations", "site_owner_tokens", "projects", "statements")


def _system_now() -> datetime:
    return datetime.now(UTC)


class InMemoryStore:
    """The shared state every unit of work of one fake 'database' reads and commits to."""

    def __init__(self, now: Callable[[], datetime] = _system_now) -> None:
        self.tables: dict[str, dict[Any, Any]] = {name: {} for name in _TABLES}
        self.commits = 0
        self.now = now

    def unit_of_work(self, *, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self, read_only=read_only)


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore, *, read_only: bool = False) -> None:
        self._store = store
        self._read_only = read_only
        self.committed_event_ids: list[str] = []

    async def __aenter__(self) -> Self:
        self._tables = copy.deepcopy(self._store.tables)
        t = self._tables
        self.events = InMemoryEvents(t["events"], self._store.now)
        self.users = InMemoryUsers(t["users"])
        self.organizations = InMemoryOrganizations(t["organizations"], t["members"])
        self.members = InMemoryMembers(t["members"])
        self.invitations = InMemoryInvitations(t["invitations"])
        self.api_keys = InMemoryApiKeys(t["api_keys"])
        self.access_tokens = InMemoryAccessTokens(t["access_tokens"])
        self.outbox = InMemoryOutbox(t["outbox"])
        self.locations = InMemoryLocations(t["locations"])
        self.charge_points = InMemoryChargePoints(t["charge_points"], self.events)
        self.drivers = InMemoryDrivers(t["drivers"])
        self.sessions = InMemorySessions(t["sessions"], t["samples"], t["drivers"], t["anomalies"], self.events)
        self.reservations = InMemoryReservations(t["reservations"], self.events)
        self.tariffs = InMemoryTariffs(t["tariffs"])
        self.plans = InMemoryPlans(t["plans"])
        self.subscriptions = InMemorySubscriptions(t["subscriptions"])
        self.orphans = InMemoryOrphans(t["orphans"], self.events)
        self.customers = InMemoryCustomers(t["customers"])
        self.charges = InMemoryCharges(t["charges"])
        self.invoices = InMemoryInvoices(t["invoices"], t["charges"], self.events)
        self.counters = InMemoryCounters(t["counters"])
        self.ledger = InMemoryLedger(t["ledger"])
        self.invoice_runs = InMemoryInvoiceRuns(t["invoice_runs"])
        self.session_facts = InMemorySessionFacts(t["session_facts"])
        self.reports = InMemoryReports(t)
        self.fleets = InMemoryFleets(t["fleets"])
        self.vehicles = InMemoryVehicles(t["vehicles"])
        self.vehicle_assignments = InMemoryVehicleAssignments(t["vehicle_assignments"])
        self.odometer_readings = InMemoryOdometerReadings(t["odometer_readings"])
        self.authorizations = InMemoryAuthorizations(t["authorizations"], self.events)
        self._bind_portal()
        self.payment_methods = InMemoryPaymentMethods(t["payment_methods"])
        self.provider_customers = InMemoryProviderCustomers(t["provider_customers"])
        self.provider_events = InMemoryProviderEvents(t["provider_events"])
        self.chargebacks = InMemoryChargebacks(t["chargebacks"])
        self.statement_lines = InMemoryStatementLines(t["statement_lines"])
        self.webhooks = InMemoryWebhooks(t["webhook_endpoints"], t["webhook_deliveries"], t["webhook_attempts"])
        return self

    def _bind_portal(self) -> None:
        t = self._tables
        self.portal_access = InMemoryPortalAccess(t["portal_tokens"], t["magic_links"], t["drivers"])
        self.disputes = InMemoryDisputes(t["disputes"], t["dispute_comments"], self.events)
        self.ocpp_frames = InMemoryFrames(t["ocpp_frames"])
        self.evidence = InMemoryEvidenceRetention(t)
        self.site_owners = InMemorySiteOwners(t["site_owners"], t["site_owner_invitations"], t["site_owner_tokens"])
        self.projects = InMemoryProjects(t["projects"])
        self.statements = InMemoryStatements(t["statements"])
        self.project_activity = InMemoryProjectActivity(t)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.rollback()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit: nothing it wrote is kept")
        self._store.tables = copy.deepcopy(self._tables)
        self._store.commits += 1
        self.committed_event_ids.extend(self.events.recorded)
        self.events.recorded.clear()

    async def rollback(self) -> None:
        self._tables = copy.deepcopy(self._store.tables)
        self.events.recorded.clear()
        self._rebind()

    def _rebind(self) -> None:
        t = self._tables
        self.events.data = t["events"]
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
        s = self.sessions
        s.data, s.sample_data, s.drivers, s.anomaly_data = t["sessions"], t["samples"], t["drivers"], t["anomalies"]
        self.reservations.data = t["reservations"]
        self.tariffs.data, self.plans.data, self.subscriptions.data = t["tariffs"], t["plans"], t["subscriptions"]
        self.orphans.data = t["orphans"]
        self.customers.data, self.charges.data, self.invoices.data = t["customers"], t["charges"], t["invoices"]
        self.invoices.charges = t["charges"]
        self.counters.data, self.ledger.data, self.invoice_runs.data = t["counters"], t["ledger"], t["invoice_runs"]
        self.session_facts.data, self.reports.tables = t["session_facts"], t
        self.fleets.data, self.vehicles.data = t["fleets"], t["vehicles"]
        self.vehicle_assignments.data, self.authorizations.data = t["vehicle_assignments"], t["authorizations"]
        self.odometer_readings.data = t["odometer_readings"]
        self._bind_portal()
        self.payment_methods.data, self.provider_customers.data = t["payment_methods"], t["provider_customers"]
        self.provider_events.data, self.chargebacks.data = t["provider_events"], t["chargebacks"]
        self.statement_lines.data = t["statement_lines"]
        w = self.webhooks
        w.endpoints, w.deliveries, w.attempts = t["webhook_endpoints"], t["webhook_deliveries"], t["webhook_attempts"]
