"""The batch invoicer: one use case behind three doors (``charge invoice run``, ``POST /api/v1/invoice-runs``,
and ``run_period`` for batch jobs that import the application layer).

A run walks the customers with priced sessions on no invoice, in batches (``BATCH`` customers per
transaction), in a fixed order: per customer and currency, the sessions started before the period's
end (local midnight in the organization's time zone) go on the customer's invoice of the period,
created as a draft, or grown while it is still one. A customer whose invoice of the period is
finalized already keeps its late sessions for its next invoice. Each batch commits on its own, so a
run killed at any point has committed whole batches only, and the next run picks up the rest: runs
are idempotent (a session is on one invoice ever, an invoice is one per customer, period and
currency) and resumable, and memory holds two batches at a time (the next one is read while one is
written).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.customers import customer_of_driver
from application.invoices import finalize_in, local_date
from application.pagination import MAX_LIMIT, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.billing import InvoiceRun, RunStatus
from domain.billing.fees import plan_fee, whole_months
from domain.billing.invoices import Charge, Invoice, InvoiceKind, InvoiceStatus
from domain.billing.periods import BillingPeriod
from domain.errors import DomainError, NotFound
from domain.identity import Organization
from domain.ids import PREFIXES, new_id
from domain.pricing import MembershipPlan

log = logging.getLogger("charge.invoicing")

BATCH = 200                        # customers per transaction
RETRY_FAILED = timedelta(hours=1)  # a scheduled run that failed is tried again after this
Progress = Callable[[InvoiceRun], None]


async def start_invoice_run(period: BillingPeriod, actor: Actor, organization_id: str, *,
                            uow_factory: UnitOfWorkFactory, clock: Clock, finalize: bool = False) -> InvoiceRun:
    """Record a run of the period (``pending``); the caller runs it (``run_invoices``), now or in the background."""
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        run = await _new_run(uow, organization_id, period, finalize, clock)
        await uow.commit()
    return run


async def _new_run(uow: UnitOfWork, organization_id: str, period: BillingPeriod, finalize: bool,
                   clock: Clock) -> InvoiceRun:
    run = InvoiceRun(id=new_id(PREFIXES["invoice_run"]), organization_id=organization_id,
                     period_start=period.start, period_end=period.end, finalize=finalize, created_at=clock.now())
    await uow.invoice_runs.add(run)
    return run


async def get_invoice_run(run_id: str, actor: Actor, organization_id: str, *,
                          uow_factory: UnitOfWorkFactory) -> InvoiceRun:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        run = await uow.invoice_runs.get(organization_id, run_id)
    if run is None:
        raise NotFound("invoice run", run_id)
    return run


async def run_period(organization_id: str, period: BillingPeriod, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                     finalize: bool = False, progress: Progress | None = None, batch: int = BATCH) -> InvoiceRun:
    """Invoice a period of one organization, as a batch job: takes over a run of the period left unfinished
    (a killed process), or records a new one, and runs it to the end."""
    async with uow_factory() as uow:
        if await uow.organizations.get(organization_id) is None:
            raise NotFound("organization", organization_id)
        run = await uow.invoice_runs.latest_for_period(organization_id, period.start, period.end)
        if run is None or run.status not in (RunStatus.PENDING, RunStatus.RUNNING):
            run = await _new_run(uow, organization_id, period, finalize, clock)
        elif finalize and not run.finalize:
            run.finalize = True
            await uow.invoice_runs.save(run)
        await uow.commit()
    return await run_invoices(run.id, organization_id, uow_factory=uow_factory, clock=clock, progress=progress,
                              batch=batch)


async def run_invoices(run_id: str, organization_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                       progress: Progress | None = None, batch: int = BATCH) -> InvoiceRun:
    """Run (or resume) a recorded run to the end; a failure is recorded on the run, and raised."""
    async with uow_factory() as uow:
        run = await uow.invoice_runs.get(organization_id, run_id)
        organization = await uow.organizations.get(organization_id)
        if run is None or organization is None:
            raise NotFound("invoice run", run_id)
        period = BillingPeriod(run.period_start, run.period_end)
        _, before = period.bounds(ZoneInfo(organization.settings.timezone))
        run.status, run.started_at, run.error = RunStatus.RUNNING, run.started_at or clock.now(), None
        await uow.invoice_runs.save(run)
        await uow.commit()
    reading: asyncio.Task[_Batch | None] | None = None
    try:
        await _charge_plan_fees(uow_factory, organization, period, clock)
        async with uow_factory() as uow:
            run.customers_total = run.customers_done + await _count_pending(uow, organization_id, before)
            await uow.invoice_runs.save(run)
            await uow.commit()
        if progress:
            progress(run)
        # The next batch is read while this one is written: the database writes, this process reads.
        reading = _read_next(uow_factory, organization_id, period, before, None, batch)
        while (next_batch := await reading) is not None:
            reading = _read_next(uow_factory, organization_id, period, before, next_batch.keys[-1], batch)
            async with uow_factory() as uow:
                await _invoice_batch(uow, run, organization, period, next_batch, clock)
                await uow.invoice_runs.save(run)
                await uow.commit()
            if progress:
                progress(run)
    except Exception as error:
        await _finish(uow_factory, run, clock, RunStatus.FAILED, f"{type(error).__name__}: {error}"[:500])
        raise
    finally:   # failed, or cancelled (a stopping server: the run carries on at its next start)
        if reading is not None and not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading
    await _finish(uow_factory, run, clock, RunStatus.COMPLETED, None)
    if progress:
        progress(run)
    return run


async def _charge_plan_fees(uow_factory: UnitOfWorkFactory, organization: Organization, period: BillingPeriod,
                            clock: Clock) -> None:
    """The charges of the membership fees due in the period's whole months, each made once (a page of
    subscriptions per transaction); they then wait for their invoices as sessions do."""
    months = whole_months(period)
    if not months:
        return
    zone = ZoneInfo(organization.settings.timezone)
    begins, ends = BillingPeriod(months[0].start, months[-1].end).bounds(zone)
    plans: dict[str, MembershipPlan | None] = {}
    after: str | None = None
    while True:
        async with uow_factory() as uow:
            page = await uow.subscriptions.list(organization.id, PageRequest(limit=MAX_LIMIT, after=after))
            for subscription in page.items:
                if subscription.starts_at >= ends or (subscription.ends_at is not None
                                                      and subscription.ends_at <= begins):
                    continue
                if subscription.plan_id not in plans:
                    plans[subscription.plan_id] = await uow.plans.get(organization.id, subscription.plan_id)
                plan = plans[subscription.plan_id]
                driver = await uow.drivers.get(organization.id, subscription.driver_id)
                if plan is None or driver is None:
                    continue
                customer = await customer_of_driver(uow, organization, driver, clock)
                for month in months:
                    fee = plan_fee(subscription, plan, customer_id=customer.id, month=month, zone=zone,
                                   vat=organization.settings.billing.fee_vat)
                    if fee is not None:
                        await uow.charges.add(fee)
            await uow.commit()
        if page.next_cursor is None:
            return
        after = page.next_cursor


async def _finish(uow_factory: UnitOfWorkFactory, run: InvoiceRun, clock: Clock, status: RunStatus,
                  error: str | None) -> None:
    async with uow_factory() as uow:
        stored = await uow.invoice_runs.get(run.organization_id, run.id)
        if stored is None or (status is RunStatus.FAILED and stored.status is RunStatus.COMPLETED):
            return   # another process ran it to the end meanwhile (this one met its invoices as a Conflict)
        run.status, run.error, run.finished_at = status, error, clock.now()
        await uow.invoice_runs.save(run)
        await uow.commit()


async def _count_pending(uow: UnitOfWork, organization_id: str, before: datetime) -> int:
    count, after = 0, None
    while True:
        keys = await uow.charges.pending_customers(organization_id, before, after, 10_000)
        if not keys:
            return count
        count, after = count + len(keys), keys[-1]


@frozen
class _Batch:
    """The next customers of a run, and their charges waiting for an invoice (as read, before the write)."""

    keys: list[tuple[str, str]]
    charges: list[Charge]


def _read_next(uow_factory: UnitOfWorkFactory, organization_id: str, period: BillingPeriod, before: datetime,
               after: tuple[str, str] | None, batch: int) -> asyncio.Task[_Batch | None]:
    async def read() -> _Batch | None:
        async with uow_factory(read_only=True) as uow:
            keys = await uow.charges.pending_customers(organization_id, before, after, batch)
            return _Batch(keys, await uow.charges.pending(organization_id, keys, before)) if keys else None
    return asyncio.get_running_loop().create_task(read())


async def _invoice_batch(uow: UnitOfWork, run: InvoiceRun, organization: Organization, period: BillingPeriod,
                         batch: _Batch, clock: Clock) -> None:
    """Put the batch's charges on their customers' invoices of the period. They were read before this unit of
    work began: a charge another run put on an invoice since makes its invoice's write a Conflict (this run
    fails, and the next run takes over), one booked since waits for the next run."""
    now = clock.now()
    keys, charges = batch.keys, batch.charges
    existing = await uow.invoices.for_period(organization.id, keys, period.start, period.end)
    fresh: list[Invoice] = []
    grown: list[Invoice] = []
    for (customer_id, currency), group in groupby(charges, key=lambda c: (c.customer_id, c.currency)):
        assert customer_id is not None   # pending charges have a customer
        billed = list(group)
        invoice = existing.get((customer_id, currency))
        if invoice is not None and invoice.status is not InvoiceStatus.DRAFT:
            continue   # its invoice of the period is issued: these late charges wait for the next one
        if invoice is None:
            invoice = Invoice(id=new_id(PREFIXES["invoice"]), organization_id=organization.id,
                              customer_id=customer_id, kind=InvoiceKind.INVOICE, currency=currency,
                              period_start=period.start, period_end=period.end, created_at=now)
            fresh.append(invoice)
        else:
            grown.append(invoice)
        invoice.add_charges(billed)
        run.sessions_invoiced += sum(1 for c in billed if c.session is not None)
    await uow.invoices.add_many(fresh)
    for invoice in grown:
        await uow.invoices.save(invoice, new_lines=True)
    run.invoices_created += len(fresh)
    run.invoices_updated += len(grown)
    if run.finalize or organization.settings.billing.auto_finalize_invoices:
        for invoice in fresh + grown:
            if await _finalize(uow, invoice, organization, now):
                run.invoices_finalized += 1
    run.customers_done += len(keys)


async def _finalize(uow: UnitOfWork, invoice: Invoice, organization: Organization, now: datetime) -> bool:
    """Finalize a draft the run made or grew; one it cannot (seller details missing…) stays a draft."""
    customer = await uow.customers.get(organization.id, invoice.customer_id)
    try:
        if customer is None:
            raise NotFound("customer", invoice.customer_id)
        await finalize_in(uow, invoice, organization, customer, now)
    except DomainError as error:
        log.warning("a run could not finalize an invoice", extra={"invoice_id": invoice.id, "reason": error.detail})
        return False
    await uow.invoices.save(invoice)
    return True


async def unfinished_invoice_runs(*, uow_factory: UnitOfWorkFactory) -> list[InvoiceRun]:
    """Runs left pending or running (a stopped or killed server's): a server resumes them when it starts."""
    async with uow_factory(read_only=True) as uow:
        return await uow.invoice_runs.unfinished()


async def due_invoice_runs(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> list[InvoiceRun]:
    """Record the runs that organizations' ``invoice_day`` makes due: from that day of the month on (local),
    the previous month is invoiced, once; a run of it that failed is tried again after ``RETRY_FAILED``. The
    caller runs what this returns. Organizations with sessions waiting for an invoice are the ones looked at."""
    now, due = clock.now(), []
    for organization_id in await organizations_to_invoice(uow_factory=uow_factory):
        async with uow_factory() as uow:
            organization = await uow.organizations.get(organization_id)
            if organization is None:
                continue
            today = local_date(now, organization)
            if today.day < organization.settings.billing.invoice_day:
                continue
            period = previous_month(today)
            latest = await uow.invoice_runs.latest_for_period(organization_id, period.start, period.end)
            if latest is not None and not (latest.status is RunStatus.FAILED and latest.finished_at is not None
                                           and latest.finished_at <= now - RETRY_FAILED):
                continue
            run = await _new_run(uow, organization_id, period, False, clock)
            await uow.commit()
        log.info("an invoice run is due", extra={"organization_id": organization_id, "period": period.label,
                                                  "run_id": run.id})
        due.append(run)
    return due


async def organizations_to_invoice(*, uow_factory: UnitOfWorkFactory) -> list[str]:
    """The organizations a run of some period may have work in: those with sessions on no invoice yet."""
    async with uow_factory(read_only=True) as uow:
        return await uow.charges.organizations_pending()


def previous_month(today: date) -> BillingPeriod:
    """The calendar month before the one ``today`` is in."""
    return BillingPeriod.containing(today).previous()
