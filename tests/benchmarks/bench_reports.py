"""Reports on 1,000,000 completed sessions on PostgreSQL: latency of each report over repeated calls.

Seeded straight into a fresh database with COPY (not timed): an organization with 200 locations in five time
zones, 1,000 charge points of two connectors, 20 fleets of 20 vehicles and 20 drivers each, and a year (2025)
of sessions spread evenly over them, 30 % of them charged by a fleet's driver in one of its vehicles — each
session's fact, what it adds to the rollups (per location and per connector by day and month, per local hour,
and per month by who charged: the adapter's own ``contributions``), and its ledger posting (charging revenue
against unbilled receivable, two entries) with the quarter-hour rollup the trigger keeps. Each report is then
built by the use case (``build_report``: authorization, the aggregate queries, the shaping) over a Database, as
the REST door calls it, ``REPEAT`` times after a warm-up call; p50 and p99 are of those calls. Windows: the
whole year (every session) and one month; fleet costs and usage also for one fleet. Goal: each well under a
second. ``BENCH_REPORTS_SESSIONS`` overrides the size.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import attrs

from adapters.sql.database import Database
from adapters.sql.migrate import upgrade
from adapters.sql.repositories.reports import _fact_row, contributions
from application.authorization import Actor
from application.reports import ReportName, ReportRequest, build_report
from domain.identity import Role
from domain.ids import PREFIXES, new_id, ulid
from domain.reports import SessionFact, SessionRevenue
from tests.benchmarks.processes import QUICK
from tests.integration.sql.builders import an_organization
from tests.support.databases import DEFAULT_POSTGRES_URL, POSTGRES_ENV, PostgresServer

TITLE = "Reports"
SESSIONS = int(os.environ.get("BENCH_REPORTS_SESSIONS", "100000" if QUICK else "1000000"))
LOCATIONS, CHARGE_POINTS = 200, 1000
ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
REPEAT = 10 if QUICK else 30
GOAL_MS = 1000
YEAR = (date(2025, 1, 1), date(2026, 1, 1))
MONTH = (date(2025, 6, 1), date(2025, 7, 1))
CHUNK = 50_000
FLEETS, PER_FLEET, FLEET_SHARE = 20, 20, 0.3
CASES: list[tuple[ReportName, str | None, tuple[date, date]]] = [
    (ReportName.REVENUE, "month", YEAR), (ReportName.REVENUE, "day", YEAR), (ReportName.REVENUE, "location", YEAR),
    (ReportName.USAGE, "day", YEAR), (ReportName.USAGE, "week", YEAR), (ReportName.USAGE, "location", YEAR),
    (ReportName.USAGE, "charge_point", YEAR), (ReportName.USAGE, "charge_point", MONTH),
    (ReportName.PEAK_HOURS, None, YEAR), (ReportName.PEAK_HOURS, None, MONTH),
    (ReportName.LOCATIONS, None, YEAR), (ReportName.UTILIZATION, "location", YEAR),
    (ReportName.UTILIZATION, "connector", YEAR), (ReportName.UTILIZATION, "connector", (date(2025, 3, 15),
                                                                                          date(2025, 9, 10))),
    (ReportName.UTILIZATION, "day", YEAR), (ReportName.USAGE, "day", MONTH),
    (ReportName.FLEET_COSTS, "fleet", YEAR), (ReportName.FLEET_COSTS, "vehicle", YEAR),
    (ReportName.FLEET_COSTS, "driver", YEAR), (ReportName.FLEET_COSTS, "month", YEAR),
    (ReportName.FLEET_COSTS, "day", MONTH), (ReportName.FLEET_COSTS, "vehicle", (date(2025, 3, 15), date(2025, 9, 10))),
    (ReportName.USAGE, "fleet", YEAR), (ReportName.USAGE, "driver", MONTH),
]
# The same again for one fleet (``fleet_id``): a fleet manager's view.
FLEET_CASES: list[tuple[ReportName, str | None, tuple[date, date]]] = [
    (ReportName.FLEET_COSTS, "vehicle", YEAR), (ReportName.FLEET_COSTS, "day", YEAR),
    (ReportName.USAGE, "location", YEAR),
]



async def seed(url: str, sessions: int) -> tuple[str, str]:
    """The organization and its network (through the repositories), then facts, rollups and postings by COPY."""
    from domain.fleets import Fleet, Vehicle
    from domain.network import ChargePoint, Connector, Driver, Location

    organization = an_organization()
    registered = datetime(2024, 6, 1, tzinfo=UTC)
    locations = [Location(id=new_id(PREFIXES["location"]), organization_id=organization.id, name=f"Site {i:03d}",
                          address=f"{i} Main Street", city="Anywhere", country="DE", timezone=ZONES[i % len(ZONES)],
                          created_at=registered) for i in range(LOCATIONS)]
    points = [ChargePoint(id=f"CP-BENCH-{i:04d}", organization_id=organization.id,
                          location_id=locations[i % LOCATIONS].id, created_at=registered,
                          connectors=[Connector(1, 1), Connector(1, 2)]) for i in range(CHARGE_POINTS)]
    fleets = [Fleet(id=new_id(PREFIXES["fleet"]), organization_id=organization.id, name=f"Fleet {i:02d}",
                    created_at=registered) for i in range(FLEETS)]
    vehicles = [Vehicle(id=new_id(PREFIXES["vehicle"]), organization_id=organization.id,
                        fleet_id=fleets[i // PER_FLEET].id, vin=f"WVWZZZ1JZ{i:08d}", make="Volkswagen", model="ID.4",
                        battery_kwh=Decimal(77), created_at=registered) for i in range(FLEETS * PER_FLEET)]
    drivers = [Driver(id=new_id(PREFIXES["driver"]), organization_id=organization.id, name=f"Driver {i:03d}",
                      created_at=registered, fleet_id=fleets[i // PER_FLEET].id) for i in range(FLEETS * PER_FLEET)]
    database = Database(url)
    try:
        async with database.unit_of_work() as uow:
            await uow.organizations.add(organization)
            for location in locations:
                await uow.locations.add(location)
            for point in points:
                await uow.charge_points.add(point)
            for fleet in fleets:
                await uow.fleets.add(fleet)
            for vehicle in vehicles:
                await uow.vehicles.add(vehicle)
            for driver in drivers:
                await uow.drivers.add(driver)
            await uow.commit()
    finally:
        await database.dispose()
    zone_of = {x.id: x.timezone for x in locations}
    rng = random.Random(14)
    start, span = datetime(2025, 1, 1, tzinfo=UTC).timestamp(), 365 * 86400
    books_zone = ZoneInfo(organization.settings.timezone)
    revenue_days: dict[tuple[Any, ...], int] = defaultdict(int)
    rollups: dict[str, dict[tuple[Any, ...], dict[str, int]]] = defaultdict(dict)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER")
        await connection.execute("ALTER TABLE ledger_transactions DISABLE TRIGGER USER")
        fact_columns = list(_fact_row(_a_fact(organization.id, points[0], zone_of, 0.0, rng)))
        for first in range(0, sessions, CHUNK):
            facts, transactions, entries = [], [], []
            for n in range(first, min(first + CHUNK, sessions)):
                point = points[n % CHARGE_POINTS]
                fact = _a_fact(organization.id, point, zone_of, start + rng.random() * span, rng)
                if rng.random() < FLEET_SHARE:
                    i = rng.randrange(len(vehicles))
                    fact = attrs.evolve(fact, fleet_id=vehicles[i].fleet_id, vehicle_id=vehicles[i].id,
                                        driver_id=drivers[i].id)
                row = _fact_row(fact)
                facts.append(tuple(row[c] for c in fact_columns))
                for table, rows in contributions(fact, 1).items():
                    for contribution in rows:
                        _add(rollups[table], contribution)
                assert fact.revenue is not None
                revenue_days[(fact.revenue.posted_at.astimezone(books_zone).date(), fact.location_id)] += \
                    fact.revenue.net_minor
                txn = f"{PREFIXES['ledger_transaction']}_{ulid(int(fact.revenue.posted_at.timestamp() * 1000))}"
                transactions.append((txn, organization.id, "session", fact.session_id, fact.revenue.posted_at,
                                     "Session priced", None, None, fact.session_id, 2))
                minor = fact.revenue.net_minor
                entries += [(organization.id, txn, 0, "unbilled_receivable", "EUR", minor, 0, fact.revenue.posted_at),
                            (organization.id, txn, 1, "charging_revenue", "EUR", 0, minor, fact.revenue.posted_at)]
            await connection.copy_records_to_table("session_facts", columns=fact_columns, records=facts)
            await connection.copy_records_to_table(
                "ledger_transactions", records=transactions,
                columns=["id", "organization_id", "source_kind", "source_id", "posted_at", "description",
                         "customer_id", "invoice_id", "session_id", "entry_count"])
            await connection.copy_records_to_table(
                "ledger_entries", records=entries,
                columns=["organization_id", "transaction_id", "position", "account", "currency", "debit_minor",
                         "credit_minor", "posted_at"])
        for table, rows in rollups.items():
            first_row = next(iter(rows.values()))
            await connection.copy_records_to_table(table, columns=list(first_row), records=[
                tuple(r.values()) for r in rows.values()])
        await connection.copy_records_to_table(
            "report_revenue_days", columns=["organization_id", "timezone", "local_date", "location_id", "currency",
                                            "revenue_minor"],
            records=[(organization.id, books_zone.key, day, location, "EUR", minor)
                     for (day, location), minor in revenue_days.items()])
        # What the trigger keeps, for the rows COPY wrote with it disabled (migration 0010's own statement).
        await connection.execute("""
            INSERT INTO ledger_quarter_hours (organization_id, currency, account, quarter_at, debit_minor, credit_minor)
            SELECT organization_id, currency, account, date_bin('15 minutes', posted_at, TIMESTAMPTZ 'epoch'),
                   sum(debit_minor), sum(credit_minor)
            FROM ledger_entries WHERE account IN ('charging_revenue', 'fee_revenue', 'refunds')
                OR account LIKE 'vat_payable:%' GROUP BY 1, 2, 3, 4""")
        await connection.execute("ALTER TABLE ledger_entries ENABLE TRIGGER USER")
        await connection.execute("ALTER TABLE ledger_transactions ENABLE TRIGGER USER")
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return organization.id, fleets[0].id


def _add(table: dict[tuple[Any, ...], dict[str, int]], row: dict[str, Any]) -> None:
    measures = {k: v for k, v in row.items() if isinstance(v, int) and k not in ("evse_id", "connector_id",
                                                                                  "weekday")}
    key = tuple((k, v) for k, v in row.items() if k not in measures)
    found = table.get(key)
    if found is None:
        table[key] = dict(row)
    else:
        for name, value in measures.items():
            found[name] += value


def _a_fact(organization_id: str, point: Any, zone_of: dict[str, str], started: float,
            rng: random.Random) -> SessionFact:
    begin = datetime.fromtimestamp(int(started), UTC)
    minutes = rng.randint(20, 240)
    stop = begin + timedelta(minutes=minutes)
    mwh = rng.randint(2_000_000, 60_000_000)
    charging = min(minutes, rng.randint(15, 200)) * 60_000_000
    session_id = f"{PREFIXES['session']}_{ulid(int(started * 1000))}"
    return SessionFact(organization_id=organization_id, session_id=session_id, location_id=point.location_id,
                       charge_point_id=point.id, evse_id=1, connector_id=1 + rng.randint(0, 1), driver_id=None,
                       tariff_id=None, timezone=zone_of[point.location_id], started_at=begin, stopped_at=stop,
                       energy_mwh=mwh, charging_us=charging, idle_us=minutes * 60_000_000 - charging,
                       revenue=SessionRevenue("EUR", mwh // 3_333 + 50, stop + timedelta(seconds=2)))


async def measure(url: str, organization_id: str, fleet_id: str) -> list[dict[str, object]]:
    database = Database(url)
    actor = Actor(api_key_id="key_bench", api_key_organization_id=organization_id, api_key_role=Role.VIEWER)

    class Clock:
        def now(self) -> datetime:
            return datetime(2026, 1, 15, tzinfo=UTC)

    rows: list[dict[str, object]] = []
    try:
        for name, group_by, (start, end), fleet in [(*c, None) for c in CASES] + [(*c, fleet_id) for c in FLEET_CASES]:
            request = ReportRequest(start, end, group_by, fleet_id=fleet)

            async def once(name: ReportName = name, request: ReportRequest = request) -> Any:
                return await build_report(actor, organization_id, name, request,
                                          uow_factory=database.unit_of_work, clock=Clock())

            report = await once()
            times = []
            for _ in range(REPEAT):
                began = time.perf_counter()
                await once()
                times.append((time.perf_counter() - began) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            rows.append({"report": name.value + (" (one fleet)" if fleet else ""), "group_by": group_by or "—",
                         "window": f"{start.isoformat()}..{end.isoformat()}", "rows": len(report.rows),
                         "p50 ms": f"{statistics.median(times):.1f}", "p99 ms": f"{p99:.1f}"})
    finally:
        await database.dispose()
    return rows


def run() -> list[dict[str, object]]:
    server = PostgresServer(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES_URL))
    name = asyncio.run(server.create_database())
    url = server.url_for(name)
    try:
        asyncio.run(upgrade(url))
        began = time.perf_counter()
        organization_id, fleet_id = asyncio.run(seed(url, SESSIONS))
        print(f"seeded {SESSIONS:,} sessions in {time.perf_counter() - began:.0f} s", flush=True)
        return asyncio.run(measure(url, organization_id, fleet_id))
    finally:
        asyncio.run(server.drop_database(name))


def notes(rows: list[dict[str, object]]) -> str:
    worst = max(float(str(r["p99 ms"])) for r in rows)
    met = worst < GOAL_MS
    return (f"{SESSIONS:,} sessions. Goal (every report well under {GOAL_MS} ms at p99): "
            f"{'met' if met else 'missed'} (worst p99 {worst:.0f} ms).\n\n" + WHY)


WHY = """**Why it is fast.** No report reads sessions. By location or month (usage, popular locations,
utilization) a report adds the monthly rollup per location for the months the window covers whole (200 × 12
rows for a year, whatever the number of sessions) and the daily one for the days around them; by day or week,
the daily rollup (200 × 365 rows a year); by charge point or connector, the same pair of rollups per connector;
peak hours, the rollup of sessions started per local hour (a row per location and day, 24 columns).
Revenue by period adds the ledger's quarter hours (35,040 a year), read in the
organization's zone by `AT TIME ZONE`; by location (and popular locations' revenue) the rollup of sessions'
postings per location and local date of the books (`report_revenue_days`). Fleet costs and usage by fleet,
vehicle or driver add the monthly rollup by who charged (`report_fleet_months`: a row per month, fleet, vehicle,
driver and booked currency) for the months a window covers whole and the facts of the days around them; by day
(or for one location) they read the facts, through the index of a fleet's local dates when one fleet is asked
for."""
