"""`charge invoice run` as an operator runs it: a real process over a real database (SQLite and PostgreSQL).

A run killed with SIGKILL in the middle, then run again, must leave exactly the invoices (numbers included)
and the books that one clean run leaves on a copy of the same database.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.sql.database import Database
from adapters.sql.migrate import upgrade
from application.pagination import PageRequest
from application.ports.billing import InvoiceFilter
from tests.e2e.cli.seeding import CUSTOMERS, seed
from tests.support.databases import SQL_BACKENDS, PostgresServer, run_async
from tests.unit.billing.world import ORG

CHARGE = [sys.executable, "-m", "entrypoints.cli"]
BATCH = 4                   # customers per transaction: 15 batches, so a kill lands in the middle


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env["CHARGE_LOG_LEVEL"] = "WARNING"
    return env


def invoice_run(url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(CHARGE + ["invoice", "run", "--period", "2026-01", "--finalize", "--batch-size",
                                      str(BATCH), "--database-url", url, *extra],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def books(url: str) -> dict[str, Any]:
    """The invoices (by customer: number, status, sessions, total) and the trial balance."""
    database = Database(url)
    try:
        async with database.unit_of_work(read_only=True) as uow:
            invoices, cursor = [], None
            while True:
                page = await uow.invoices.list(ORG, InvoiceFilter(), PageRequest(limit=100, after=cursor))
                invoices += page.items
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            balance = await uow.ledger.trial_balance(ORG, None)
        async with database.engine.connect() as connection:
            pending = (await connection.execute(text(
                "SELECT count(*) FROM domain_events WHERE handled_at IS NULL"))).scalar_one()
    finally:
        await database.dispose()
    return {"invoices": sorted((i.customer_id, i.number, i.status.value,
                                tuple(sorted(s.session_id for s in i.sessions)), i.total) for i in invoices),
            "balance": [(r.account, r.currency, r.debits, r.credits) for r in balance.accounts],
            "pending_events": pending}


@pytest.fixture(params=SQL_BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two copies of one seeded database: (the one a run is killed on, the one a clean run gets)."""
    if request.param == "sqlite":
        killed, clean = tmp_path / "killed.db", tmp_path / "clean.db"
        run_async(lambda: upgrade(f"sqlite:///{killed}"))
        run_async(lambda: seed(f"sqlite:///{killed}"))
        shutil.copyfile(killed, clean)
        yield f"sqlite:///{killed}", f"sqlite:///{clean}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    first = run_async(server.create_database)
    second = f"{first}_clean"
    try:
        run_async(lambda: upgrade(server.url_for(first)))
        run_async(lambda: seed(server.url_for(first)))
        run_async(lambda: server._admin(f'CREATE DATABASE "{second}" TEMPLATE "{first}"'))
        yield server.url_for(first), server.url_for(second)
    finally:
        run_async(lambda: server.drop_database(second))
        run_async(lambda: server.drop_database(first))


def test_a_run_killed_midway_then_run_again_gives_the_clean_runs_invoices(seeded: tuple[str, str]):
    killed_url, clean_url = seeded
    clean = invoice_run(clean_url)
    out, err = clean.communicate(timeout=300)
    assert clean.returncode == 0, err
    assert f"completed: {CUSTOMERS}/{CUSTOMERS} customers, {CUSTOMERS} invoices created" in out.splitlines()[-1]

    victim = invoice_run(killed_url)
    assert victim.stdout is not None
    lines = [victim.stdout.readline() for _ in range(3)]     # started, then two batches committed
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL, lines
    assert all(line.startswith("charge invoice run: ") for line in lines), lines
    halfway = run_async(lambda: books(killed_url))
    assert 0 < len(halfway["invoices"]) < CUSTOMERS, "the kill did not land in the middle of the run"

    again = invoice_run(killed_url)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "Traceback" not in err
    assert f"completed: {CUSTOMERS}/{CUSTOMERS} customers" in out.splitlines()[-1]

    resumed, expected = run_async(lambda: books(killed_url)), run_async(lambda: books(clean_url))
    assert resumed == expected
    assert len(expected["invoices"]) == CUSTOMERS and expected["pending_events"] == 0
    assert [number for _, number, *_ in sorted(expected["invoices"], key=lambda i: i[1])] == [
        f"INV-{n:06d}" for n in range(1, CUSTOMERS + 1)]
    assert {status for _, _, status, *_ in expected["invoices"]} == {"open"}

    # Once more: nothing to add.
    noop = invoice_run(killed_url)
    out, err = noop.communicate(timeout=300)
    assert noop.returncode == 0, err
    assert run_async(lambda: books(killed_url)) == expected


def test_on_a_terminal_it_draws_a_progress_bar(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'charge.db'}"
    run_async(lambda: upgrade(url))
    run_async(lambda: seed(url))
    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(CHARGE + ["invoice", "run", "--period", "2026-01", "--organization", ORG,
                                          "--database-url", url],
                                env=_env() | {"COLUMNS": "160", "TERM": "xterm"}, stdout=secondary,
                                stderr=subprocess.PIPE, text=True)
        os.close(secondary)
        chunks = []
        while True:              # read as it draws (a full terminal buffer would stall it)
            try:
                chunk = os.read(primary, 65536)
            except OSError:      # the terminal's other end is closed: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        _, err = proc.communicate(timeout=300)
    finally:
        os.close(primary)
    screen = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0, err
    assert f"{ORG} 2026-01" in screen and f"{CUSTOMERS}/{CUSTOMERS}" in screen
    assert f"{CUSTOMERS} invoices, {2 * CUSTOMERS} sessions" in screen
    assert "charge invoice run:" not in screen          # no plain lines on a terminal
