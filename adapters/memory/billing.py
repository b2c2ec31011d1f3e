"""In-memory billing repositories: customers, charges, invoices, counters, the ledger and invoice runs.

They keep the rules the SQL schema enforces (a session on one invoice, a source posted once, one invoice
per customer, period and currency), so the application tests on them meet the same refusals.
"""

from __future__ import annotations

import builtins
import copy
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from attrs import evolve

from adapters.memory.events import InMemoryEvents
from adapters.memory.repositories import _newest_first, _page, _Table
from application.pagination import Page, PageRequest
from application.ports.billing import InvoiceFilter, InvoiceRun, RunStatus, TransactionFilter
from domain.billing.customers import Customer
from domain.billing.invoices import Charge, Invoice, InvoiceKind, InvoiceStatus
from domain.billing.ledger import AccountBalance, LedgerTransaction, Source, TrialBalance, trial_balance
from domain.errors import Conflict


class InMemoryCustomers(_Table):
    async def add(self, customer: Customer) -> None:
        if customer.id in self.data:
            raise Conflict("customer exists")
        if customer.driver_id is not None and any(
                c.organization_id == customer.organization_id and c.driver_id == customer.driver_id
                for c in self.data.values()):
            raise Conflict(f"driver {customer.driver_id} has a customer already")
        if customer.fleet_id is not None and any(
                c.organization_id == customer.organization_id and c.fleet_id == customer.fleet_id
                for c in self.data.values()):
            raise Conflict(f"fleet {customer.fleet_id} has a customer already")
        self._put(customer.id, customer)

    async def get(self, organization_id: str, customer_id: str) -> Customer | None:
        found = self.data.get(customer_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def find_by_driver(self, organization_id: str, driver_id: str) -> Customer | None:
        return next((copy.deepcopy(c) for c in self.data.values()
                     if c.organization_id == organization_id and c.driver_id == driver_id), None)

    async def find_by_fleet(self, organization_id: str, fleet_id: str) -> Customer | None:
        return next((copy.deepcopy(c) for c in self.data.values()
                     if c.organization_id == organization_id and c.fleet_id == fleet_id), None)

    async def save(self, customer: Customer) -> None:
        self._put(customer.id, customer)

    async def list(self, organization_id: str, page: PageRequest) -> Page[Customer]:
        return _page([c for c in self.data.values() if c.organization_id == organization_id], page, lambda c: c.id)


class InMemoryCharges(_Table):
    async def add(self, charge: Charge) -> bool:
        if charge.id in self.data:
            return False
        self._put(charge.id, charge)
        return True

    async def get(self, organization_id: str, charge_id: str) -> Charge | None:
        found = self.data.get(charge_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    def _pending(self, organization_id: str, before: datetime) -> list[Charge]:
        return [c for c in self.data.values() if c.organization_id == organization_id and c.invoice_id is None
                and c.customer_id is not None and c.started_at < before]

    async def pending_customers(self, organization_id: str, before: datetime, after: tuple[str, str] | None,
                                limit: int) -> builtins.list[tuple[str, str]]:
        keys = sorted({(c.customer_id, c.currency) for c in self._pending(organization_id, before)
                       if c.customer_id is not None})
        return [k for k in keys if after is None or k > after][:limit]

    async def pending(self, organization_id: str, customers: Sequence[tuple[str, str]],
                      before: datetime) -> builtins.list[Charge]:
        wanted = set(customers)
        found = [c for c in self._pending(organization_id, before) if (c.customer_id, c.currency) in wanted]
        return copy.deepcopy(sorted(found, key=lambda c: (c.customer_id or "", c.currency, c.started_at, c.id)))

    async def organizations_pending(self) -> builtins.list[str]:
        return sorted({c.organization_id for c in self.data.values()
                       if c.invoice_id is None and c.customer_id is not None})


class InMemoryInvoices(_Table):
    """Invoices and credit notes; an invoice's charges are set on it in the charges' table, as in SQL."""

    def __init__(self, data: dict[str, Any], charges: dict[str, Any], events: InMemoryEvents) -> None:
        super().__init__(data)
        self.charges = charges
        self.events = events

    def _check(self, invoice: Invoice) -> None:
        for other in self.data.values():
            if (other.id != invoice.id and invoice.kind is InvoiceKind.INVOICE and other.kind is InvoiceKind.INVOICE
                    and (other.organization_id, other.customer_id, other.currency, other.period_start,
                         other.period_end) == (invoice.organization_id, invoice.customer_id, invoice.currency,
                                               invoice.period_start, invoice.period_end)):
                raise Conflict(f"customer {invoice.customer_id} has invoice {other.id} for this period already")
        for charge in invoice.charges:
            stored = self.charges.get(charge.id)
            if stored is None or stored.organization_id != invoice.organization_id or stored.invoice_id not in (
                    None, invoice.id):
                raise Conflict(f"charge {charge.id} is on another invoice already (or is not the organization's)")

    def _assign(self, invoice: Invoice) -> None:
        for charge in invoice.charges:
            self.charges[charge.id] = evolve(self.charges[charge.id], invoice_id=invoice.id)
        invoice.charges = [c.on(invoice.id) for c in invoice.charges]   # as stored now

    def _stored(self, invoice: Invoice) -> Invoice:
        """As SQL keeps it: the charges with the invoice they are on."""
        kept = copy.copy(invoice)
        kept.charges = [c.on(invoice.id) for c in invoice.charges]
        return kept

    async def add(self, invoice: Invoice) -> None:
        await self.add_many([invoice])

    async def add_many(self, invoices: Sequence[Invoice]) -> None:
        for invoice in invoices:
            if invoice.id in self.data:
                raise Conflict("invoice exists")
            self._check(invoice)
        for invoice in invoices:
            self._assign(invoice)
            events = invoice.pull_events()
            self._put(invoice.id, self._stored(invoice))
            await self.events.add(events)

    async def get(self, organization_id: str, invoice_id: str, *, for_update: bool = False) -> Invoice | None:
        found = self.data.get(invoice_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def for_period(self, organization_id: str, customers: Sequence[tuple[str, str]], period_start: date,
                         period_end: date) -> dict[tuple[str, str], Invoice]:
        wanted = set(customers)
        return {(i.customer_id, i.currency): copy.deepcopy(i) for i in self.data.values()
                if i.kind is InvoiceKind.INVOICE and i.organization_id == organization_id
                and (i.customer_id, i.currency) in wanted and (i.period_start, i.period_end) == (period_start,
                                                                                                  period_end)}

    async def save(self, invoice: Invoice, *, new_lines: bool = False) -> None:
        stored = self.data.get(invoice.id)
        if stored is None:
            await self.add(invoice)
            return
        if new_lines:
            self._check(invoice)
            self._assign(invoice)
        else:   # lines and charges only grow through new_lines, as in SQL
            invoice = copy.copy(invoice)
            invoice.lines, invoice.sessions, invoice.charges = (list(stored.lines), list(stored.sessions),
                                                                list(stored.charges))
        events = invoice.pull_events()
        self._put(invoice.id, self._stored(invoice))
        await self.events.add(events)

    async def list(self, organization_id: str, filters: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        f = filters
        rows = [i for i in self.data.values() if i.organization_id == organization_id
                and (f.customer_id is None or i.customer_id == f.customer_id)
                and (f.status is None or i.status is f.status) and (f.kind is None or i.kind is f.kind)
                and (f.period_start is None or i.period_start == f.period_start)
                and (f.period_end is None or i.period_end == f.period_end)]
        return _newest_first(rows, page, lambda i: i.id)

    async def credit_notes(self, organization_id: str, invoice_id: str) -> builtins.list[Invoice]:
        return copy.deepcopy(sorted((i for i in self.data.values() if i.organization_id == organization_id
                                     and i.corrects == invoice_id), key=lambda i: i.id))

    async def find_by_payment(self, provider_reference: str) -> tuple[str, str] | None:
        return next(((i.organization_id, i.id) for i in self.data.values()
                     if i.payment_from(provider_reference) is not None), None)

    async def find_by_creditor_reference(self, organization_id: str, reference: str) -> Invoice | None:
        return next((copy.deepcopy(i) for i in self.data.values() if i.organization_id == organization_id
                     and i.kind is InvoiceKind.INVOICE and i.payment_reference == reference), None)

    async def due_for_collection(self, now: datetime, limit: int) -> builtins.list[tuple[str, str]]:
        due = sorted((i.next_payment_attempt_at, i.organization_id, i.id) for i in self.data.values()
                     if i.status is InvoiceStatus.OPEN and i.next_payment_attempt_at is not None
                     and i.next_payment_attempt_at <= now)
        return [(o, i) for _, o, i in due[:limit]]

    async def failed_collections(self, organization_id: str, customer_id: str) -> builtins.list[str]:
        return sorted(i.id for i in self.data.values() if i.organization_id == organization_id
                      and i.customer_id == customer_id and i.status is InvoiceStatus.OPEN
                      and i.last_payment_error is not None)

    async def with_money_between(self, organization_id: str, start: datetime,
                                 end: datetime) -> builtins.list[Invoice]:
        return copy.deepcopy(sorted((i for i in self.data.values() if i.organization_id == organization_id and (
            any(p.recorded_at is not None and start <= p.recorded_at < end for p in i.payments)
            or any(start <= r.created_at < end for r in i.refunds))), key=lambda i: i.id))

    async def open_invoices(self, organization_id: str) -> builtins.list[Invoice]:
        return copy.deepcopy(sorted((i for i in self.data.values() if i.organization_id == organization_id
                                     and i.kind is InvoiceKind.INVOICE and i.status is InvoiceStatus.OPEN),
                                    key=lambda i: i.id))


class InMemoryCounters(_Table):
    async def next(self, organization_id: str, series: str) -> int:
        key = f"{organization_id}/{series}"
        value = self.data.get(key, 0) + 1
        self.data[key] = value
        return int(value)


class InMemoryLedger(_Table):
    """``data``: transaction id → transaction; sources are looked up by scanning (tests are small)."""

    async def post(self, transaction: LedgerTransaction) -> bool:
        transaction.check()
        if any(t.organization_id == transaction.organization_id and t.source == transaction.source
               for t in self.data.values()):
            return False
        self._put(transaction.id, transaction)
        return True

    async def find_by_source(self, organization_id: str, source: Source) -> LedgerTransaction | None:
        return next((t for t in self.data.values() if t.organization_id == organization_id and t.source == source),
                    None)

    async def list(self, organization_id: str, filters: TransactionFilter,
                   page: PageRequest) -> Page[LedgerTransaction]:
        f = filters
        rows = [t for t in self.data.values() if t.organization_id == organization_id
                and (f.customer_id is None or t.customer_id == f.customer_id)
                and (f.session_id is None or t.session_id == f.session_id)
                and (f.invoice_id is None or t.invoice_id == f.invoice_id)
                and (f.account is None or any(e.account == f.account for e in t.entries))
                and (f.posted_from is None or t.posted_at >= f.posted_from)
                and (f.posted_to is None or t.posted_at < f.posted_to)]
        return _newest_first(rows, page, lambda t: t.id)

    async def trial_balance(self, organization_id: str, at: datetime | None) -> TrialBalance:
        return trial_balance([t for t in self.data.values() if t.organization_id == organization_id], at)

    async def customer_balances(self, organization_id: str, customer_id: str) -> builtins.list[AccountBalance]:
        sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for t in self.data.values():
            if t.organization_id == organization_id and t.customer_id == customer_id:
                for e in t.entries:
                    sums[(e.account, e.currency)][0] += e.debit
                    sums[(e.account, e.currency)][1] += e.credit
        return [AccountBalance(a, c, d, cr) for (a, c), (d, cr) in sorted(sums.items())]


class InMemoryInvoiceRuns(_Table):
    async def add(self, run: InvoiceRun) -> None:
        self._put(run.id, run)

    async def get(self, organization_id: str, run_id: str) -> InvoiceRun | None:
        found = self.data.get(run_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, run: InvoiceRun) -> None:
        self._put(run.id, run)

    async def unfinished(self) -> builtins.list[InvoiceRun]:
        return copy.deepcopy(sorted((r for r in self.data.values()
                                     if r.status in (RunStatus.PENDING, RunStatus.RUNNING)), key=lambda r: r.id))

    async def latest_for_period(self, organization_id: str, period_start: date,
                                period_end: date) -> InvoiceRun | None:
        runs = sorted((r for r in self.data.values() if r.organization_id == organization_id
                       and (r.period_start, r.period_end) == (period_start, period_end)), key=lambda r: r.id)
        return copy.deepcopy(runs[-1]) if runs else None
