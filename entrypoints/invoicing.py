"""``charge invoice run``: the batch invoicer's command-line door, over the same use case as REST and batch jobs.

It invoices one period (``--period YYYY-MM``) of one organization, or of every organization with sessions
to invoice, taking over a run of that period a killed process left unfinished. On a terminal it draws a
progress bar (rich); otherwise it prints one plain line per committed batch, which logs and pipes keep.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import Any, Self, TextIO

from application.invoice_runs import BATCH, organizations_to_invoice, run_period
from application.ports.billing import InvoiceRun, RunStatus
from domain.billing.periods import BillingPeriod
from entrypoints.collector import BATCH_THRESHOLDS, freeze_startup_heap
from entrypoints.config import Settings
from entrypoints.containers import Application

log = logging.getLogger("charge.invoicing")


def add_parser(sub: Any) -> None:
    """``charge invoice run …`` on the command's subparsers."""
    invoice = sub.add_parser("invoice", help="the batch invoicer")
    actions = invoice.add_subparsers(dest="invoice_command", required=True)
    run = actions.add_parser("run", help="invoice a month: one invoice per customer and currency",
                             description="Puts every priced session of the month (and late ones from before) on "
                                         "its customer's invoice of the month. Idempotent: a month run again adds "
                                         "nothing; a run killed midway is taken over by the next one.")
    run.add_argument("--period", required=True, help="the month, as YYYY-MM (in each organization's time zone)")
    run.add_argument("--organization", help="only this organization (org_…); default: every organization with "
                                            "sessions to invoice")
    run.add_argument("--finalize", action="store_true", help="finalize (number and email) the invoices it makes; "
                                                             "default: each organization's auto_finalize_invoices")
    run.add_argument("--batch-size", type=int, default=BATCH, help="customers per transaction "
                                                                   "(default %(default)s)")
    run.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")


class _Lines:
    """Progress as plain lines (not a terminal): one per committed batch."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def reporter(self, organization_id: str, period: BillingPeriod) -> Callable[[InvoiceRun], None]:
        def report(run: InvoiceRun) -> None:
            print(f"charge invoice run: {organization_id} {period.label} {_counts(run)}", file=self._out, flush=True)
        return report


class _Bar:
    """Progress as a rich bar per organization (a terminal)."""

    def __init__(self, out: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("customers · {task.fields[detail]}"), TimeElapsedColumn(),
                                  console=Console(file=out))

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def reporter(self, organization_id: str, period: BillingPeriod) -> Callable[[InvoiceRun], None]:
        task = self._progress.add_task(f"{organization_id} {period.label}", total=None, detail="starting")

        def report(run: InvoiceRun) -> None:
            detail = (f"{run.invoices_created} invoices, {run.sessions_invoiced} sessions"
                      + (f", {run.invoices_finalized} finalized" if run.finalize or run.invoices_finalized else ""))
            self._progress.update(task, total=max(run.customers_total, run.customers_done),
                                  completed=run.customers_done, detail=detail)
        return report


def tune_collector() -> None:
    """Make the garbage collector fit a batch job. A run makes and drops millions of small objects (each batch's
    charges, lines, invoices); with the default thresholds the collector rescans the batch's live objects over
    and over, which took two fifths of a run's time. What is alive now (modules, the container) is moved out of
    its reach, and the youngest generation is collected after 50,000 allocations rather than 700."""
    freeze_startup_heap(BATCH_THRESHOLDS)


def _counts(run: InvoiceRun) -> str:
    return (f"{run.status.value}: {run.customers_done}/{run.customers_total} customers, "
            f"{run.invoices_created} invoices created, {run.invoices_updated} updated, "
            f"{run.invoices_finalized} finalized, {run.sessions_invoiced} sessions")


async def run_command(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """``charge invoice run``: 0 when every run completed, 1 when one failed, 2 for bad arguments."""
    from adapters.sql.migrate import is_up_to_date, upgrade
    from domain.errors import DomainError

    try:
        period = BillingPeriod.month(args.period, "--period")
    except DomainError as error:
        print(f"charge: {error.detail}", file=sys.stderr)
        return 2
    if args.batch_size < 1:
        print("charge: --batch-size must be at least 1", file=sys.stderr)
        return 2
    if settings.database_url.startswith("sqlite"):
        await upgrade(settings.database_url)
    elif not await is_up_to_date(settings.database_url):
        print("charge: the database schema is behind; run `charge migrate` first", file=sys.stderr)
        return 2
    container = Application(config=settings.as_config())
    uow_factory, clock = container.adapters.uow_factory(), container.core.clock()
    tune_collector()
    failed = False
    try:
        # Events a killed run committed but never handled (ledger postings of what it finalized) first.
        while await container.adapters.events().dispatch_pending():
            pass
        organizations = ([args.organization] if args.organization
                         else await organizations_to_invoice(uow_factory=uow_factory))
        with _Bar(out) if out.isatty() else _Lines(out) as display:
            for organization_id in organizations:
                try:
                    run = await run_period(organization_id, period, uow_factory=uow_factory, clock=clock,
                                           finalize=args.finalize, batch=args.batch_size,
                                           progress=display.reporter(organization_id, period))
                except DomainError as error:     # an organization that does not exist
                    print(f"charge: {error.detail}", file=sys.stderr)
                    return 2
                except Exception as error:  # recorded on the run; the other organizations go on
                    log.exception("an invoice run failed", extra={"organization_id": organization_id})
                    print(f"charge: invoicing {organization_id} failed: {error}", file=sys.stderr)
                    failed = True
                    continue
                failed = failed or run.status is not RunStatus.COMPLETED
        if not organizations:
            print(f"charge invoice run: {period.label}: no organization has sessions to invoice", file=out)
    finally:
        await container.adapters.feed_sequencer().close()   # events numbered for live streams, if under way
        await container.adapters.database().dispose()
    return 1 if failed else 0
