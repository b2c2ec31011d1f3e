"""The batch invoicer: a month of completed, priced sessions invoiced by one run on PostgreSQL.

Each size is seeded straight into a fresh database with COPY (an organization, its customers, and a
priced session's charge per session: two lines each, energy and a session fee, at 20 % VAT, spread over
the month), then invoiced by `charge invoice run --period 2026-01 --organization …` (drafts, batches of
200 customers), a process of its own: the run's wall time is the one it records (its start to its end,
the process's start-up aside), the memory the process's peak resident set. Seeding is not timed.
Goal: 1,000,000 sessions for 10,000 customers in at most 60 s with a peak RSS under 500 MB, the cost per
session flat from 100k to 1M.
``BENCH_INVOICING_SIZES`` (``sessions:customers,…``) overrides the sizes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from adapters.sql.database import Database
from adapters.sql.migrate import upgrade
from adapters.sql.repositories.billing import charge_rows
from domain.billing.charges import Charge
from domain.billing.invoices import InvoiceLine, InvoiceSession, LineKind
from domain.billing.periods import BillingPeriod
from domain.billing.vat import VatTreatment
from domain.ids import PREFIXES, new_id, ulid
from tests.integration.sql.builders import an_organization
from tests.support.databases import DEFAULT_POSTGRES_URL, POSTGRES_ENV, PostgresServer

TITLE = "Batch invoicer"
PERIOD = BillingPeriod.month("2026-01")
SIZES = [(100_000, 1_000), (1_000_000, 10_000)]
GOAL_SECONDS, GOAL_RSS_MB = 60, 500
CHUNK = 50_000
VAT = VatTreatment.standard(Decimal(20))


def _sizes() -> list[tuple[int, int]]:
    raw = os.environ.get("BENCH_INVOICING_SIZES")
    if not raw:
        return SIZES
    return [(int(s), int(c)) for s, c in (part.split(":") for part in raw.split(","))]


def _charge(organization_id: str, customer_id: str, n: int, started: datetime) -> Charge:
    session_id = f"{PREFIXES['session']}_{ulid(int(started.timestamp() * 1000))}"
    kwh = Decimal(5 + n % 40) + Decimal("0.125")
    energy = (kwh * Decimal("0.30")).quantize(Decimal("0.01"))
    day = started.date()
    lines = (InvoiceLine(LineKind.ENERGY, f"Energy ({day})", kwh, "kWh", Decimal("0.30"), energy, VAT, session_id, day),
             InvoiceLine(LineKind.FLAT, f"Session fee ({day})", Decimal(1), "flat", Decimal("0.50"), Decimal("0.50"),
                         VAT, session_id, day))
    session = InvoiceSession(session_id, started, started + timedelta(minutes=45), "Harbour Depot", "CP-BENCH-1", kwh,
                             energy + Decimal("0.50"))
    return Charge(id=session_id, organization_id=organization_id, customer_id=customer_id, currency="GBP",
                  started_at=started, lines=lines, session=session)


async def seed(url: str, sessions: int, customers: int) -> str:
    """The organization, its customers and one charge per session (no invoice yet): the organization's id."""
    organization = an_organization()
    database = Database(url)
    try:
        async with database.unit_of_work() as uow:
            await uow.organizations.add(organization)
            await uow.commit()
    finally:
        await database.dispose()
    connection = await asyncpg.connect(url)
    try:
        now = datetime.now(UTC)
        customer_ids = [new_id(PREFIXES["customer"]) for _ in range(customers)]
        await connection.copy_records_to_table(
            "customers", columns=["id", "organization_id", "name", "email", "invoice_delivery", "created_at"],
            records=[(c, organization.id, f"Customer {i}", f"c{i}@example.com", "email", now)
                     for i, c in enumerate(customer_ids)])
        start, seconds = datetime(2026, 1, 1, tzinfo=UTC), 30 * 86400   # inside the month in Berlin too
        columns = ["id", "organization_id", "customer_id", "currency", "started_at", "net_amount", "invoice_id"]
        for first in range(0, sessions, CHUNK):
            rows, details = [], []
            for n in range(first, min(first + CHUNK, sessions)):
                started = start + timedelta(seconds=(n * 7919) % seconds)
                row, detail = charge_rows(_charge(organization.id, customer_ids[n % customers], n, started))
                rows.append(tuple(row[c] for c in columns))
                details.append((detail["charge_id"], json.dumps(detail["lines"]), json.dumps(detail["session"])))
            await connection.copy_records_to_table("charges", columns=columns, records=rows)
            await connection.copy_records_to_table("charge_details", columns=["charge_id", "lines", "session"],
                                                   records=details)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return organization.id


async def _run_times(url: str, organization_id: str) -> dict[str, Any]:
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow("SELECT status, counts, started_at, finished_at FROM invoice_runs "
                                        "WHERE organization_id = $1 ORDER BY id DESC LIMIT 1", organization_id)
    finally:
        await connection.close()
    counts = json.loads(row["counts"])
    return {"status": row["status"], "seconds": (row["finished_at"] - row["started_at"]).total_seconds(),
            "invoices": counts["invoices_created"], "sessions": counts["sessions_invoiced"]}


def _charge_invoice_run(url: str, organization_id: str) -> dict[str, Any]:
    """``charge invoice run`` as an operator runs it, in a process of its own: the run's wall time as the run
    records it (from its start to its end, the process's start-up aside), and the process's peak RSS."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "entrypoints.cli", "invoice", "run", "--period", PERIOD.label,
                                 "--organization", organization_id, "--database-url", url], stdout=out,
                                stderr=subprocess.STDOUT, env=os.environ | {"CHARGE_LOG_LEVEL": "WARNING"})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"charge invoice run failed: {out.read()[-2000:]}")
    return asyncio.run(_run_times(url, organization_id)) | {"rss_mb": usage.ru_maxrss / 1024}


def run() -> list[dict[str, object]]:
    server = PostgresServer(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES_URL))
    rows: list[dict[str, object]] = []
    for sessions, customers in _sizes():
        name = asyncio.run(server.create_database())
        url = server.url_for(name)
        try:
            asyncio.run(upgrade(url))
            began = time.perf_counter()
            organization_id = asyncio.run(seed(url, sessions, customers))
            seeded = time.perf_counter() - began
            result = _charge_invoice_run(url, organization_id)
        finally:
            asyncio.run(server.drop_database(name))
        assert result["status"] == "completed" and result["sessions"] == sessions, result
        rows.append({"sessions": f"{sessions:,}", "customers": f"{customers:,}", "invoices": f"{result['invoices']:,}",
                     "run s": f"{result['seconds']:.1f}", "sessions/s": f"{sessions / result['seconds']:,.0f}",
                     "µs/session": f"{result['seconds'] / sessions * 1e6:.1f}",
                     "peak RSS MB": f"{result['rss_mb']:.0f}", "seed s (untimed)": f"{seeded:.0f}"})
    return rows


def notes(rows: list[dict[str, object]]) -> str:
    out = []
    for row in rows:
        seconds, rss = float(str(row["run s"])), float(str(row["peak RSS MB"]))
        if row["sessions"] == "1,000,000":
            met = seconds <= GOAL_SECONDS and rss < GOAL_RSS_MB
            out.append(f"Goal (1M sessions ≤ {GOAL_SECONDS} s, peak RSS < {GOAL_RSS_MB} MB): "
                       f"{'met' if met else 'missed'} ({seconds:.1f} s, {rss:.0f} MB).")
    out.append("")
    out.append(WHY)
    return "\n".join(out)


WHY = """**Where the time goes.** Memory is flat: a run holds two batches of 200 customers (the next is read
while one is written), whatever the month's size. Per batch of 20,000 sessions at 1M, PostgreSQL spends
about 0.25 s reading the waiting charges with their lines (an index scan of the waiting charges, then
each charge's details by primary key) and 0.3 s setting their invoice (one `UPDATE … FROM unnest(…)`,
13 µs a row: the row and two index entries); this process spends about 30 µs of CPU a session decoding
lines (msgspec), building the invoices and their VAT breakdowns, and is the critical path: reading and
writing overlap, the parse giving the write a turn every 1,000 rows. The cost per session rises from
100k to 1M as the charges' details (≈450 MB) outgrow PostgreSQL's default 128 MB of shared buffers. The
machine is shared with other work (load above): figures vary by ±20 % between runs.

**What made it fast** (from 470 µs a session): a charge is narrow and keeps the invoice it went on (its
lines, written once, are in `charge_details`), so invoicing a session is one narrow row update instead of
copying its lines onto the invoice; a batch's updates are one statement, found through the index of
waiting charges; lines are decoded by msgspec from the rows' tuples, with their VAT treatments and dates
shared; an invoice computes its VAT breakdown once; the next batch is read while one is written;
`charge invoice run` tunes the garbage collector for a batch job (two fifths of the CPU time went to
rescanning each batch's live objects)."""
