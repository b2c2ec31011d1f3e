"""The unit of work: one transaction; it rolls back unless ``commit`` was called."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from application.ports.billing import (
    ChargeRepository,
    CustomerRepository,
    DocumentCounters,
    InvoiceRepository,
    InvoiceRunRepository,
    LedgerRepository,
)
from application.ports.events import EventRepository
from application.ports.fleets import (
    AuthorizationLog,
    FleetRepository,
    OdometerReadingRepository,
    VehicleAssignmentRepository,
    VehicleRepository,
)
from application.ports.network import (
    ChargePointRepository,
    DriverRepository,
    LocationRepository,
    OrphanTransactionRepository,
    ReservationRepository,
    SessionRepository,
)
from application.ports.payment_records import (
    ChargebackRepository,
    PaymentMethodRepository,
    ProviderCustomerRepository,
    ProviderEventRepository,
    StatementLineRepository,
)
from application.ports.portal import DisputeRepository, EvidenceRetention, FrameRepository, PortalAccessRepository
from application.ports.pricing import PlanRepository, SubscriptionRepository, TariffRepository
from application.ports.reports import ReportQueries, SessionFactRepository
from application.ports.repositories import (
    AccessTokenRepository,
    ApiKeyRepository,
    InvitationRepository,
    MemberRepository,
    OrganizationRepository,
    OutboxRepository,
    UserRepository,
)
from application.ports.site_owners import (
    ProjectActivity,
    ProjectRepository,
    SiteOwnerRepository,
    StatementRepository,
)
from application.ports.webhooks import WebhookRepository


class UnitOfWork(Protocol):
    users: UserRepository
    organizations: OrganizationRepository
    members: MemberRepository
    invitations: InvitationRepository
    api_keys: ApiKeyRepository
    access_tokens: AccessTokenRepository
    outbox: OutboxRepository
    locations: LocationRepository
    charge_points: ChargePointRepository
    drivers: DriverRepository
    sessions: SessionRepository
    reservations: ReservationRepository
    tariffs: TariffRepository
    plans: PlanRepository
    subscriptions: SubscriptionRepository
    orphans: OrphanTransactionRepository
    events: EventRepository
    customers: CustomerRepository
    charges: ChargeRepository
    invoices: InvoiceRepository
    counters: DocumentCounters
    ledger: LedgerRepository
    invoice_runs: InvoiceRunRepository
    session_facts: SessionFactRepository
    reports: ReportQueries
    fleets: FleetRepository
    vehicles: VehicleRepository
    vehicle_assignments: VehicleAssignmentRepository
    odometer_readings: OdometerReadingRepository
    authorizations: AuthorizationLog
    portal_access: PortalAccessRepository
    disputes: DisputeRepository
    ocpp_frames: FrameRepository
    evidence: EvidenceRetention
    payment_methods: PaymentMethodRepository
    provider_customers: ProviderCustomerRepository
    provider_events: ProviderEventRepository
    chargebacks: ChargebackRepository
    statement_lines: StatementLineRepository
    webhooks: WebhookRepository
    site_owners: SiteOwnerRepository
    projects: ProjectRepository
    statements: StatementRepository
    project_activity: ProjectActivity
    # Ids of the events each ``commit`` stored, in order: what a dispatcher hands to handlers next.
    committed_event_ids: list[str]

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A new unit of work. ``read_only``: it will not write, so it takes no write lock (SQLite) and
        runs as a read-only transaction (PostgreSQL); it cannot commit, so nothing written in it is kept."""
        ...
