"""The server runs invoice runs by itself (SQLite and PostgreSQL): one a stop left unfinished carries on when it
starts again, and the previous month is invoiced once its organization's invoice_day has come."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.sql.database import Database
from application.pagination import PageRequest
from application.ports.billing import InvoiceFilter, InvoiceRun, RunStatus
from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.server import Server
from tests.e2e.cli.seeding import CUSTOMERS, seed
from tests.fakes import CapturingMailer, FakeClock
from tests.support.databases import SQL_BACKENDS, run_async
from tests.support.servers import ServerThread, migrated_database
from tests.unit.billing.world import ORG, build, priced_session

WAIT_SECONDS = 120


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from migrated_database(request, tmp_path_factory, "server-runs")


def serve(url: str, now: datetime, tmp_path: Path) -> ServerThread:
    settings = Settings(host="127.0.0.1", http_port=0, database_url=url, mail_dir=str(tmp_path / "mail"),
                        mail_poll_seconds=60)
    container = Application(config=settings.as_config())
    container.core.clock.override(providers.Object(FakeClock(now)))
    container.adapters.mailer.override(providers.Object(CapturingMailer()))
    thread = ServerThread(Server(settings, container, ocpp=False, grpc=False))
    thread.start()
    return thread


async def runs_and_invoices(url: str) -> tuple[list[InvoiceRun], list[tuple[date, int]]]:
    database = Database(url)
    try:
        async with database.unit_of_work(read_only=True) as uow:
            runs, invoices, after = await uow.invoice_runs.unfinished(), [], None
            while True:
                page = await uow.invoices.list(ORG, InvoiceFilter(), PageRequest(limit=100, after=after))
                invoices += [(i.period_start, len(i.sessions)) for i in page.items]
                if page.next_cursor is None:
                    break
                after = page.next_cursor
    finally:
        await database.dispose()
    return runs, invoices


def eventually(url: str, holds) -> tuple[list[InvoiceRun], list[tuple[date, int]]]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = run_async(lambda: runs_and_invoices(url))
        if holds(*found) or time.monotonic() > deadline:
            assert holds(*found), found
            return found
        time.sleep(0.2)


async def stopped_midway(url: str) -> str:
    """A run of January 2026 recorded as running, with nothing done: what a server stopped mid-run leaves."""
    database = Database(url)
    try:
        async with database.unit_of_work() as uow:
            run = InvoiceRun(id="run_01JD0000000000000000000000", organization_id=ORG, period_start=date(2026, 1, 1),
                             period_end=date(2026, 2, 1), finalize=False, created_at=datetime(2026, 2, 1, tzinfo=UTC),
                             status=RunStatus.RUNNING, started_at=datetime(2026, 2, 1, tzinfo=UTC))
            await uow.invoice_runs.add(run)
            await uow.commit()
    finally:
        await database.dispose()
    return run.id


async def a_february_session(url: str) -> None:
    database = Database(url)
    try:
        world = build(storage=database)
        async with world.uow(read_only=True) as uow:
            [driver] = [d for d in (await uow.drivers.list(ORG, PageRequest(limit=1))).items]
        await priced_session(world, driver, datetime(2026, 2, 14, 8, tzinfo=UTC), Decimal(8))
    finally:
        await database.dispose()


def test_a_server_resumes_unfinished_runs_and_invoices_months_as_they_fall_due(database_url, tmp_path):
    run_async(lambda: seed(database_url))
    resumed = run_async(lambda: stopped_midway(database_url))
    # 10 February: January's run (the one left running) carries on; the schedule sees it and starts no other.
    server = serve(database_url, datetime(2026, 2, 10, 9, tzinfo=UTC), tmp_path)
    try:
        _, invoices = eventually(database_url, lambda runs, invoices: not runs and len(invoices) == CUSTOMERS)
    finally:
        server.stop()
    assert {period for period, _ in invoices} == {date(2026, 1, 1)}
    assert sum(sessions for _, sessions in invoices) == 2 * CUSTOMERS
    run_async(lambda: a_february_session(database_url))
    # 1 March (invoice_day 1): February falls due when the server starts.
    server = serve(database_url, datetime(2026, 3, 1, 9, tzinfo=UTC), tmp_path)
    try:
        _, invoices = eventually(database_url, lambda runs, invoices: len(invoices) == CUSTOMERS + 1)
    finally:
        server.stop()
    assert max(invoices) == (date(2026, 2, 1), 1)
    assert run_async(lambda: status_of(database_url, resumed)) == RunStatus.COMPLETED


async def status_of(url: str, run_id: str) -> RunStatus:
    database = Database(url)
    try:
        async with database.unit_of_work(read_only=True) as uow:
            run = await uow.invoice_runs.get(ORG, run_id)
    finally:
        await database.dispose()
    assert run is not None
    return run.status
