"""``charge report NAME``: reports for batch use (cron, spreadsheets), over the same use case as REST.

It reads the database directly, as a viewer of the organization it names: whoever may run it may read the
database anyway. ``charge report rebuild`` writes the facts of every completed session of an organization
again (those completed before reports existed, or after a bug was fixed); reports read them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from application.authorization import Actor
from application.reports import ReportName, ReportRequest, build_report
from application.session_facts import rebuild_session_facts
from domain.identity import Role
from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.report_formats import report_csv, report_json, report_svg

REBUILD = "rebuild"


def add_parser(sub: Any) -> None:
    """``charge report …`` on the command's subparsers."""
    report = sub.add_parser("report", help="a report as CSV, JSON or SVG (or `rebuild` the reports' facts)",
                            description="Revenue (the ledger's), usage, peak hours, popular locations, "
                                        "utilization or fleet costs of one organization, for a window of local "
                                        "dates.")
    report.add_argument("name", choices=[*(n.value for n in ReportName), REBUILD])
    report.add_argument("--organization", required=True, help="the organization (org_…)")
    report.add_argument("--from", dest="start", help="first local date, YYYY-MM-DD (default: this month's first)")
    report.add_argument("--to", dest="end", help="the local date the window ends before, YYYY-MM-DD (exclusive)")
    report.add_argument("--group-by", help="day, week, month, location, charge_point, connector, fleet, vehicle "
                                           "or driver, as the report allows")
    report.add_argument("--location", help="only this location (loc_…)")
    report.add_argument("--rank-by", help="locations: sessions, energy or revenue")
    report.add_argument("--fleet", help="usage, fleet-costs: only this fleet's sessions (flt_…)")
    report.add_argument("--format", choices=["csv", "json", "svg"], default="csv", help="default %(default)s")
    report.add_argument("--output", help="write to this file instead of standard output")
    report.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


async def run_command(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """0 when the report was written, 2 for bad arguments (the message names the option)."""
    import msgspec

    from adapters.sql.migrate import is_up_to_date
    from domain.errors import DomainError

    try:
        request = ReportRequest(start=_date(args.start, "--from"), end=_date(args.end, "--to"),
                                group_by=args.group_by, location_id=args.location, rank_by=args.rank_by,
                                fleet_id=args.fleet)
    except ValueError as error:
        print(f"charge: {error}", file=sys.stderr)
        return 2
    if not await is_up_to_date(settings.database_url):
        print("charge: the database schema is behind; run `charge migrate` first", file=sys.stderr)
        return 2
    container = Application(config=settings.as_config())
    try:
        uow_factory, clock = container.adapters.uow_factory(), container.core.clock()
        if args.name == REBUILD:
            written = await rebuild_session_facts(args.organization, uow_factory=uow_factory)
            print(f"charge report rebuild: {written} sessions' facts written", file=out)
            return 0
        actor = Actor(api_key_id="charge-report", api_key_organization_id=args.organization,
                      api_key_role=Role.VIEWER)
        try:
            report = await build_report(actor, args.organization, ReportName(args.name), request,
                                        uow_factory=uow_factory, clock=clock)
        except DomainError as error:
            options = {"from": "--from", "to": "--to", "group_by": "--group-by", "location_id": "--location",
                       "rank_by": "--rank-by", "fleet_id": "--fleet"}
            fields = getattr(error, "errors", [])
            detail = "; ".join(f"{options.get(e.field, e.field)}: {e.message}" for e in fields) or error.detail
            print(f"charge: {detail}", file=sys.stderr)
            return 2
    finally:
        await container.adapters.database().dispose()
    _write(args.output, {"csv": lambda: report_csv(report),
            "json": lambda: msgspec.json.format(msgspec.json.encode(report_json(report))).decode() + "\n",
            "svg": lambda: report_svg(report)}[args.format](), out)
    return 0


def _write(path: str | None, content: str, out: TextIO) -> None:
    if path:
        Path(path).write_text(content, encoding="utf-8", newline="")
    else:
        out.write(content)
        out.flush()
