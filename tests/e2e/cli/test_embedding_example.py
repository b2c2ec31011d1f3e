"""The embedding example of docs/embedding.md, run as its reader would run it, on SQLite and PostgreSQL: it
imports OCPI tariffs (again: nothing changes; a bad file: nothing is written) and exports a month's revenue per
location as CSV, which agrees with the sessions the database holds."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.sql.database import Database
from application.pagination import PageRequest
from application.ports.network import SessionFilter
from application.session_facts import rebuild_session_facts
from application.tariffs import list_tariffs
from entrypoints.library import Charge, InvalidInput, NotFound, SchemaBehind, open_charge
from tests.e2e.cli.seeding import seed
from tests.support.databases import run_async
from tests.unit.billing.world import ORG

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "monthly_batch.py"
# The seeded sessions ran in January and were priced, so booked, on the seeding clock's day: revenue is the books'.
MONTH = "2026-04"


def ocpi(tariff_id: str, price: float) -> dict:
    return {"country_code": "GB", "party_id": "VOL", "id": tariff_id, "currency": "GBP",
            "last_updated": "2026-11-30T12:00:00Z",
            "elements": [{"price_components": [{"type": "ENERGY", "price": price, "step_size": 1}]}]}


async def seed_with_facts(url: str) -> None:
    """The seeded sessions are stored priced, without the completion whose handler writes a report's facts:
    write them as `charge report rebuild` would, so revenue lands on its location."""
    await seed(url)
    database = Database(url)
    try:
        assert await rebuild_session_facts(ORG, uow_factory=database.unit_of_work) > 0
    finally:
        await database.dispose()


def run(url: str, tariffs: Path, output: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")} | {"CHARGE_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, str(EXAMPLE), url, ORG, MONTH, str(tariffs), str(output)],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


async def _stored(url: str) -> tuple[list[tuple[str, list[Decimal]]], Decimal]:
    """The tariffs stored (OCPI id, the price of each version), and the sessions' revenue before VAT."""
    database = Database(url)
    try:
        actor = Charge.acting_in(ORG)
        page = await list_tariffs(actor, ORG, PageRequest(limit=100), uow_factory=database.unit_of_work)
        tariffs = sorted((str(r.current.tariff.id),
                          [v.tariff.elements[0].price_components[0].price for v in r.versions]) for r in page.items)
        async with database.unit_of_work(read_only=True) as uow:
            sessions = await uow.sessions.list(ORG, SessionFilter(), PageRequest(limit=100))
            revenue = Decimal(0)
            while True:
                revenue += sum((s.cost.total_excl_vat for s in sessions.items if s.cost is not None), Decimal(0))
                if sessions.next_cursor is None:
                    break
                sessions = await uow.sessions.list(ORG, SessionFilter(),
                                                  PageRequest(limit=100, after=sessions.next_cursor))
    finally:
        await database.dispose()
    return tariffs, revenue


def test_the_page_shows_the_example_as_it_is():
    page = (ROOT / "docs" / "embedding.md").read_text()
    code = EXAMPLE.read_text()
    assert code[code.index("import asyncio"):] in page


def test_the_example_imports_tariffs_once_and_exports_the_months_revenue(database_url: str, tmp_path: Path):
    run_async(lambda: seed_with_facts(database_url))
    tariffs = tmp_path / "tariffs"
    tariffs.mkdir()
    (tariffs / "day.json").write_text(json.dumps(ocpi("DAY", 0.3)))
    (tariffs / "more.json").write_text(json.dumps([ocpi("NIGHT", 0.19), ocpi("WEEKEND", 0.25)]))
    output = tmp_path / "revenue.csv"

    done = run(database_url, tariffs, output, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["tariffs: 3 created, 0 revised, 0 unchanged",
                                        f"{output}: 2 locations, GBP"]
    rows = {row["location_name"]: row for row in csv.DictReader(io.StringIO(output.read_text()))}
    _, revenue = run_async(lambda: _stored(database_url))
    assert revenue > 0
    assert Decimal(rows["Harbour Depot"]["total_excl_vat"]) == revenue   # charging revenue, per its location
    assert Decimal(rows["No location (fees, credit notes, refunds)"]["total_excl_vat"]) == 0

    (tariffs / "day.json").write_text(json.dumps(ocpi("DAY", 0.32)))
    again = run(database_url, tariffs, output, tmp_path)
    assert again.stdout.splitlines()[0] == "tariffs: 0 created, 1 revised, 2 unchanged"
    stored, _ = run_async(lambda: _stored(database_url))
    assert stored == [("DAY", [Decimal("0.3"), Decimal("0.32")]), ("NIGHT", [Decimal("0.19")]),
                      ("WEEKEND", [Decimal("0.25")])]

    (tariffs / "broken.json").write_text(json.dumps({"id": "BROKEN", "currency": "GBP", "elements": []}))
    output.unlink()
    refused = run(database_url, tariffs, output, tmp_path)
    assert refused.returncode == 1
    assert "refused: documents[0]." in refused.stderr    # broken.json sorts first
    assert not output.exists()
    assert run_async(lambda: _stored(database_url))[0] == stored


def test_a_database_behind_the_release_is_refused_until_migrated(empty_database_url: str):
    async def attempt() -> None:
        with pytest.raises(SchemaBehind):
            async with open_charge(empty_database_url):
                pass
        async with open_charge(empty_database_url, migrate=True) as charge:
            with pytest.raises(NotFound):
                await charge.report("org_01JAAAAAAAAAAAAAAAAAAAAAAA", "revenue")
            with pytest.raises(InvalidInput) as refused:
                await charge.report("org_01JAAAAAAAAAAAAAAAAAAAAAAA", "takings")
            assert [e.field for e in refused.value.errors] == ["name"]
        async with open_charge(empty_database_url):   # now up to date
            pass

    run_async(attempt)
