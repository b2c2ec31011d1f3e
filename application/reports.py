"""Reports: revenue (the books), usage, peak hours, popular locations, utilization and fleet costs, for an
organization.

One use case per door (REST, CLI, batch jobs): ``build_report`` checks the caller may read the organization,
asks the ``ReportQueries`` port for sums (computed in the database) and shapes them into a ``Report``: named
columns with units, rows, totals and the chart that shows them. Formats (JSON, CSV, SVG) are the doors'.

- Windows are local dates, ``to`` exclusive; the default is the current month of the organization's zone.
- Per-location figures (usage, peak hours, locations, utilization) read each session in its location's zone:
  a session started at 08:30 in Berlin is in the 08:00 cell of its local weekday, whatever UTC says.
- Revenue is the ledger's (``domain.reports.revenue``), read in the organization's zone; by location it is
  what the ledger booked for each location's sessions, and what belongs to no location (plan fees, credit
  notes, refunds) is a row of its own, so the rows add up to the books.
- Fleet costs are the sessions of fleets (the fleet, vehicle and driver each recorded at its start), priced as
  the ledger booked them (net, in the organization's currency), per fleet, vehicle, driver or period.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.reports import (
    WHO,
    ConnectorInfo,
    CostSums,
    Dimension,
    Grouping,
    GroupKey,
    LocationInfo,
    UsageSums,
)
from domain.errors import FieldError, InvalidInput, NotFound
from domain.reports import Grain, ReportWindow, bucket_start
from domain.reports.availability import Registrations, span_bounds
from domain.reports.calendar import next_month
from domain.reports.revenue import LedgerSums, major_units
from domain.reports.units import hours, kwh, percent, price_per_100km, price_per_kwh

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ReportName(str, enum.Enum):
    REVENUE = "revenue"
    USAGE = "usage"
    PEAK_HOURS = "peak-hours"
    LOCATIONS = "locations"
    UTILIZATION = "utilization"
    FLEET_COSTS = "fleet-costs"


_TIME = (Grain.DAY, Grain.WEEK, Grain.MONTH)
GROUPINGS: dict[ReportName, tuple[Grouping, ...]] = {
    ReportName.REVENUE: (*_TIME, Dimension.LOCATION),
    ReportName.USAGE: (*_TIME, Dimension.LOCATION, Dimension.CHARGE_POINT, *WHO),
    ReportName.PEAK_HOURS: (),
    ReportName.LOCATIONS: (Dimension.LOCATION,),
    ReportName.UTILIZATION: (Dimension.LOCATION, Dimension.CHARGE_POINT, Dimension.CONNECTOR, *_TIME),
    ReportName.FLEET_COSTS: (*WHO, *_TIME),
}
DEFAULT_GROUPING: dict[ReportName, Grouping | None] = {
    ReportName.REVENUE: Grain.DAY, ReportName.USAGE: Grain.DAY, ReportName.PEAK_HOURS: None,
    ReportName.LOCATIONS: Dimension.LOCATION, ReportName.UTILIZATION: Dimension.LOCATION,
    ReportName.FLEET_COSTS: Dimension.FLEET,
}
# The reports that read who charged: the others are the connectors' or the books'.
BY_FLEET = (ReportName.USAGE, ReportName.FLEET_COSTS)
RANK_BY = ("sessions", "energy", "revenue")


@frozen
class ReportRequest:
    """What the caller asked for; None takes the default (``group_by`` and ``rank_by`` as given, checked here)."""

    start: date | None = None
    end: date | None = None
    group_by: str | None = None
    location_id: str | None = None
    rank_by: str | None = None
    fleet_id: str | None = None


@frozen
class Column:
    name: str               # the JSON key and CSV header
    label: str              # for people: what it is, with its unit
    unit: str | None = None


@frozen
class Chart:
    """How the report is drawn: a ``line`` over time, ``bar`` per group, or an hour × weekday ``heatmap``."""

    kind: str
    x: str                  # the column along the x axis (for a heatmap: the hour)
    y: tuple[str, ...]      # the columns drawn (for a heatmap: the cell's value)
    y_label: str


@frozen
class Report:
    name: ReportName
    title: str
    organization_id: str
    currency: str
    timezone: str
    window: ReportWindow
    group_by: str | None
    location_id: str | None
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    totals: dict[str, Any]
    chart: Chart
    matrix: tuple[tuple[int, ...], ...] | None = None     # peak hours: 7 weekdays × 24 hours
    fleet_id: str | None = None


def _grouping(name: ReportName, value: str | None) -> Grouping | None:
    allowed = GROUPINGS[name]
    if value is None:
        return DEFAULT_GROUPING[name]
    for grouping in allowed:
        if grouping.value == value:
            return grouping
    if not allowed:
        raise InvalidInput(FieldError("group_by", f"the {name.value} report is not grouped"))
    raise InvalidInput(FieldError("group_by", f"must be one of {', '.join(g.value for g in allowed)}"))


def default_window(today: date) -> ReportWindow:
    """The current calendar month."""
    first = today.replace(day=1)
    return ReportWindow.of(first, next_month(first))


def _window(request: ReportRequest, today: date) -> ReportWindow:
    if request.start is None and request.end is None:
        return default_window(today)
    if request.start is None:
        assert request.end is not None
        return ReportWindow.of(request.end.replace(day=1) if request.end.day != 1
                               else (request.end - timedelta(days=1)).replace(day=1), request.end)
    if request.end is None:
        return ReportWindow.of(request.start, next_month(request.start))
    return ReportWindow.of(request.start, request.end)


async def build_report(actor: Actor, organization_id: str, name: ReportName, request: ReportRequest, *,
                       uow_factory: UnitOfWorkFactory, clock: Clock) -> Report:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        organization = await uow.organizations.get(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        settings = organization.settings
        now = clock.now()
        window = _window(request, now.astimezone(ZoneInfo(settings.timezone)).date())
        grouping = _grouping(name, request.group_by)
        if request.rank_by is not None and (name is not ReportName.LOCATIONS or request.rank_by not in RANK_BY):
            message = (f"must be one of {', '.join(RANK_BY)}" if name is ReportName.LOCATIONS
                       else "only the locations report is ranked")
            raise InvalidInput(FieldError("rank_by", message))
        locations = {x.id: x for x in await uow.reports.locations(organization_id)}
        if request.location_id is not None and request.location_id not in locations:
            raise InvalidInput(FieldError("location_id", "is not a location of the organization"))
        if request.fleet_id is not None:
            if name not in BY_FLEET:
                raise InvalidInput(FieldError("fleet_id", "only the usage and fleet-costs reports read fleets"))
            if await uow.fleets.get(organization_id, request.fleet_id) is None:
                raise InvalidInput(FieldError("fleet_id", "is not a fleet of the organization"))
        if name is ReportName.REVENUE and request.location_id is not None and grouping is not Dimension.LOCATION:
            raise InvalidInput(FieldError("location_id", "revenue by period is the organization's books; "
                                                         "filter by location with group_by=location"))
        context = _Context(uow, organization_id, settings.currency, settings.timezone, window, request.location_id,
                           locations, now, request.fleet_id)
        builders = {ReportName.USAGE: _usage, ReportName.PEAK_HOURS: _peak_hours, ReportName.LOCATIONS: _locations,
                    ReportName.REVENUE: _revenue, ReportName.UTILIZATION: _utilization,
                    ReportName.FLEET_COSTS: _fleet_costs}
        columns, rows, totals, chart, title, matrix = await builders[name](context, grouping, request.rank_by)
    return Report(name=name, title=title, organization_id=organization_id, currency=settings.currency,
                  timezone=settings.timezone, window=window, group_by=grouping.value if grouping else None,
                  location_id=request.location_id, columns=columns, rows=tuple(rows), totals=totals, chart=chart,
                  matrix=matrix, fleet_id=request.fleet_id)


@frozen
class _Context:
    uow: UnitOfWork
    organization_id: str
    currency: str
    timezone: str
    window: ReportWindow
    location_id: str | None
    locations: dict[str, LocationInfo]
    now: datetime
    fleet_id: str | None = None

    def location_name(self, location_id: str | None) -> str:
        found = self.locations.get(location_id) if location_id else None
        return found.name if found else ""

    def scoped_locations(self) -> list[LocationInfo]:
        found = [x for x in self.locations.values() if self.location_id is None or x.id == self.location_id]
        return sorted(found, key=lambda x: (x.name, x.id))


Built = tuple[tuple[Column, ...], list[dict[str, Any]], dict[str, Any], Chart, str, Any]


def buckets(window: ReportWindow, grain: Grain) -> Iterator[date]:
    """Every bucket's first date, from the one ``window.start`` is in to the one before ``window.end``."""
    day = bucket_start(window.start, grain)
    while day < window.end:
        yield day
        day = next_month(day) if grain is Grain.MONTH else day + timedelta(days=7 if grain is Grain.WEEK else 1)


# Who charged: the id column and the name column of a row grouped by fleet, vehicle or driver.
_WHO_COLUMNS = {
    Dimension.FLEET: (Column("fleet_id", "Fleet id"), Column("fleet_name", "Fleet")),
    Dimension.VEHICLE: (Column("vehicle_id", "Vehicle id"), Column("vehicle", "Vehicle")),
    Dimension.DRIVER: (Column("driver_id", "Driver id"), Column("driver_name", "Driver")),
}
_NOBODY = {Dimension.FLEET: "No fleet", Dimension.VEHICLE: "No vehicle recorded", Dimension.DRIVER: "No driver"}


def _period_columns(grouping: Grouping | None) -> tuple[Column, ...]:
    if grouping in _WHO_COLUMNS:
        return _WHO_COLUMNS[grouping]  # type: ignore[index]
    if isinstance(grouping, Grain):
        return (Column("period", f"{grouping.value.capitalize()} (first local date)"),)
    if grouping is Dimension.LOCATION:
        return Column("location_id", "Location id"), Column("location_name", "Location")
    if grouping is Dimension.CHARGE_POINT:
        return Column("location_id", "Location id"), Column("location_name", "Location"), \
            Column("charge_point_id", "Charge point")
    return (Column("location_id", "Location id"), Column("location_name", "Location"),
            Column("charge_point_id", "Charge point"), Column("evse_id", "EVSE"), Column("connector_id", "Connector"))


def _key_values(context: _Context, key: GroupKey, grouping: Grouping | None = None,
                names: dict[str, str] | None = None) -> dict[str, Any]:
    if grouping in WHO:
        id_column, name_column = _WHO_COLUMNS[grouping]  # type: ignore[index]
        label = (names or {}).get(key.who, "") if key.who is not None else _NOBODY[grouping]  # type: ignore[index]
        return {id_column.name: key.who, name_column.name: label}
    if key.period is not None:
        return {"period": key.period}
    values: dict[str, Any] = {"location_id": key.location_id, "location_name": context.location_name(key.location_id)}
    if key.charge_point_id is not None:
        values["charge_point_id"] = key.charge_point_id
    if key.evse_id is not None:
        values |= {"evse_id": key.evse_id, "connector_id": key.connector_id}
    return values


def _keys(context: _Context, grouping: Grouping, found: dict[GroupKey, Any],
          names: dict[str, str] | None = None) -> list[GroupKey]:
    """The rows' groups in order: every bucket of the window, every location (or fleet) in scope, or what was
    found (by name; the sessions that recorded nobody last)."""
    if grouping in WHO:
        names = names or {}
        keys = set(found)
        if grouping is Dimension.FLEET:
            keys |= {GroupKey(who=x) for x in names if context.fleet_id in (None, x)}
        return sorted(keys, key=lambda k: (k.who is None, names.get(k.who or "", ""), k.who or ""))
    if isinstance(grouping, Grain):
        return [GroupKey(period=day) for day in buckets(context.window, grouping)]
    if grouping is Dimension.LOCATION:
        return [GroupKey(location_id=x.id) for x in context.scoped_locations()]
    return sorted(found, key=lambda k: (context.location_name(k.location_id), k.location_id or "",
                                        k.charge_point_id or "", k.evse_id or 0, k.connector_id or 0))


_USAGE_COLUMNS = (
    Column("sessions", "Sessions"), Column("energy_kwh", "Energy (kWh)", "kWh"),
    Column("charging_hours", "Charging time (h)", "h"), Column("idle_hours", "Idle time (h)", "h"),
    Column("duration_hours", "Plugged-in time (h)", "h"),
    Column("average_energy_kwh", "Average energy per session (kWh)", "kWh"),
    Column("average_duration_hours", "Average session (h)", "h"),
)


def _usage_values(sums: UsageSums) -> dict[str, Any]:
    n = sums.sessions
    return {"sessions": n, "energy_kwh": kwh(sums.energy_mwh), "charging_hours": hours(sums.charging_us),
            "idle_hours": hours(sums.idle_us), "duration_hours": hours(sums.duration_us),
            "average_energy_kwh": kwh(sums.energy_mwh, n) if n else None,
            "average_duration_hours": hours(sums.duration_us, n) if n else None}


async def _names(context: _Context, grouping: Grouping, found: dict[GroupKey, Any]) -> dict[str, str]:
    """The names of the fleets, vehicles or drivers found (every fleet: each is a row, sessions or none)."""
    if grouping not in WHO:
        return {}
    dimension: Dimension = grouping  # type: ignore[assignment]
    ids = None if dimension is Dimension.FLEET else [k.who for k in found if k.who is not None]
    return await context.uow.reports.names(context.organization_id, dimension, ids)


async def _usage(context: _Context, grouping: Grouping | None, _rank_by: str | None) -> Built:
    assert grouping is not None
    found = await context.uow.reports.usage(context.organization_id, context.window, grouping, context.location_id,
                                            context.fleet_id)
    names = await _names(context, grouping, found)
    rows, total = [], UsageSums()
    for key in _keys(context, grouping, found, names):
        sums = found.get(key, UsageSums())
        if not isinstance(grouping, Grain) and grouping not in (Dimension.LOCATION, Dimension.FLEET) \
                and not sums.sessions:
            continue   # a charge point whose only figure is time occupied by a session started earlier
        rows.append(_key_values(context, key, grouping, names) | _usage_values(sums))
        total += sums
    over_time = isinstance(grouping, Grain)
    chart = Chart("line" if over_time else "bar", _period_columns(grouping)[-1].name if over_time else
                  "location_name" if grouping is Dimension.LOCATION else _period_columns(grouping)[1].name
                  if grouping in WHO else "charge_point_id", ("energy_kwh",), "Energy (kWh)")
    return (_period_columns(grouping) + _USAGE_COLUMNS, rows, _usage_values(total), chart,
            f"Usage by {grouping.value.replace('_', ' ')}", None)


async def _peak_hours(context: _Context, _grouping: Grouping | None, _rank_by: str | None) -> Built:
    cells = await context.uow.reports.peak_hours(context.organization_id, context.window, context.location_id)
    rows = [{"weekday": day, "day": WEEKDAYS[day - 1], "hour": hour, "sessions": cells.get((day, hour), 0)}
            for day in range(1, 8) for hour in range(24)]
    matrix = tuple(tuple(cells.get((day, hour), 0) for hour in range(24)) for day in range(1, 8))
    columns = (Column("weekday", "ISO weekday (1 = Monday)"), Column("day", "Weekday"),
               Column("hour", "Local hour (start)"), Column("sessions", "Sessions started"))
    return (columns, rows, {"sessions": sum(cells.values())},
            Chart("heatmap", "hour", ("sessions",), "Sessions started"), "Peak hours (local time)", matrix)


def _money(minor: int, currency: str) -> Decimal:
    return major_units(minor, currency)


async def _locations(context: _Context, _grouping: Grouping | None, rank_by: str | None) -> Built:
    found = await context.uow.reports.usage(context.organization_id, context.window, Dimension.LOCATION,
                                            context.location_id)
    start, end = context.window.utc_bounds(ZoneInfo(context.timezone))
    revenue = await context.uow.reports.revenue_by_location(context.organization_id, start, end, context.location_id)
    rows: list[dict[str, Any]] = []
    for location in context.scoped_locations():
        sums = found.get(GroupKey(location_id=location.id), UsageSums())
        minor = revenue.get((location.id, context.currency), 0)
        rows.append({"location_id": location.id, "location_name": location.name, "sessions": sums.sessions,
                     "energy_kwh": kwh(sums.energy_mwh), "revenue": _money(minor, context.currency),
                     "_order": {"sessions": sums.sessions, "energy": sums.energy_mwh, "revenue": minor}})
    by = rank_by or "sessions"
    rows.sort(key=lambda r: (-r["_order"][by], r["location_name"], r["location_id"]))
    for rank, row in enumerate(rows, start=1):
        del row["_order"]
        row["rank"] = rank
    columns = (Column("rank", "Rank"), Column("location_id", "Location id"), Column("location_name", "Location"),
               Column("sessions", "Sessions"), Column("energy_kwh", "Energy (kWh)", "kWh"),
               Column("revenue", f"Revenue excl. VAT ({context.currency})", context.currency))
    totals = {"sessions": sum(r["sessions"] for r in rows), "energy_kwh": sum((r["energy_kwh"] for r in rows),
                                                                               Decimal("0.000")),
              "revenue": sum((r["revenue"] for r in rows), _money(0, context.currency))}
    y = {"sessions": "sessions", "energy": "energy_kwh", "revenue": "revenue"}[by]
    label = next(c.label for c in columns if c.name == y)
    return (columns, rows, totals, Chart("bar", "location_name", (y,), label),
            f"Popular locations by {by}", None)


_REVENUE_COLUMNS = (
    Column("charging", "Charging revenue", "currency"), Column("fees", "Plan fees", "currency"),
    Column("credit_notes", "Credit notes and voids", "currency"), Column("refunds", "Refunds", "currency"),
    Column("total_excl_vat", "Revenue excl. VAT", "currency"), Column("vat", "VAT", "currency"),
    Column("total", "Total incl. VAT", "currency"),
)


def _revenue_values(sums: LedgerSums, currency: str) -> dict[str, Any]:
    return {"currency": currency, "charging": _money(sums.charging_credits, currency),
            "fees": _money(sums.fee_credits, currency), "credit_notes": _money(sums.revenue_debits, currency),
            "refunds": _money(sums.refunds, currency), "total_excl_vat": _money(sums.total_excl_vat, currency),
            "vat": _money(sums.vat, currency), "total": _money(sums.total, currency)}


async def _revenue(context: _Context, grouping: Grouping | None, _rank_by: str | None) -> Built:
    start, end = context.window.utc_bounds(ZoneInfo(context.timezone))
    reports = context.uow.reports
    if isinstance(grouping, Grain):
        found = await reports.ledger(context.organization_id, start, end, context.timezone, grouping)
        currencies = sorted({context.currency} | {currency for _, currency in found})
        rows = [{"period": day} | _revenue_values(found.get((day, currency), LedgerSums()), currency)
                for currency in currencies for day in buckets(context.window, grouping)]
        books: dict[str, LedgerSums] = defaultdict(LedgerSums)
        for (_, currency), sums in found.items():
            books[currency] += sums
        columns: tuple[Column, ...] = (Column("period", f"{grouping.value.capitalize()} (first local date)"),
                                       Column("currency", "Currency"), *_REVENUE_COLUMNS)
        chart = Chart("line", "period", ("total_excl_vat",), f"Revenue excl. VAT ({context.currency})")
    else:
        whole = await reports.ledger(context.organization_id, start, end, context.timezone, None)
        books = defaultdict(LedgerSums, {currency: sums for (_, currency), sums in whole.items()})
        by_location = await reports.revenue_by_location(context.organization_id, start, end, context.location_id)
        currencies = sorted({context.currency} | set(books) | {currency for _, currency in by_location})
        rows = []
        for currency in currencies:
            attributed = 0
            for location in context.scoped_locations():
                minor = by_location.get((location.id, currency), 0)
                attributed += minor
                rows.append({"location_id": location.id, "location_name": location.name, "currency": currency,
                             "total_excl_vat": _money(minor, currency)})
            if context.location_id is None:
                unattributed = books[currency].total_excl_vat - attributed
                rows.append({"location_id": None, "location_name": "No location (fees, credit notes, refunds)",
                             "currency": currency, "total_excl_vat": _money(unattributed, currency)})
        if context.location_id is not None:
            books = defaultdict(LedgerSums, {
                c: LedgerSums(charging_credits=by_location.get((context.location_id, c), 0)) for c in currencies})
        columns = (Column("location_id", "Location id"), Column("location_name", "Location"),
                   Column("currency", "Currency"), Column("total_excl_vat", "Revenue excl. VAT", "currency"))
        chart = Chart("bar", "location_name", ("total_excl_vat",), f"Revenue excl. VAT ({context.currency})")
    own = books.get(context.currency, LedgerSums())
    totals = {"currency": context.currency, "total_excl_vat": _money(own.total_excl_vat, context.currency),
              "vat": _money(own.vat, context.currency), "total": _money(own.total, context.currency)}
    others = [c for c in sorted(books) if c != context.currency and books[c]]
    if others:
        totals["other_currencies"] = [{"currency": c, "total_excl_vat": _money(books[c].total_excl_vat, c),
                                       "vat": _money(books[c].vat, c), "total": _money(books[c].total, c)}
                                      for c in others]
    return columns, rows, totals, chart, f"Revenue by {grouping.value if grouping else 'period'}", None


async def _utilization(context: _Context, grouping: Grouping | None, _rank_by: str | None) -> Built:
    assert grouping is not None
    found = await context.uow.reports.usage(context.organization_id, context.window, grouping, context.location_id)
    inventory = await context.uow.reports.connectors(context.organization_id, context.location_id)
    available = _available(context, grouping, inventory)
    counts: dict[GroupKey, int] = defaultdict(int)
    for connector in inventory:
        counts[_connector_group(connector, grouping)] += 1
    keys = _keys(context, grouping, {**dict.fromkeys(available), **found})
    rows, occupied_total, available_total = [], 0, 0
    for key in keys:
        occupied, possible = found.get(key, UsageSums()).occupied_us, available.get(key, 0)
        connectors = counts.get(key, 0) if not isinstance(grouping, Grain) else len(inventory)
        rows.append(_key_values(context, key) | {
            "connectors": connectors, "occupied_hours": hours(occupied), "available_hours": hours(possible),
            "utilization_percent": percent(occupied, possible)})
        occupied_total += occupied
        available_total += possible
    columns = (*_period_columns(grouping), Column("connectors", "Connectors"),
               Column("occupied_hours", "Occupied (h)", "h"), Column("available_hours", "Available (h)", "h"),
               Column("utilization_percent", "Utilization (%)", "%"))
    over_time = isinstance(grouping, Grain)
    x = "period" if over_time else {Dimension.LOCATION: "location_name", Dimension.CHARGE_POINT: "charge_point_id",
                                    Dimension.CONNECTOR: "charge_point_id"}[grouping]   # type: ignore[index]
    totals = {"connectors": len(inventory), "occupied_hours": hours(occupied_total),
              "available_hours": hours(available_total),
              "utilization_percent": percent(occupied_total, available_total)}
    return (columns, rows, totals, Chart("line" if over_time else "bar", x, ("utilization_percent",),
                                         "Utilization (%)"),
            f"Utilization by {grouping.value.replace('_', ' ')}", None)


def _connector_group(connector: ConnectorInfo, grouping: Grouping) -> GroupKey:
    if isinstance(grouping, Grain) or grouping is Dimension.LOCATION:
        return GroupKey(location_id=connector.location_id)
    if grouping is Dimension.CHARGE_POINT:
        return GroupKey(location_id=connector.location_id, charge_point_id=connector.charge_point_id)
    return GroupKey(location_id=connector.location_id, charge_point_id=connector.charge_point_id,
                    evse_id=connector.evse_id, connector_id=connector.connector_id)


def _available(context: _Context, grouping: Grouping, inventory: list[ConnectorInfo]) -> dict[GroupKey, int]:
    """Available µs per group: each connector from its registration, within the window and up to now, in its
    location's local days (a time bucket is cut at each zone's own midnights: connectors are taken per zone)."""
    window = context.window
    zone_of = {x.id: x.timezone for x in context.locations.values()}
    out: dict[GroupKey, int] = defaultdict(int)
    if isinstance(grouping, Grain):
        by_zone: dict[str, list[datetime]] = defaultdict(list)
        for connector in inventory:
            by_zone[zone_of[connector.location_id]].append(connector.registered_at)
        for name, registered in by_zone.items():
            zone, registrations = ZoneInfo(name), Registrations(registered)
            for day in buckets(window, grouping):
                following = next_month(day) if grouping is Grain.MONTH else \
                    day + timedelta(days=7 if grouping is Grain.WEEK else 1)
                start, end = span_bounds(max(day, window.start), min(following, window.end), zone)
                out[GroupKey(period=day)] += registrations.available_us(start, end, context.now)
        return dict(out)
    by_group: dict[GroupKey, list[ConnectorInfo]] = defaultdict(list)
    for connector in inventory:
        by_group[_connector_group(connector, grouping)].append(connector)
    bounds: dict[str, tuple[datetime, datetime]] = {}
    for group, members in by_group.items():
        name = zone_of[members[0].location_id]
        if name not in bounds:
            bounds[name] = span_bounds(window.start, window.end, ZoneInfo(name))
        start, end = bounds[name]
        out[group] += Registrations([m.registered_at for m in members]).available_us(start, end, context.now)
    return dict(out)


def _cost_columns(currency: str) -> tuple[Column, ...]:
    return (Column("sessions", "Sessions"), Column("energy_kwh", "Energy (kWh)", "kWh"),
            Column("priced_sessions", f"Sessions priced in {currency}"),
            Column("cost", f"Cost excl. VAT ({currency})", "currency"),
            Column("cost_per_kwh", f"Cost per kWh ({currency}/kWh)", f"{currency}/kWh"),
            Column("cost_per_100km", f"Cost per 100 km ({currency}/100 km)", f"{currency}/100 km"))


@frozen
class _Driven:
    """What a cost per 100 km is made of: metres driven, and the cost of the sessions of those same vehicles."""

    metres: int = 0
    cost_minor: int = 0

    def __add__(self, other: _Driven) -> _Driven:
        return _Driven(self.metres + other.metres, self.cost_minor + other.cost_minor)


def _cost_values(sums: CostSums, currency: str, driven: _Driven | None = None) -> dict[str, Any]:
    """A group's figures: the cost is what the ledger booked for its priced sessions (net), per kWh of their
    energy, and per 100 km of what its vehicles drove (``driven``; None: no distance known)."""
    return {"sessions": sums.sessions, "energy_kwh": kwh(sums.energy_mwh), "priced_sessions": sums.priced_sessions,
            "cost": _money(sums.cost_minor, currency),
            "cost_per_kwh": price_per_kwh(sums.cost_minor, sums.priced_energy_mwh, currency),
            "cost_per_100km": price_per_100km(driven.cost_minor, driven.metres, currency) if driven else None}


async def _driven(context: _Context, grouping: Grouping, found: dict[GroupKey, CostSums]) -> dict[GroupKey, _Driven]:
    """By vehicle, each vehicle's distance over the window (its odometer readings bracketing the organization's
    local midnights) with its cost. By fleet, the sum over the fleet's vehicles whose distance is known, with the
    cost of those vehicles' sessions only; a vehicle whose sessions in the window recorded more than one fleet
    (it moved) counts in none of them (its distance cannot be split). By driver or period: none (distance is a
    vehicle's, not a driver's or a day's)."""
    if grouping not in (Dimension.VEHICLE, Dimension.FLEET):
        return {}
    start, end = span_bounds(context.window.start, context.window.end, ZoneInfo(context.timezone))
    reports = context.uow.reports
    if grouping is Dimension.VEHICLE:
        metres = await reports.vehicle_distances(context.organization_id, start, end,
                                                 [k.who for k in found if k.who is not None])
        return {k: _Driven(metres[k.who], sums.cost_minor) for k, sums in found.items() if k.who in metres}
    pairs = await reports.fleet_costs(context.organization_id, context.window, Dimension.FLEET_VEHICLE,
                                      context.currency, context.location_id)
    fleets_of: dict[str, set[str | None]] = defaultdict(set)
    for key in pairs:
        if key.vehicle_id is not None:
            fleets_of[key.vehicle_id].add(key.who)
    metres = await reports.vehicle_distances(context.organization_id, start, end,
                                             [v for v, fleets in fleets_of.items() if len(fleets) == 1])
    out: dict[GroupKey, _Driven] = defaultdict(_Driven)
    for key, sums in pairs.items():
        if key.vehicle_id in metres and context.fleet_id in (None, key.who):
            out[GroupKey(who=key.who)] += _Driven(metres[key.vehicle_id], sums.cost_minor)
    return dict(out)


async def _fleet_costs(context: _Context, grouping: Grouping | None, _rank_by: str | None) -> Built:
    assert grouping is not None
    found = await context.uow.reports.fleet_costs(context.organization_id, context.window, grouping,
                                                  context.currency, context.location_id, context.fleet_id)
    names = await _names(context, grouping, found)
    driven = await _driven(context, grouping, found)
    rows, total, total_driven = [], CostSums(), _Driven()
    for key in _keys(context, grouping, found, names):
        sums = found.get(key, CostSums())
        rows.append(_key_values(context, key, grouping, names) | _cost_values(sums, context.currency,
                                                                               driven.get(key)))
        total += sums
        total_driven += driven.get(key, _Driven())
    over_time = isinstance(grouping, Grain)
    columns = (*_period_columns(grouping), *_cost_columns(context.currency))
    chart = Chart("line" if over_time else "bar", columns[0].name if over_time else columns[1].name, ("cost",),
                  f"Cost excl. VAT ({context.currency})")
    return (columns, rows, _cost_values(total, context.currency, total_driven if driven else None), chart,
            f"Fleet costs by {grouping.value}", None)
