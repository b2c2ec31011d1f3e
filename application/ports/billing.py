"""Repository ports of billing: customers, priced sessions waiting for an invoice (charges), invoices and credit
notes, gap-free document counters, the ledger, and invoice runs. Every lookup is scoped by organization."""

from __future__ import annotations

import builtins
import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from attrs import define, frozen

from application.pagination import Page, PageRequest
from domain.billing.customers import Customer
from domain.billing.invoices import Charge, Invoice, InvoiceKind, InvoiceStatus
from domain.billing.ledger import AccountBalance, LedgerTransaction, Source, TrialBalance


class CustomerRepository(Protocol):
    async def add(self, customer: Customer) -> None:
        """Raises ``Conflict`` when the id is taken, or the driver or fleet it is made for has a customer of its own."""
        ...
    async def get(self, organization_id: str, customer_id: str) -> Customer | None: ...
    async def find_by_driver(self, organization_id: str, driver_id: str) -> Customer | None:
        """The customer made for this driver (a driver that names none is billed as one of its own)."""
        ...
    async def find_by_fleet(self, organization_id: str, fleet_id: str) -> Customer | None:
        """The customer made for this fleet (a fleet that names none is billed as one of its own)."""
        ...
    async def save(self, customer: Customer) -> None: ...
    async def list(self, organization_id: str, page: PageRequest) -> Page[Customer]: ...


class ChargeRepository(Protocol):
    """What invoices bill (priced sessions, plan fees), each with the customer it is billed to, waiting for an
    invoice; an invoice repository puts them on invoices."""

    async def add(self, charge: Charge) -> bool:
        """Store it; False (and nothing changes) when its id (a session's, a fee's) has a charge already."""
        ...
    async def get(self, organization_id: str, charge_id: str) -> Charge | None: ...
    async def pending_customers(self, organization_id: str, before: datetime, after: tuple[str, str] | None,
                                limit: int) -> builtins.list[tuple[str, str]]:
        """``(customer_id, currency)`` pairs with charges on no invoice whose session started before ``before``,
        in that order, after ``after``: how a run walks its customers in batches."""
        ...
    async def pending(self, organization_id: str, customers: Sequence[tuple[str, str]],
                      before: datetime) -> builtins.list[Charge]:
        """The charges on no invoice of these ``(customer, currency)`` pairs that started before ``before``,
        ordered by customer, currency, start and id."""
        ...
    async def organizations_pending(self) -> builtins.list[str]:
        """The organizations with charges of a customer on no invoice yet (those a run may have work in)."""
        ...


@frozen
class InvoiceFilter:
    customer_id: str | None = None
    status: InvoiceStatus | None = None
    period_start: date | None = None
    period_end: date | None = None
    kind: InvoiceKind | None = None


class InvoiceRepository(Protocol):
    async def add(self, invoice: Invoice) -> None:
        """Store a new invoice (its charges go on it) or credit note (with its lines). Raises ``Conflict`` when
        one of its charges is on another invoice already, or the customer has an invoice for this period and
        currency already."""
        ...
    async def add_many(self, invoices: Sequence[Invoice]) -> None:
        """``add`` for many at once (a run's batch of drafts)."""
        ...
    async def get(self, organization_id: str, invoice_id: str, *, for_update: bool = False) -> Invoice | None:
        """``for_update`` holds a row lock until the unit of work ends."""
        ...
    async def for_period(self, organization_id: str, customers: Sequence[tuple[str, str]], period_start: date,
                         period_end: date) -> dict[tuple[str, str], Invoice]:
        """The invoices (not credit notes) of these ``(customer, currency)`` pairs for the period that runs
        made, by pair."""
        ...
    async def save(self, invoice: Invoice, *, new_lines: bool = False) -> None:
        """Store its state and payments; with ``new_lines``, also put the charges a draft gained on it (those
        on it stay)."""
        ...
    async def list(self, organization_id: str, filters: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        """Newest first."""
        ...
    async def credit_notes(self, organization_id: str, invoice_id: str) -> builtins.list[Invoice]: ...
    # Collection (issue 11): what payments, retries, webhooks, statements and reconciliation look up.
    async def find_by_payment(self, provider_reference: str) -> tuple[str, str] | None:
        """``(organization_id, invoice_id)`` of the invoice a provider's payment (a PaymentIntent) was recorded
        on, across organizations: a provider's event names the payment, not the tenant."""
        ...
    async def find_by_creditor_reference(self, organization_id: str, reference: str) -> Invoice | None:
        """The invoice whose ISO 11649 payment reference (``RF…``) this is."""
        ...
    async def due_for_collection(self, now: datetime, limit: int) -> builtins.list[tuple[str, str]]:
        """``(organization_id, invoice_id)`` of open invoices whose next payment attempt is due, oldest first."""
        ...
    async def failed_collections(self, organization_id: str, customer_id: str) -> builtins.list[str]:
        """Open invoices of the customer whose last payment attempt failed."""
        ...
    async def with_money_between(self, organization_id: str, start: datetime,
                                 end: datetime) -> builtins.list[Invoice]:
        """Invoices with a payment recorded or a refund made in [start, end)."""
        ...
    async def open_invoices(self, organization_id: str) -> builtins.list[Invoice]: ...


class DocumentCounters(Protocol):
    async def next(self, organization_id: str, series: str) -> int:
        """The next number of a series, from a counter row locked until the unit of work ends: numbers are
        gap-free because a rolled-back unit of work gives its number back."""
        ...


@frozen
class TransactionFilter:
    customer_id: str | None = None
    session_id: str | None = None
    invoice_id: str | None = None
    account: str | None = None
    posted_from: datetime | None = None
    posted_to: datetime | None = None


class LedgerRepository(Protocol):
    async def post(self, transaction: LedgerTransaction) -> bool:
        """Store a balanced transaction; False (and nothing is stored) when its source was posted already."""
        ...
    async def find_by_source(self, organization_id: str, source: Source) -> LedgerTransaction | None: ...
    async def list(self, organization_id: str, filters: TransactionFilter,
                   page: PageRequest) -> Page[LedgerTransaction]:
        """Newest first, each with its entries."""
        ...
    async def trial_balance(self, organization_id: str, at: datetime | None) -> TrialBalance:
        """Σ debits and Σ credits per account and currency of what was posted at or before ``at``."""
        ...
    async def customer_balances(self, organization_id: str, customer_id: str) -> builtins.list[AccountBalance]:
        """Per account and currency, the entries of the transactions whose counterparty is this customer."""
        ...


class RunStatus(str, enum.Enum):
    PENDING = "pending"        # accepted, not started yet
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@define
class InvoiceRun:
    """One pass of the batch invoicer over a period: what it found and did so far."""

    id: str
    organization_id: str
    period_start: date
    period_end: date
    finalize: bool
    created_at: datetime
    status: RunStatus = RunStatus.PENDING
    customers_total: int = 0        # (customer, currency) pairs with sessions to invoice, when it started
    customers_done: int = 0
    invoices_created: int = 0
    invoices_updated: int = 0       # drafts that gained late sessions
    invoices_finalized: int = 0
    sessions_invoiced: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None


class InvoiceRunRepository(Protocol):
    async def add(self, run: InvoiceRun) -> None: ...
    async def get(self, organization_id: str, run_id: str) -> InvoiceRun | None: ...
    async def save(self, run: InvoiceRun) -> None: ...
    async def unfinished(self) -> builtins.list[InvoiceRun]:
        """Runs pending or running, of every organization (a server resumes them when it starts)."""
        ...
    async def latest_for_period(self, organization_id: str, period_start: date,
                                period_end: date) -> InvoiceRun | None: ...
