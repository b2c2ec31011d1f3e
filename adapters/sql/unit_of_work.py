"""The SQL unit of work: one connection and one transaction, shared by every repository it hands out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.repositories import (
    SqlAccessTokens,
    SqlApiKeys,
    SqlChargePoints,
    SqlDrivers,
    SqlEvents,
    SqlInvitations,
    SqlLocations,
    SqlMembers,
    SqlOrganizations,
    SqlOrphans,
    SqlOutbox,
    SqlPlans,
    SqlReservations,
    SqlSessions,
    SqlSubscriptions,
    SqlTariffs,
    SqlUsers,
)
from adapters.sql.repositories.billing import (
    SqlCharges,
    SqlCounters,
    SqlCustomers,
    SqlInvoiceRuns,
    SqlInvoices,
    SqlLedger,
)
from adapters.sql.repositories.fleets import SqlAuthorizations, SqlFleets, SqlVehicleAssignments, SqlVehicles
from adapters.sql.repositories.odometer import SqlOdometerReadings
from adapters.sql.repositories.payments import (
    SqlChargebacks,
    SqlPaymentMethods,
    SqlProviderCustomers,
    SqlProviderEvents,
    SqlStatementLines,
)
from adapters.sql.repositories.portal import SqlDisputes, SqlEvidenceRetention, SqlFrames, SqlPortalAccess
from adapters.sql.repositories.reports import SqlReports, SqlSessionFacts
from adapters.sql.repositories.site_owners import SqlProjectActivity, SqlProjects, SqlSiteOwners, SqlStatements
from adapters.sql.repositories.webhooks import SqlWebhooks


class ReadOnlyViolation(RuntimeError):
    """A read-only unit of work was asked to commit (a bug: the use case said it would not write)."""


class CommitOutcomeUnknown(RuntimeError):
    """The connection dropped while committing: the change may or may not be stored."""


READ_ONLY = "charge_read_only"   # in a pooled connection's info while a read-only unit of work holds it


class SqlUnitOfWork:
    """``async with`` checks out a connection; leaving without ``commit`` rolls back.

    The transaction begins with the first statement (SQLAlchemy's autobegin) and again after each
    ``commit`` or ``rollback``, so the unit of work stays usable after either, as the fake does.
    """

    users: SqlUsers
    organizations: SqlOrganizations
    members: SqlMembers
    invitations: SqlInvitations
    api_keys: SqlApiKeys
    access_tokens: SqlAccessTokens
    outbox: SqlOutbox
    locations: SqlLocations
    charge_points: SqlChargePoints
    drivers: SqlDrivers
    sessions: SqlSessions
    reservations: SqlReservations
    tariffs: SqlTariffs
    plans: SqlPlans
    subscriptions: SqlSubscriptions
    orphans: SqlOrphans
    events: SqlEvents
    customers: SqlCustomers
    charges: SqlCharges
    invoices: SqlInvoices
    counters: SqlCounters
    ledger: SqlLedger
    invoice_runs: SqlInvoiceRuns
    session_facts: SqlSessionFacts
    reports: SqlReports
    fleets: SqlFleets
    vehicles: SqlVehicles
    vehicle_assignments: SqlVehicleAssignments
    odometer_readings: SqlOdometerReadings
    authorizations: SqlAuthorizations
    portal_access: SqlPortalAccess
    disputes: SqlDisputes
    ocpp_frames: SqlFrames
    evidence: SqlEvidenceRetention
    payment_methods: SqlPaymentMethods
    provider_customers: SqlProviderCustomers
    provider_events: SqlProviderEvents
    chargebacks: SqlChargebacks
    statement_lines: SqlStatementLines
    webhooks: SqlWebhooks
    site_owners: SqlSiteOwners
    projects: SqlProjects
    statements: SqlStatements
    project_activity: SqlProjectActivity

    def __init__(self, engine: AsyncEngine, now: Callable[[], datetime] | None = None, *,
                 read_only: bool = False) -> None:
        self._engine = engine
        self._now = now or _system_now
        self._read_only = read_only
        self._connection: AsyncConnection | None = None
        self.committed_event_ids: list[str] = []

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already in use; make a new one per use case")
        connection = await self._engine.connect()
        if self._read_only:
            # Normally on the reader pool (see database): no transaction, connections that cannot write.
            # On an in-memory SQLite database it shares the writers' connection: it then begins without
            # the write lock (see database._begin_immediate).
            connection.info[READ_ONLY] = True
        self._connection = connection
        self.events = events = SqlEvents(connection, self._now)
        self.users = SqlUsers(connection)
        self.organizations = SqlOrganizations(connection)
        self.members = SqlMembers(connection)
        self.invitations = SqlInvitations(connection)
        self.api_keys = SqlApiKeys(connection)
        self.access_tokens = SqlAccessTokens(connection)
        self.outbox = SqlOutbox(connection)
        self.locations = SqlLocations(connection)
        self.charge_points = SqlChargePoints(connection, events)
        self.drivers = SqlDrivers(connection)
        self.sessions = SqlSessions(connection, events)
        self.reservations = SqlReservations(connection, events)
        self.tariffs = SqlTariffs(connection)
        self.plans = SqlPlans(connection)
        self.subscriptions = SqlSubscriptions(connection)
        self.orphans = SqlOrphans(connection, events)
        self.customers = SqlCustomers(connection)
        self.charges = SqlCharges(connection)
        self.invoices = SqlInvoices(connection, events)
        self.counters = SqlCounters(connection)
        self.ledger = SqlLedger(connection)
        self.invoice_runs = SqlInvoiceRuns(connection)
        self.session_facts = SqlSessionFacts(connection)
        self.reports = SqlReports(connection)
        self.fleets = SqlFleets(connection)
        self.vehicles = SqlVehicles(connection)
        self.vehicle_assignments = SqlVehicleAssignments(connection)
        self.odometer_readings = SqlOdometerReadings(connection)
        self.authorizations = SqlAuthorizations(connection, events)
        self.portal_access = SqlPortalAccess(connection)
        self.disputes = SqlDisputes(connection, events)
        self.ocpp_frames = SqlFrames(connection)
        self.evidence = SqlEvidenceRetention(connection)
        self.payment_methods = SqlPaymentMethods(connection)
        self.provider_customers = SqlProviderCustomers(connection)
        self.provider_events = SqlProviderEvents(connection)
        self.chargebacks = SqlChargebacks(connection)
        self.statement_lines = SqlStatementLines(connection)
        self.webhooks = SqlWebhooks(connection)
        self.site_owners = SqlSiteOwners(connection)
        self.projects = SqlProjects(connection)
        self.statements = SqlStatements(connection)
        self.project_activity = SqlProjectActivity(connection)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        connection.info.pop(READ_ONLY, None)
        try:
            await connection.rollback()
        except Exception:
            # A connection that broke mid-use cannot roll back; the error that broke it says more.
            if exc is None:
                raise
        finally:
            await connection.close()

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside its 'async with' block")
        return self._connection

    async def commit(self) -> None:
        if self._read_only:
            raise ReadOnlyViolation("a read-only unit of work cannot commit: nothing it wrote is kept")
        # The locks that kept what the charge point repository remembers true end here either way.
        self.charge_points.forget()
        try:
            await self._active().commit()
        except DBAPIError as exc:
            if exc.connection_invalidated:   # never "retried once on a new connection": it may have committed
                raise CommitOutcomeUnknown("the database connection dropped during the commit") from exc
            raise
        self.committed_event_ids.extend(self.events.recorded)
        self.events.recorded.clear()

    async def rollback(self) -> None:
        self.charge_points.forget()
        self.events.recorded.clear()
        await self._active().rollback()


def _system_now() -> datetime:
    return datetime.now(UTC)
