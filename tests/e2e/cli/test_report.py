"""`charge report NAME` as a batch job runs it: a real process over a real database (SQLite and PostgreSQL), on
the same use case as REST: the same figures, as CSV, JSON or an SVG chart, to standard output or a file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from adapters.sql.database import Database
from application.reports import ReportName, ReportRequest
from entrypoints.report_formats import report_csv, report_json
from tests.unit.reports.world import build, completed_session, fleet, organization

CHARGE = [sys.executable, "-m", "entrypoints.cli", "report"]


def charge_report(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")} | {"CHARGE_LOG_LEVEL": "WARNING"}
    return subprocess.run([*CHARGE, *args, "--database-url", url], env=env, capture_output=True, text=True,
                          timeout=120)


async def test_a_report_from_the_command_line_is_the_use_cases(database_url: str, tmp_path: Path):
    database = Database(database_url)
    try:
        world = build(database)
        org = await organization(world, zones=("Europe/Berlin", "America/New_York"))
        acme = await fleet(world, org, "Acme", vehicles=2)
        for day in range(1, 6):
            start = datetime(2026, 6, day, 6, 30, tzinfo=UTC)
            who = {"driver_id": acme.drivers[0].id, "fleet_id": acme.id,
                   "vehicle_id": acme.vehicles[day % 2].id} if day > 2 else {}
            await completed_session(world, org, org.charge_points[day % 2], 1, start, start + timedelta(hours=day),
                                    Decimal(4000 * day), **who)
        expected = {name: await world.report(org.actor, org.id, name, ReportRequest(date(2026, 6, 1),
                                                                                    date(2026, 7, 1)))
                    for name in ReportName}
        by_vehicle = await world.report(org.actor, org.id, ReportName.FLEET_COSTS, ReportRequest(
            date(2026, 6, 1), date(2026, 7, 1), "vehicle", fleet_id=acme.id))
    finally:
        await database.dispose()
    window = ["--organization", org.id, "--from", "2026-06-01", "--to", "2026-07-01"]
    # Each process costs seconds to start: CSV of two reports, JSON of two others, an SVG to a file.
    for name in (ReportName.USAGE, ReportName.REVENUE, ReportName.FLEET_COSTS):
        done = charge_report(database_url, name.value, *window)
        assert done.returncode == 0, done.stderr
        assert list(csv.reader(io.StringIO(done.stdout))) == list(csv.reader(io.StringIO(report_csv(expected[name]))))
    for name in (ReportName.LOCATIONS, ReportName.UTILIZATION):
        as_json = charge_report(database_url, name.value, *window, "--format", "json")
        assert json.loads(as_json.stdout) == json.loads(json.dumps(report_json(expected[name])))
    chart = tmp_path / "peak.svg"
    drawn = charge_report(database_url, "peak-hours", *window, "--format", "svg", "--output", str(chart))
    assert drawn.returncode == 0 and drawn.stdout == "", drawn.stderr
    assert ET.parse(chart).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert [r["sessions"] for r in expected[ReportName.FLEET_COSTS].rows] == [3]
    vehicles = charge_report(database_url, "fleet-costs", *window, "--group-by", "vehicle", "--fleet", acme.id,
                             "--format", "csv")
    assert vehicles.returncode == 0, vehicles.stderr
    assert list(csv.reader(io.StringIO(vehicles.stdout))) == list(csv.reader(io.StringIO(report_csv(by_vehicle))))
    assert len(by_vehicle.rows) == 2
    refused = charge_report(database_url, "peak-hours", *window, "--fleet", acme.id)
    assert refused.returncode == 2 and "--fleet" in refused.stderr, refused.stderr
    rebuilt = charge_report(database_url, "rebuild", "--organization", org.id)
    assert rebuilt.returncode == 0 and "5 sessions' facts written" in rebuilt.stdout, rebuilt.stderr
    for name in (ReportName.USAGE, ReportName.FLEET_COSTS):
        again = charge_report(database_url, name.value, *window)
        assert list(csv.reader(io.StringIO(again.stdout))) == list(csv.reader(io.StringIO(report_csv(
            expected[name]))))


def test_bad_arguments_name_the_option_and_exit_2(database_url: str):
    for args, option in ((["usage", "--organization", "org_x", "--from", "June"], "--from"),
                         (["usage", "--organization", "org_01JD0000000000000000000000", "--from", "2026-06-02",
                           "--to", "2026-06-01"], "organization")):
        done = charge_report(database_url, *args)
        assert done.returncode == 2 and option in done.stderr, done.stderr
