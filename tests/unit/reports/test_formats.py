"""Reports as CSV and SVG on the in-memory fakes: whatever a location is called, the CSV quotes it and the chart
is valid SVG that shows it as text (markup, control characters and scripts a font lacks included)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs

from application.reports import ReportName, ReportRequest
from entrypoints.report_formats import report_csv, report_json, report_svg
from tests.unit.reports.world import build, completed_session, organization

NAMES = ["Lot $5 & <Co>", "Bad\x99name", "東京駅", 'Quote "me", please']


async def test_hostile_names_are_quoted_in_csv_and_drawn_as_text_in_svg():
    world = build()
    org = await organization(world, zones=("Europe/Berlin", "Asia/Tokyo", "UTC", "America/New_York"))
    async with world.uow() as uow:
        for location, name in zip(org.locations, NAMES, strict=True):
            await uow.locations.save(attrs.evolve(location, name=name))
        await uow.commit()
    for i, point in enumerate(org.charge_points):
        start = datetime(2026, 6, 2 + i, 9, tzinfo=UTC)
        await completed_session(world, org, point, 1, start, start + timedelta(hours=1), Decimal(1000 * (i + 1)))
    june = ReportRequest(date(2026, 6, 1), date(2026, 7, 1), "location")
    for name in (ReportName.USAGE, ReportName.UTILIZATION, ReportName.LOCATIONS):
        report = await world.report(org.actor, org.id, name, june if name is not ReportName.LOCATIONS
                                    else attrs.evolve(june, group_by=None))
        rows = list(csv.DictReader(io.StringIO(report_csv(report))))
        assert sorted(r["location_name"] for r in rows) == sorted(NAMES)
        assert [r["location_name"] for r in report_json(report)["rows"]] == [r["location_name"] for r in rows]
        root = ET.fromstring(report_svg(report))
        drawn = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
        for shown in ("Lot $5 & <Co>", "Bad\ufffdname", "東京駅", 'Quote "me", please'):
            assert shown in drawn, (shown, drawn)
