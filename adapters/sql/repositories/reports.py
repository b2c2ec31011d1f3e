"""The reports ports in SQL: session facts with their rollups, and the aggregate queries reports are made of.

A fact is stored with what it adds to the rollups (``ROLLUPS``), in the same transaction: per location and per
connector, by local day and by local month (the figures of sessions started then, and the connectors' occupied
time that fell then), and sessions started per local hour. Replacing a fact takes its old contributions back
first. Queries add rollup rows: a location's year is 12 rows, or 365 by day, whatever its sessions; a window
that is not whole months reads the months it covers whole from a monthly rollup and the rest from a daily one.
The ledger's rollup (``ledger_quarter_hours``) is kept by a trigger (migration 0010) and read in
the organization's zone: ``AT TIME ZONE`` on PostgreSQL; on SQLite, which has no zone rules, a CASE over the
zone's UTC offsets in the window (``offset_intervals``), a handful of intervals per year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from sqlalchemy import Date, Table, and_, case, cast, delete, exists, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from adapters.sql.repositories._statements import insert_many
from adapters.sql.tables import (
    FLEET_MEASURES,
    HOURS,
    charge_points,
    connectors,
    drivers,
    fleets,
    ledger_quarter_hours,
    locations,
    organizations,
    report_connector_days,
    report_connector_months,
    report_fleet_months,
    report_location_days,
    report_location_hours,
    report_location_months,
    report_revenue_days,
    session_facts,
    vehicle_odometer_readings,
    vehicles,
)
from application.ports.reports import (
    WHO,
    WHO_ALL,
    ConnectorInfo,
    CostSums,
    Dimension,
    Grouping,
    GroupKey,
    LocationInfo,
    UsageSums,
)
from domain.fleets.odometer import bracketed_distance_m
from domain.fleets.vehicles import vehicle_label
from domain.reports import (
    Grain,
    ReportWindow,
    SessionFact,
    SessionRevenue,
    bucket_start,
    local_midnight,
    offset_intervals,
)
from domain.reports.revenue import LedgerSums

MEASURES = ("sessions", "energy_mwh", "duration_us", "charging_us", "idle_us", "occupied_us")
_CONNECTOR = ("organization_id", "location_id", "charge_point_id", "evse_id", "connector_id")


def _fact_row(fact: SessionFact) -> dict[str, Any]:
    revenue = fact.revenue
    return {"organization_id": fact.organization_id, "session_id": fact.session_id, "location_id": fact.location_id,
            "charge_point_id": fact.charge_point_id, "evse_id": fact.evse_id, "connector_id": fact.connector_id,
            "driver_id": fact.driver_id, "tariff_id": fact.tariff_id, "timezone": fact.timezone,
            "started_at": fact.started_at, "stopped_at": fact.stopped_at, "local_date": fact.local_date,
            "local_hour": fact.local_hour, "energy_mwh": fact.energy_mwh, "duration_us": fact.duration_us,
            "charging_us": fact.charging_us, "idle_us": fact.idle_us,
            "revenue_currency": revenue.currency if revenue else None,
            "revenue_minor": revenue.net_minor if revenue else None,
            "revenue_posted_at": revenue.posted_at if revenue else None, "fleet_id": fact.fleet_id,
            "vehicle_id": fact.vehicle_id}


def _fact(row: Any) -> SessionFact:
    revenue = (SessionRevenue(row.revenue_currency, row.revenue_minor, row.revenue_posted_at)
               if row.revenue_currency is not None else None)
    return SessionFact(organization_id=row.organization_id, session_id=row.session_id, location_id=row.location_id,
                       charge_point_id=row.charge_point_id, evse_id=row.evse_id, connector_id=row.connector_id,
                       driver_id=row.driver_id, tariff_id=row.tariff_id, timezone=row.timezone,
                       started_at=row.started_at, stopped_at=row.stopped_at, energy_mwh=row.energy_mwh,
                       charging_us=row.charging_us, idle_us=row.idle_us, revenue=revenue, fleet_id=row.fleet_id,
                       vehicle_id=row.vehicle_id)


_LOCATION = ("organization_id", "location_id")
# Each rollup: its table, its key, and the columns a contribution adds to.
ROLLUPS: tuple[tuple[Table, tuple[str, ...], tuple[str, ...]], ...] = (
    (report_location_days, (*_LOCATION, "local_date"), MEASURES),
    (report_location_months, (*_LOCATION, "local_month"), MEASURES),
    (report_location_hours, (*_LOCATION, "local_date"), HOURS),
    (report_connector_days, (*_CONNECTOR, "local_date"), MEASURES),
    (report_connector_months, (*_CONNECTOR, "local_month"), MEASURES),
    (report_fleet_months, ("organization_id", "local_month", "fleet_id", "vehicle_id", "driver_id", "currency"),
     FLEET_MEASURES),
)


def contributions(fact: SessionFact, sign: int) -> dict[str, list[dict[str, Any]]]:
    """What the fact adds to (``sign`` 1) or takes from (-1) each rollup, by table name: the figures of the
    session on its local start date, its connector's occupied time on each local day it fell on, and the
    session in the hour it started."""
    days: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    start = days[fact.local_date]
    for name, value in (("sessions", 1), ("energy_mwh", fact.energy_mwh), ("duration_us", fact.duration_us),
                        ("charging_us", fact.charging_us), ("idle_us", fact.idle_us)):
        start[name] += sign * value
    for day, occupied in fact.occupancy():
        days[day]["occupied_us"] += sign * occupied
    months: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for day, values in days.items():
        month = months[day.replace(day=1)]
        for m in MEASURES:
            month[m] += values[m]
    location = {"organization_id": fact.organization_id, "location_id": fact.location_id}
    connector = location | {"charge_point_id": fact.charge_point_id, "evse_id": fact.evse_id,
                            "connector_id": fact.connector_id}
    hours = dict.fromkeys(HOURS, 0) | {HOURS[fact.local_hour]: sign}
    revenue = fact.revenue
    who = {"organization_id": fact.organization_id, "local_month": fact.local_date.replace(day=1),
           "fleet_id": fact.fleet_id or "", "vehicle_id": fact.vehicle_id or "", "driver_id": fact.driver_id or "",
           "currency": revenue.currency if revenue else ""}
    return {
        "report_fleet_months": [who | {"sessions": sign, "energy_mwh": sign * fact.energy_mwh,
                                       "duration_us": sign * fact.duration_us, "charging_us": sign * fact.charging_us,
                                       "idle_us": sign * fact.idle_us,
                                       "cost_minor": sign * revenue.net_minor if revenue else 0}],
        "report_location_days": [location | {"local_date": d} | v for d, v in sorted(days.items())],
        "report_location_months": [location | {"local_month": m} | v for m, v in sorted(months.items())],
        "report_location_hours": [location | {"local_date": fact.local_date, "weekday": fact.weekday} | hours],
        "report_connector_days": [connector | {"local_date": d} | v for d, v in sorted(days.items())],
        "report_connector_months": [connector | {"local_month": m} | v for m, v in sorted(months.items())],
    }


def _adds(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """The ON CONFLICT clause adding a contribution to a rollup's row (no closure: its statement is cached)."""
    return lambda insert, t=table, k=key, c=columns: insert.on_conflict_do_update(
        index_elements=list(k), set_={name: t.c[name] + insert.excluded[name] for name in c})


_ADDS = {table.name: (table, _adds(table, key, columns)) for table, key, columns in ROLLUPS}


def _insert_fact(insert: Any) -> Any:
    return insert


class SqlSessionFacts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, organization_id: str, session_id: str) -> SessionFact | None:
        f = session_facts.c
        row = (await self._connection.execute(select(session_facts).where(
            f.organization_id == organization_id, f.session_id == session_id))).first()
        return _fact(row) if row is not None else None

    async def put(self, fact: SessionFact) -> None:
        old = await self.get(fact.organization_id, fact.session_id)
        if old is not None and fact.revenue is None:
            fact = attrs.evolve(fact, revenue=old.revenue)
        if old == fact:
            return
        if old is not None and attrs.evolve(old, revenue=None) == attrs.evolve(fact, revenue=None):
            assert fact.revenue is not None
            await self.set_revenue(fact.organization_id, fact.session_id, fact.revenue)
            return
        if old is not None:
            await self._roll(old, -1)
            if old.revenue is not None:
                await self._book(old, old.revenue, -1)
            f = session_facts.c
            await self._connection.execute(delete(session_facts).where(
                f.organization_id == old.organization_id, f.session_id == old.session_id))
        await insert_many(self._connection, session_facts, [_fact_row(fact)], _insert_fact)
        await self._roll(fact, 1)
        if fact.revenue is not None:
            await self._book(fact, fact.revenue, 1)

    async def _book(self, fact: SessionFact, revenue: SessionRevenue, sign: int) -> None:
        """Add (or take back) the session's revenue in the rollup of the books' days."""
        zone = await organization_zone(self._connection, fact.organization_id)
        await insert_many(self._connection, report_revenue_days, [{
            "organization_id": fact.organization_id, "timezone": zone,
            "local_date": revenue.posted_at.astimezone(ZoneInfo(zone)).date(), "location_id": fact.location_id,
            "currency": revenue.currency, "revenue_minor": sign * revenue.net_minor}], _add_revenue_days)

    async def _roll(self, fact: SessionFact, sign: int) -> None:
        for name, rows in contributions(fact, sign).items():
            table, adds = _ADDS[name]
            await insert_many(self._connection, table, rows, adds)

    async def set_revenue(self, organization_id: str, session_id: str, revenue: SessionRevenue) -> bool:
        fact = await self.get(organization_id, session_id)
        if fact is None:
            return False
        if fact.revenue is not None:
            return True      # booked once: the posting is unique on its session
        f = session_facts.c
        await self._connection.execute(
            update(session_facts).where(f.organization_id == organization_id, f.session_id == session_id)
            .values(revenue_currency=revenue.currency, revenue_minor=revenue.net_minor,
                    revenue_posted_at=revenue.posted_at))
        await self._book(fact, revenue, 1)
        # The session moves in the rollup by who charged: from unbooked to booked in the posting's currency.
        table, adds = _ADDS[report_fleet_months.name]
        for sign, state in ((-1, fact), (1, attrs.evolve(fact, revenue=revenue))):
            await insert_many(self._connection, table, contributions(state, sign)[report_fleet_months.name], adds)
        return True

    async def reindex(self, organization_id: str) -> None:
        """The revenue rollup of the books' days again, in the organization's zone of now."""
        zone = await organization_zone(self._connection, organization_id)
        r, f = report_revenue_days.c, session_facts.c
        await self._connection.execute(delete(report_revenue_days).where(r.organization_id == organization_id))
        bounds = (await self._connection.execute(select(func.min(f.revenue_posted_at), func.max(f.revenue_posted_at))
                                                 .where(f.organization_id == organization_id))).one()
        if bounds[0] is None:
            return
        day = local_date(self._connection, f.revenue_posted_at, zone, bounds[0], bounds[1] + timedelta(seconds=1))
        rows = select(f.organization_id, literal(zone), day, f.location_id, f.revenue_currency,
                      func.sum(f.revenue_minor)).where(
            f.organization_id == organization_id, f.revenue_currency.is_not(None)).group_by(
            f.organization_id, day, f.location_id, f.revenue_currency)
        await self._connection.execute(report_revenue_days.insert().from_select(
            ["organization_id", "timezone", "local_date", "location_id", "currency", "revenue_minor"], rows))


async def organization_zone(connection: AsyncConnection, organization_id: str) -> str:
    zone = (await connection.execute(select(organizations.c.timezone).where(
        organizations.c.id == organization_id))).scalar_one_or_none()
    return str(zone or "UTC")


def local_date(connection: AsyncConnection, instant: Any, zone: str, start: datetime,
               end: datetime) -> ColumnElement[Any]:
    """The local date of ``instant`` in ``zone``, for instants in ``[start, end)``: ``AT TIME ZONE`` on
    PostgreSQL; on SQLite, which has no zone rules, the zone's UTC offsets in the window as a CASE."""
    if connection.dialect.name == "postgresql":
        return cast(func.timezone(zone, instant), Date)
    intervals = offset_intervals(ZoneInfo(zone), start, end)
    modifiers = [literal(f"{offset:+d} seconds") for _, _, offset in intervals]
    if len(intervals) == 1:
        return func.date(instant, modifiers[0])
    return func.date(instant, case(*((instant < high, modifier)
                                     for (_, high, _), modifier in zip(intervals[:-1], modifiers, strict=False)),
                                   else_=modifiers[-1]))


def _add_revenue_days(insert: Any) -> Any:
    return insert.on_conflict_do_update(
        index_elements=["organization_id", "timezone", "local_date", "location_id", "currency"],
        set_={"revenue_minor": report_revenue_days.c.revenue_minor + insert.excluded.revenue_minor})


def _sums(row: Any, offset: int) -> UsageSums:
    return UsageSums(*(int(value or 0) for value in row[offset:offset + len(MEASURES)]))


class SqlReports:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def usage(self, organization_id: str, window: ReportWindow, group_by: Grouping,
                    location_id: str | None = None, fleet_id: str | None = None) -> dict[GroupKey, UsageSums]:
        out: dict[GroupKey, UsageSums] = defaultdict(UsageSums)
        if group_by in WHO or fleet_id is not None:      # who charged: the location rollups do not know
            def measures(c: Any) -> tuple[Any, ...]:
                return tuple(func.sum(c[m]) for m in FLEET_MEASURES[:5])

            for key, row in await self._fact_groups(organization_id, window, group_by, location_id, fleet_id,
                                                    measures):
                out[key] += UsageSums(*(int(value or 0) for value in row))
        elif group_by in (Grain.DAY, Grain.WEEK):     # weeks are made of days: the daily rollup alone
            t = report_location_days.c
            statement = (select(t.local_date, *(func.sum(t[m]) for m in MEASURES))
                         .where(*self._scope(t, organization_id, location_id), t.local_date >= window.start,
                                t.local_date < window.end).group_by(t.local_date))
            for row in await self._connection.execute(statement):
                out[GroupKey(period=bucket_start(_date(row[0]), group_by))] += _sums(row, 1)  # type: ignore[arg-type]
        else:
            for key, sums in await self._rollup_sums(organization_id, window, group_by, location_id):
                out[key] += sums
        return {key: sums for key, sums in out.items() if sums != UsageSums()}

    async def fleet_costs(self, organization_id: str, window: ReportWindow, group_by: Grouping, currency: str,
                          location_id: str | None = None, fleet_id: str | None = None) -> dict[GroupKey, CostSums]:
        def measures(c: Any) -> tuple[Any, ...]:
            priced = c.currency == currency
            return (func.sum(c.sessions), func.sum(c.energy_mwh), func.sum(case((priced, c.sessions), else_=0)),
                    func.sum(case((priced, c.energy_mwh), else_=0)), func.sum(case((priced, c.cost_minor), else_=0)))

        out: dict[GroupKey, CostSums] = defaultdict(CostSums)
        for key, row in await self._fact_groups(organization_id, window, group_by, location_id, fleet_id, measures,
                                                fleets_only=True):
            out[key] += CostSums(*(int(value or 0) for value in row))
        return {key: sums for key, sums in out.items() if sums != CostSums()}

    async def _fact_groups(self, organization_id: str, window: ReportWindow, group_by: Grouping,
                           location_id: str | None, fleet_id: str | None, measures: Callable[[Any], tuple[Any, ...]],
                           fleets_only: bool = False) -> list[tuple[GroupKey, tuple[Any, ...]]]:
        """``measures`` (of the columns ``FLEET_MEASURES`` and ``currency``) of the sessions started in the window,
        GROUP BY what ``group_by`` names. By fleet, vehicle, driver or month, and not for one location, the months
        the window covers whole come from ``report_fleet_months`` and the days around them from the facts; else
        the facts alone (through the index of the organization's local dates, or of a fleet's), time buckets by
        local date added up here (at most a row per day of the window)."""
        names: tuple[str, ...] = {
            Dimension.LOCATION: ("location_id",), Dimension.CHARGE_POINT: ("location_id", "charge_point_id"),
            Dimension.CONNECTOR: ("location_id", "charge_point_id", "evse_id", "connector_id"),
            Dimension.FLEET: ("fleet_id",), Dimension.VEHICLE: ("vehicle_id",), Dimension.DRIVER: ("driver_id",),
            Dimension.FLEET_VEHICLE: ("fleet_id", "vehicle_id"),
        }.get(group_by, ("period",))  # type: ignore[arg-type]
        months = window.whole_months() if location_id is None and (group_by in WHO_ALL or group_by is Grain.MONTH) \
            else None
        parts: list[Any]
        if months is None:
            parts = [self._facts_part(organization_id, window.start, window.end, names, location_id, fleet_id,
                                      fleets_only)]
        else:
            r = report_fleet_months.c
            scope = [r.organization_id == organization_id, r.local_month >= months[0], r.local_month < months[1]]
            if fleet_id is not None:
                scope.append(r.fleet_id == fleet_id)
            elif fleets_only:
                scope.append(r.fleet_id != "")
            parts = [select(*(r.local_month.label("period") if n == "period" else r[n] for n in names),
                            r.currency, *(r[m] for m in FLEET_MEASURES)).where(*scope)]
            parts += [self._facts_part(organization_id, low, high, names, location_id, fleet_id, fleets_only)
                      for low, high in ((window.start, months[0]), (months[1], window.end)) if low < high]
        union: Any = union_all(*parts) if len(parts) > 1 else parts[0]
        both = union.subquery()
        keys = [both.c[n] for n in names]
        statement = select(*keys, *measures(both.c)).group_by(*keys)
        found = []
        for row in await self._connection.execute(statement):
            values = tuple(row)
            if isinstance(group_by, Grain):
                key = GroupKey(period=bucket_start(_date(values[0]), group_by))
            elif group_by is Dimension.FLEET_VEHICLE:
                key = GroupKey(who=values[0] or None, vehicle_id=values[1] or None)
            elif group_by in WHO:
                key = GroupKey(who=values[0] or None)
            else:
                key = GroupKey(**dict(zip(names, values[:len(names)], strict=True)))
            found.append((key, values[len(names):]))
        return found

    def _facts_part(self, organization_id: str, low: date, high: date, names: tuple[str, ...],
                    location_id: str | None, fleet_id: str | None, fleets_only: bool) -> Any:
        """The facts of sessions started on local dates ``[low, high)``, shaped as rows of ``report_fleet_months``
        (a session each; who charged '' for none) with the key columns ``names``."""
        f = session_facts.c
        columns: dict[str, Any] = {"period": f.local_date, "fleet_id": func.coalesce(f.fleet_id, ""),
                                   "vehicle_id": func.coalesce(f.vehicle_id, ""),
                                   "driver_id": func.coalesce(f.driver_id, "")}
        where = [*self._scope(f, organization_id, location_id), f.local_date >= low, f.local_date < high]
        if fleet_id is not None:
            where.append(f.fleet_id == fleet_id)
        elif fleets_only:
            where.append(f.fleet_id.is_not(None))
        return select(*(columns[n].label(n) if n in columns else f[n] for n in names),
                      func.coalesce(f.revenue_currency, "").label("currency"), literal(1).label("sessions"),
                      f.energy_mwh, f.duration_us, f.charging_us, f.idle_us,
                      func.coalesce(f.revenue_minor, 0).label("cost_minor")).where(*where)

    async def vehicle_distances(self, organization_id: str, start: datetime, end: datetime,
                                vehicle_ids: Collection[str]) -> dict[str, int]:
        """Per vehicle, three readings found through the index (organization, vehicle, instant) by correlated
        subqueries: the last at or before ``start``, the first in ``[start, end)``, the last at or before ``end``
        (id and metres of each)."""
        v, r = vehicles.c, vehicle_odometer_readings.c

        def reading(column: Any, *where: ColumnElement[bool], last: bool) -> Any:
            order = (r.read_at.desc(), r.id.desc()) if last else (r.read_at, r.id)
            return (select(column).where(r.organization_id == v.organization_id, r.vehicle_id == v.id, *where)
                    .order_by(*order).limit(1).scalar_subquery())

        marks = ((r.read_at <= start,), (r.read_at >= start, r.read_at < end), (r.read_at <= end,))
        lasts = (True, False, True)
        out: dict[str, int] = {}
        wanted = sorted(set(vehicle_ids))
        for chunk in (wanted[i:i + 500] for i in range(0, len(wanted), 500)):
            statement = select(v.id, *(reading(column, *where, last=last)
                                       for where, last in zip(marks, lasts, strict=True)
                                       for column in (r.id, r.odometer_m))
                               ).where(v.organization_id == organization_id, v.id.in_(chunk))
            for row in await self._connection.execute(statement):
                found = [(row[i], int(row[i + 1])) if row[i] is not None else None for i in (1, 3, 5)]
                distance = bracketed_distance_m(*found)
                if distance is not None:
                    out[row[0]] = distance
        return out

    async def names(self, organization_id: str, dimension: Dimension,
                    ids: Collection[str] | None = None) -> dict[str, str]:
        table = {Dimension.FLEET: fleets, Dimension.VEHICLE: vehicles, Dimension.DRIVER: drivers}[dimension]
        t = table.c
        columns = (t.id, t.make, t.model, t.licence_plate, t.vin) if dimension is Dimension.VEHICLE else (t.id, t.name)
        wanted = sorted(set(ids)) if ids is not None else None
        out: dict[str, str] = {}
        for chunk in ([wanted[i:i + 500] for i in range(0, len(wanted), 500)] if wanted is not None else [None]):
            statement = select(*columns).where(t.organization_id == organization_id,
                                               *([t.id.in_(chunk)] if chunk is not None else []))
            for row in await self._connection.execute(statement):
                out[row[0]] = vehicle_label(*row[1:]) if dimension is Dimension.VEHICLE else row[1]
        return out

    @staticmethod
    def _scope(t: Any, organization_id: str, location_id: str | None) -> list[ColumnElement[bool]]:
        return [t.organization_id == organization_id] + ([t.location_id == location_id] if location_id else [])

    async def _rollup_sums(self, organization_id: str, window: ReportWindow, group_by: Grouping,
                           location_id: str | None) -> list[tuple[GroupKey, UsageSums]]:
        """By month, location, charge point or connector: the months the window covers whole from a monthly
        rollup, the days around them from the daily one, added up in one statement."""
        by_location = group_by in (Grain.MONTH, Dimension.LOCATION)
        daily, monthly = ((report_location_days, report_location_months) if by_location
                          else (report_connector_days, report_connector_months))
        names: tuple[str, ...] = {Grain.MONTH: (), Dimension.LOCATION: ("location_id",),
                                  Dimension.CHARGE_POINT: ("location_id", "charge_point_id")}.get(
            group_by, ("location_id", "charge_point_id", "evse_id", "connector_id"))
        parts: list[tuple[Table, str, date, date]] = []
        months = window.whole_months()
        if months is None:
            parts.append((daily, "local_date", window.start, window.end))
        else:
            parts.append((monthly, "local_month", months[0], months[1]))
            parts += [(daily, "local_date", low, high)
                      for low, high in ((window.start, months[0]), (months[1], window.end)) if low < high]
        selects = []
        for table, column, low, high in parts:
            t = table.c
            period = [t[column].label("period")] if group_by is Grain.MONTH else []
            selects.append(select(*period, *(t[n] for n in names), *(t[x] for x in MEASURES))
                           .where(*self._scope(t, organization_id, location_id), t[column] >= low, t[column] < high))
        both = union_all(*selects).subquery() if len(selects) > 1 else selects[0].subquery()
        keys = [both.c.period] if group_by is Grain.MONTH else [both.c[n] for n in names]
        statement = select(*keys, *(func.sum(both.c[x]) for x in MEASURES)).group_by(*keys)
        found = []
        for row in await self._connection.execute(statement):
            if group_by is Grain.MONTH:
                key = GroupKey(period=bucket_start(_date(row[0]), Grain.MONTH))
            elif group_by is Dimension.LOCATION:
                key = GroupKey(location_id=row[0])
            elif group_by is Dimension.CHARGE_POINT:
                key = GroupKey(location_id=row[0], charge_point_id=row[1])
            else:
                key = GroupKey(location_id=row[0], charge_point_id=row[1], evse_id=row[2], connector_id=row[3])
            found.append((key, _sums(row, len(keys))))
        return found

    async def peak_hours(self, organization_id: str, window: ReportWindow,
                         location_id: str | None = None) -> dict[tuple[int, int], int]:
        t = report_location_hours.c
        statement = (select(t.weekday, *(func.sum(t[h]) for h in HOURS))
                     .where(*self._scope(t, organization_id, location_id), t.local_date >= window.start,
                            t.local_date < window.end).group_by(t.weekday))
        out: dict[tuple[int, int], int] = {}
        for row in await self._connection.execute(statement):
            for hour in range(24):
                if row[1 + hour]:
                    out[(int(row[0]), hour)] = int(row[1 + hour])
        return out

    async def connectors(self, organization_id: str, location_id: str | None = None) -> list[ConnectorInfo]:
        c, p = connectors.c, charge_points.c
        statement = (select(p.location_id, c.charge_point_id, c.evse_id, c.connector_id, p.created_at)
                     .join(charge_points, and_(p.organization_id == c.organization_id, p.id == c.charge_point_id))
                     .where(c.organization_id == organization_id, c.connector_id != 0,
                            *([p.location_id == location_id] if location_id else []))
                     .order_by(p.location_id, c.charge_point_id, c.evse_id, c.connector_id))
        return [ConnectorInfo(*row) for row in await self._connection.execute(statement)]

    async def locations(self, organization_id: str) -> list[LocationInfo]:
        t = locations.c
        statement = select(t.id, t.name, t.timezone).where(t.organization_id == organization_id).order_by(t.id)
        return [LocationInfo(*row) for row in await self._connection.execute(statement)]

    async def ledger(self, organization_id: str, start: datetime, end: datetime, zone: str,
                     grain: Grain | None) -> dict[tuple[date | None, str], LedgerSums]:
        q = ledger_quarter_hours.c
        columns: list[Any] = [q.currency, q.account, func.sum(q.debit_minor), func.sum(q.credit_minor)]
        if grain is not None:
            columns.insert(0, local_date(self._connection, q.quarter_at, zone, start, end).label("local_date"))
        statement = (select(*columns).where(q.organization_id == organization_id, q.quarter_at >= start,
                                            q.quarter_at < end)
                     .group_by(*(columns[:3] if grain is not None else columns[:2])))
        out: dict[tuple[date | None, str], LedgerSums] = defaultdict(LedgerSums)
        for row in await self._connection.execute(statement):
            values = tuple(row)
            bucket = bucket_start(_date(values[0]), grain) if grain is not None else None
            currency, account, debits, credits = values[-4:]
            out[(bucket, currency)] += LedgerSums.of(account, int(debits), int(credits))
        return {key: sums for key, sums in out.items() if sums}

    async def revenue_by_location(self, organization_id: str, start: datetime, end: datetime,
                                  location_id: str | None = None) -> dict[tuple[str, str], int]:
        """From the rollup of the books' days when the window is whole days of the organization's zone and the
        rollup is in that zone; else (the zone changed and nobody ran ``charge report rebuild``) from the facts."""
        zone = await organization_zone(self._connection, organization_id)
        tz = ZoneInfo(zone)
        first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
        r = report_revenue_days.c
        # Two probes of the key (a zone before this one, a zone after it), not a scan of the organization's rows.
        stale = (await self._connection.execute(select(
            exists().where(r.organization_id == organization_id, r.timezone < zone)
            | exists().where(r.organization_id == organization_id, r.timezone > zone)))).scalar()
        if not stale and local_midnight(first, tz) == start and local_midnight(last, tz) == end:
            statement = (select(r.location_id, r.currency, func.sum(r.revenue_minor))
                         .where(*self._scope(r, organization_id, location_id), r.timezone == zone,
                                r.local_date >= first, r.local_date < last)
                         .group_by(r.location_id, r.currency))
        else:
            f = session_facts.c
            statement = (select(f.location_id, f.revenue_currency, func.sum(f.revenue_minor))
                         .where(*self._scope(f, organization_id, location_id), f.revenue_posted_at >= start,
                                f.revenue_posted_at < end)
                         .group_by(f.location_id, f.revenue_currency))
        found = {(row[0], row[1]): int(row[2]) for row in await self._connection.execute(statement)}
        return {key: value for key, value in found.items() if value}


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
