"""The batch-job example of docs/billing.md, run as its reader would run it: it invoices a month, and a second
run adds nothing. The page shows the example as it is in docs/examples/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.sql.migrate import upgrade
from tests.e2e.cli.seeding import CUSTOMERS, seed
from tests.support.databases import run_async
from tests.unit.billing.world import ORG

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "invoice_a_month.py"


def test_the_page_shows_the_example_as_it_is():
    page = (ROOT / "docs" / "billing.md").read_text()
    code = EXAMPLE.read_text()
    assert code[code.index("import asyncio"):] in page


def test_the_example_invoices_a_month_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'charge.db'}"
    run_async(lambda: upgrade(url))
    run_async(lambda: seed(url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")} | {"CHARGE_LOG_LEVEL": "WARNING"}

    def run() -> str:
        done = subprocess.run([sys.executable, str(EXAMPLE), url, ORG, "2026-01"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == f"completed: {CUSTOMERS} invoices created, 0 updated, {2 * CUSTOMERS} sessions invoiced"
    assert run() == "completed: 0 invoices created, 0 updated, 0 sessions invoiced"
