"""A report as JSON, CSV or an SVG chart: one rendering for every door (REST, the CLI).

CSV has a header row of the columns' names, ISO dates and decimal amounts with a dot. Charts are drawn by
matplotlib's SVG backend through its object API (a ``Figure`` per chart, no pyplot state, so renderings in
threads never share one), with text kept as text: titles, axes and units stay readable and searchable. A
usage or revenue report over time is a line, a report per location or charge point bars, peak hours an
hour × weekday heatmap.
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
import warnings
from datetime import date
from decimal import Decimal
from typing import Any

from application.reports import WEEKDAYS, Report, ReportName

MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "svg": "image/svg+xml"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def report_json(report: Report) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report": report.name.value, "title": report.title, "from": report.window.start.isoformat(),
        "to": report.window.end.isoformat(), "group_by": report.group_by, "location_id": report.location_id,
        "fleet_id": report.fleet_id, "currency": report.currency, "timezone": report.timezone,
        "columns": [{"name": c.name, "label": c.label, "unit": report.currency if c.unit == "currency" else c.unit}
                    for c in report.columns],
        "rows": [{c.name: _plain(row.get(c.name)) for c in report.columns} for row in report.rows],
        "totals": _plain(report.totals),
    }
    if report.matrix is not None:
        body["matrix"] = [list(day) for day in report.matrix]
    return body


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in report.columns])
    for row in report.rows:
        writer.writerow(["" if row.get(c.name) is None else _plain(row.get(c.name)) for c in report.columns])
    return out.getvalue()


def _shown(text: str) -> str:
    """A label as a chart can show it: control and format characters (which no font draws) replaced, and
    what matplotlib would read as markup (``$…$`` mathtext) escaped."""
    return "".join("\ufffd" if unicodedata.category(c) in _INVISIBLE else c for c in text).replace("$", "\\$")


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _subtitle(report: Report) -> str:
    where = f", location {report.location_id}" if report.location_id else ""
    where += f", fleet {report.fleet_id}" if report.fleet_id else ""
    zone = ("local time of each location" if report.name is not ReportName.REVENUE
            else f"{report.timezone} time")
    return f"{report.window.start.isoformat()} to {report.window.end.isoformat()} (exclusive){where}; {zone}"


def _label(report: Report, name: str) -> str:
    column = next(c for c in report.columns if c.name == name)
    if column.unit == "currency" and report.currency not in column.label:
        return f"{column.label} ({report.currency})"
    return column.label


def _number(value: Any) -> float:
    # Drawing is the one place numbers become floats: a chart shows magnitudes, the data stays exact.
    return float(value) if value is not None else 0.0


@functools.cache
def _matplotlib() -> type[Any]:
    """matplotlib's Figure, configured once for what this process draws: text as text, stable ids, no date."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "charge-reports"})
    return Figure


def report_svg(report: Report) -> str:
    """The report's chart. A glyph the font lacks (a location named in a script DejaVu does not cover) is drawn
    as the font's box, with matplotlib's warning silenced: a chart is never refused for a name."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        return _svg(report)


def _svg(report: Report) -> str:
    Figure = _matplotlib()

    figure = Figure(figsize=(10, 5.5) if report.chart.kind != "heatmap" else (11, 4.8), layout="constrained")
    axes = figure.add_subplot()
    chart = report.chart
    figure.suptitle(_shown(report.title), fontsize=14)
    axes.set_title(_shown(_subtitle(report)), fontsize=9)
    if chart.kind == "heatmap":
        matrix = report.matrix or ()
        image = axes.imshow([list(day) for day in matrix], aspect="auto", cmap="YlOrRd", origin="upper")
        axes.set_xticks(range(24), [f"{h:02d}:00" for h in range(24)], rotation=90, fontsize=8)
        axes.set_yticks(range(7), list(WEEKDAYS))
        axes.set_xlabel("Hour of the session's start (local time of its location)")
        axes.set_ylabel("Weekday (local)")
        figure.colorbar(image, ax=axes, label=chart.y_label)
        for day, values in enumerate(matrix):
            for hour, value in enumerate(values):
                if value:
                    axes.text(hour, day, str(value), ha="center", va="center", fontsize=6)
    else:
        rows = [r for r in report.rows if report.name is not ReportName.REVENUE or "currency" not in r
                or r["currency"] == report.currency]
        labels = [_shown(str(_plain(r.get(chart.x)) or "—")) for r in rows]
        lowest = 0.0
        for name in chart.y:
            series = [_number(r.get(name)) for r in rows]
            lowest = min([lowest, *series])
            if chart.kind == "line":
                axes.plot(range(len(series)), series, marker="o" if len(series) <= 62 else None,
                          label=_label(report, name))
            else:
                axes.bar(range(len(series)), series, label=_label(report, name))
        step = max(1, len(labels) // 31)
        axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=60, ha="right", fontsize=8)
        axes.set_xlabel(next(c.label for c in report.columns if c.name == chart.x))
        axes.set_ylabel(_label(report, chart.y[0]) if len(chart.y) == 1 else chart.y_label)
        axes.grid(axis="y", alpha=0.3)
        if len(chart.y) > 1:
            axes.legend()        # which line is which
        axes.set_ylim(bottom=lowest)     # below zero only when a figure is (credit notes beyond sales)
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
