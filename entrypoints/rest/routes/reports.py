"""Reports: revenue (the books), usage, peak hours, popular locations, utilization and fleet costs, as JSON, CSV
or SVG.

JSON by default; CSV with ``Accept: text/csv`` (or ``format=csv``); an SVG chart with ``format=svg`` (or
``Accept: image/svg+xml``). Every role may read them, in its own organization only.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

import msgspec
from starlette.responses import Response

from application.reports import BY_FLEET, GROUPINGS, RANK_BY, Report, ReportName, ReportRequest
from domain.ids import PREFIXES
from entrypoints.report_formats import MEDIA_TYPES, report_csv, report_json, report_svg
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.queries import Query
from entrypoints.rest.shapes import doc, prefixed_id

TAG = "Reports"


class ReportFormat(str, enum.Enum):
    JSON = "json"
    CSV = "csv"
    SVG = "svg"


_START = Annotated[date | None, doc("First local date of the window (default: the first of this month).",
                                   "2026-01-01")]
_END = Annotated[date | None, doc("The local date the window ends before (exclusive; default: a month after `from`).",
                                 "2026-02-01")]
_LOCATION = Annotated[Annotated[str, prefixed_id(PREFIXES["location"])] | None, doc("Only this location (`loc_…`).")]
_FLEET = Annotated[Annotated[str, prefixed_id(PREFIXES["fleet"])] | None,
                   doc("Only the sessions of this fleet (`flt_…`), as each recorded at its start.")]
_FORMAT = Annotated[ReportFormat | None, doc("`json` (default), `csv` or `svg` (a chart); `Accept: text/csv` asks "
                                             "for CSV too.")]


def query_of(name: ReportName) -> type[Query]:
    """The query parameters of a report: ``group_by`` takes the groupings it allows, ``rank_by`` only ranks."""
    fields: list[tuple[str, Any, Any]] = [
        ("start", _START, msgspec.field(default=None, name="from")),
        ("end", _END, msgspec.field(default=None, name="to"))]
    if GROUPINGS[name]:
        choices = enum.Enum(f"{name.name.title().replace('_', '')}GroupBy",   # type: ignore[misc]
                            {g.name: g.value for g in GROUPINGS[name]}, type=str)
        fields.append(("group_by", Annotated[choices | None, doc("What rows are grouped by.")], None))
    fields.append(("location_id", _LOCATION, None))
    if name in BY_FLEET:
        fields.append(("fleet_id", _FLEET, None))
    if name is ReportName.LOCATIONS:
        ranks = enum.Enum("RankBy", {r.upper(): r for r in RANK_BY}, type=str)  # type: ignore[misc]
        fields.append(("rank_by", Annotated[ranks | None, doc("The order: by sessions (default), energy or "
                                                              "revenue.")], None))
    fields.append(("format", _FORMAT, None))
    made: type[Query] = msgspec.defstruct(f"{name.name.title().replace('_', '')}ReportQuery", fields,
                                          bases=(Query,), kw_only=True, forbid_unknown_fields=True)  # type: ignore[assignment]
    return made


QUERIES = {name: query_of(name) for name in ReportName}


class ColumnOut(msgspec.Struct):
    name: str
    label: str
    unit: str | None


class ReportOut(msgspec.Struct):
    """A report: its columns (name, label, unit), rows keyed by column name, and totals. Amounts and
    quantities are decimal strings, dates ISO 8601 (a time bucket's first local date)."""

    report: str
    title: str
    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")
    group_by: str | None = None
    location_id: str | None = None
    fleet_id: str | None = None
    currency: str = ""
    timezone: str = ""
    columns: list[ColumnOut] = []
    rows: list[dict[str, Any]] = []
    totals: dict[str, Any] = {}
    matrix: list[list[int]] | None = None


def _format(call: Call, asked: ReportFormat | None) -> ReportFormat:
    if asked is not None:
        return asked
    accept = call.request.headers.get("accept", "")
    if "text/csv" in accept:
        return ReportFormat.CSV
    if "image/svg+xml" in accept:
        return ReportFormat.SVG
    return ReportFormat.JSON


def _filename(report: Report, extension: str) -> str:
    return f"{report.name.value}_{report.window.start.isoformat()}_{report.window.end.isoformat()}.{extension}"


def _serve(name: ReportName) -> Callable[[Call], Awaitable[Response]]:
    async def serve(call: Call) -> Response:
        q = call.query
        group_by, rank_by = getattr(q, "group_by", None), getattr(q, "rank_by", None)
        request = ReportRequest(start=q.start, end=q.end, group_by=group_by.value if group_by else None,
                                location_id=q.location_id, rank_by=rank_by.value if rank_by else None,
                                fleet_id=getattr(q, "fleet_id", None))
        report = await call.use_cases.build_report(call.caller, call.organization_id, name, request)
        chosen = _format(call, q.format)
        if chosen is ReportFormat.CSV:
            return Response(report_csv(report), media_type=MEDIA_TYPES["csv"],
                            headers={"Content-Disposition": f'inline; filename="{_filename(report, "csv")}"'})
        if chosen is ReportFormat.SVG:
            return Response(await asyncio.to_thread(report_svg, report), media_type=MEDIA_TYPES["svg"])
        return Response(msgspec.json.encode(report_json(report)), media_type=MEDIA_TYPES["json"])
    serve.__name__ = f"report_{name.name.lower()}"
    return serve


_SUMMARIES = {
    ReportName.REVENUE: ("Revenue from the ledger", "Net of VAT, credit notes, voids and refunds, with VAT and "
                         "totals, as the books have it (postings read in the organization's time zone). By location: "
                         "what the ledger booked for each location's sessions, and a row for what belongs to none."),
    ReportName.USAGE: ("Usage", "Sessions started in the window (local dates of each location), their energy, "
                       "charging and idle time and averages."),
    ReportName.PEAK_HOURS: ("Peak hours", "Sessions started per local hour and weekday of their location: a 7 × 24 "
                            "matrix (a heatmap as SVG)."),
    ReportName.LOCATIONS: ("Popular locations", "Locations ranked by sessions, energy or revenue (`rank_by`)."),
    ReportName.UTILIZATION: ("Utilization", "Occupied time over available time per connector (available from its "
                             "charge point's registration, never in the future), summed per group."),
    ReportName.FLEET_COSTS: ("Fleet costs", "The sessions of fleets started in the window (the fleet, vehicle and "
                             "driver each recorded at its start): sessions, energy, and their cost as the ledger "
                             "booked it (net of VAT, in the organization's currency), per kWh, and per 100 km by "
                             "fleet or vehicle: the distance the vehicles' odometer readings bracket the window with "
                             "(`/vehicles/{id}/odometer-readings`), over the cost of those vehicles' sessions; empty "
                             "where a distance is unknown, and by driver or period."),
}


def _description(name: ReportName) -> str:
    groupings = ", ".join(f"`{g.value}`" for g in GROUPINGS[name])
    grouped = f" `group_by`: {groupings}." if groupings else ""
    ranked = f" `rank_by`: {', '.join(RANK_BY)}." if name is ReportName.LOCATIONS else ""
    by_fleet = " `fleet_id`: only a fleet's sessions." if name in BY_FLEET else ""
    return _SUMMARIES[name][1] + grouped + ranked + by_fleet + " JSON, CSV (`Accept: text/csv`) or SVG (`format=svg`)."


ENDPOINTS = [
    Endpoint("GET", f"/api/v1/reports/{name.value}", _serve(name), f"get{name.name.title().replace('_', '')}Report",
             _SUMMARIES[name][0], TAG, query=QUERIES[name], tenant=True, response=ReportOut,
             media_types=(MEDIA_TYPES["csv"].split(";")[0], MEDIA_TYPES["svg"]),
             description=_description(name))
    for name in ReportName
]
