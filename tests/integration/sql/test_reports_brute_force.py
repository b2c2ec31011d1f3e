"""Every report against a brute-force computation over the same sessions, on SQLite and PostgreSQL, in JSON and
CSV. Hypothesis generates sessions at locations in several time zones, around their DST changes and local
midnights (Lord Howe's half-hour change, Santiago's skipped midnight, Kolkata's half-hour offset), on two
connectors, priced or not, charged by nobody's fleet or by two fleets' vehicles and drivers (or a fleet driver
without a vehicle), odometer readings of the vehicles (some on the window's edges), and a window, grouping and
fleet filter to read them by.

The brute force shares no code with the reports: local dates and hours come from ``astimezone`` minute by
minute, local midnights from a walk in quarter hours, revenue and fleet costs from the ledger's own transactions. The
revenue report's totals also agree with the trial balance's movements over the window.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.sql.database import Database
from application.pagination import PageRequest
from application.ports.billing import TransactionFilter
from application.reports import BY_FLEET, GROUPINGS, ReportName, ReportRequest
from entrypoints.report_formats import report_csv, report_json
from tests.support.databases import run_async
from tests.unit.reports.world import ZONES, build, completed_session, fleet, odometer, organization

MINUTE = timedelta(minutes=1)
US_PER_MINUTE = 60_000_000
# Around these, sessions cross DST changes and midnights: every 2026 offset change of the zones, and midnights.
ANCHORS = sorted({
    datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),        # Europe
    datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),         # New York
    datetime(2026, 4, 4, 15, tzinfo=UTC), datetime(2026, 10, 3, 15, 30, tzinfo=UTC),    # Lord Howe
    datetime(2026, 4, 5, 3, tzinfo=UTC), datetime(2026, 9, 6, 4, tzinfo=UTC),           # Santiago
    datetime(2026, 6, 30, 18, 30, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC),  # Kolkata, Berlin midnight
})


def brute_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant whose local date in ``zone`` is ``day``, walking in quarter hours (every offset since
    1972 is a whole number of them) from well before it."""
    t = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=15)
    while t.astimezone(zone).date() < day:
        t += timedelta(minutes=15)
    return t


def minutes_by_local_date(start: datetime, minutes: int, zone: ZoneInfo) -> dict[date, int]:
    out: dict[date, int] = defaultdict(int)
    for m in range(minutes):
        out[(start + m * MINUTE).astimezone(zone).date()] += 1
    return out


def bucket(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return date(day.year, day.month, 1)
    return day


def buckets(start: date, end: date, grain: str) -> list[date]:
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    return sorted({bucket(d, grain) for d in days})


def q(value: Decimal, places: str) -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def kwh(mwh: int, n: int = 1) -> str:
    return q(Decimal(mwh) / 1_000_000 / max(n, 1), "0.001")


def hours(us: int, n: int = 1) -> str:
    return q(Decimal(us) / 3_600_000_000 / max(n, 1), "0.001")


def as_csv(rows: list[dict[str, Any]], columns: list[str]) -> list[list[str]]:
    return [columns] + [["" if r[c] is None else str(r[c]) for c in columns] for r in rows]


session_specs = st.lists(st.tuples(
    st.integers(0, 5),                          # location (index into the organization's zones)
    st.integers(1, 2),                          # connector
    st.sampled_from(ANCHORS),
    st.integers(-26 * 60, 26 * 60),             # minutes from the anchor
    st.integers(1, 30 * 60),                    # minutes plugged in
    st.integers(0, 90_000_000),                 # mWh (energy to the milliwatt-hour)
    st.booleans(),                              # priced (booked in the ledger)
    st.integers(0, 4),                          # who charged (WHO)
), min_size=1, max_size=8)

# Odometer readings of a vehicle: when (minutes from the window's first or last local midnight, often exactly on
# it) and how many metres it drove since its previous reading (0 too: a vehicle that stood still).
reading_specs = st.lists(st.tuples(
    st.sampled_from(["start", "end"]),
    st.one_of(st.just(0), st.integers(-20 * 24 * 60, 20 * 24 * 60)),
    st.integers(0, 500_000),
), max_size=4)

# Who charged: (fleet, vehicle, driver) as indexes into the world's fleets (None: the organization's own driver).
WHO = ((None, None, None), (0, 0, 0), (0, 1, 1), (0, None, 1), (1, 0, 0))


@st.composite
def scenarios(draw: Any, names: tuple[ReportName, ...] = tuple(ReportName),
              groupings: tuple[str, ...] | None = None) -> dict[str, Any]:
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True))
    specs = draw(session_specs)
    # The window is around one of the sessions' anchors, so that most reports have sessions to show.
    anchor = draw(st.sampled_from(sorted({spec[2] for spec in specs}))).date()
    start = anchor - timedelta(days=draw(st.integers(0, 31)))
    end = anchor + timedelta(days=draw(st.integers(1, 31)))
    name = draw(st.sampled_from(names))
    allowed = [g.value for g in GROUPINGS[name] if groupings is None or g.value in groupings]
    group_by = draw(st.sampled_from(allowed)) if allowed else None
    return {"zones": tuple(zones), "org_zone": draw(st.sampled_from(ZONES)), "specs": specs, "start": start,
            "end": end, "name": name, "group_by": group_by, "rank_by": draw(st.sampled_from(
                ["sessions", "energy", "revenue"])) if name is ReportName.LOCATIONS else None,
            "fleet": draw(st.sampled_from([None, 0, 1])) if name in BY_FLEET else None,
            "readings": [draw(reading_specs) for _ in range(3)]}     # Alpha's two vehicles, Bravo's one


class Brute:
    """The expected rows of each report, from the sessions as generated and the ledger as booked."""

    def __init__(self, org: Any, sessions: list[dict[str, Any]], transactions: list[Any], start: date, end: date,
                 org_zone: str, now: datetime, fleets: list[Any], fleet_id: str | None = None,
                 readings: dict[str, list[tuple[datetime, int]]] | None = None) -> None:
        self.org, self.transactions, self.fleets = org, transactions, fleets
        self.readings = readings or {}
        self.sessions = [s for s in sessions if fleet_id is None or s["fleet_id"] == fleet_id]
        self.start, self.end, self.org_zone, self.now = start, end, ZoneInfo(org_zone), now
        self.names = {x.id: x.name for x in org.locations}
        self.who_names = {f.id: f.name for f in fleets} | {
            v.id: f"{v.make} {v.model} ({v.licence_plate})" for f in fleets for v in f.vehicles} | {
            d.id: d.name for f in fleets for d in f.drivers} | {org.driver.id: org.driver.name}
        self.fleet_id = fleet_id

    def inside(self, day: date) -> bool:
        return self.start <= day < self.end

    def started(self) -> list[dict[str, Any]]:
        return [s for s in self.sessions if self.inside(s["start"].astimezone(s["zone"]).date())]

    def occupancy(self, s: dict[str, Any]) -> dict[date, int]:
        return {d: m * US_PER_MINUTE for d, m in minutes_by_local_date(s["start"], s["minutes"], s["zone"]).items()
                if self.inside(d)}

    def usage_values(self, group: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(group)
        mwh = sum(s["mwh"] for s in group)
        duration = sum(s["minutes"] for s in group) * US_PER_MINUTE
        charging = sum(s["minutes"] for s in group if s["mwh"]) * US_PER_MINUTE
        return {"sessions": n, "energy_kwh": kwh(mwh), "charging_hours": hours(charging),
                "idle_hours": hours(duration - charging), "duration_hours": hours(duration),
                "average_energy_kwh": kwh(mwh, n) if n else None,
                "average_duration_hours": hours(duration, n) if n else None}

    def usage(self, group_by: str) -> list[dict[str, Any]]:
        started = self.started()
        if group_by in ("day", "week", "month"):
            return [{"period": b.isoformat()} | self.usage_values(
                [s for s in started if bucket(s["start"].astimezone(s["zone"]).date(), group_by) == b])
                for b in buckets(self.start, self.end, group_by)]
        if group_by == "location":
            return [{"location_id": x.id, "location_name": x.name} | self.usage_values(
                [s for s in started if s["location_id"] == x.id]) for x in self.locations()]
        if group_by in ("fleet", "vehicle", "driver"):
            return [self.who_row(group_by, who) | self.usage_values([s for s in started if s[group_by] == who])
                    for who in self.whos(group_by, started)]
        points = sorted({(self.names[s["location_id"]], s["location_id"], s["charge_point_id"]) for s in started})
        return [{"location_id": loc, "location_name": name, "charge_point_id": cp} | self.usage_values(
            [s for s in started if s["charge_point_id"] == cp]) for name, loc, cp in points]

    def whos(self, group_by: str, started: list[dict[str, Any]]) -> list[str | None]:
        """The groups' ids in order: by name (every fleet in scope, the others as found), nobody last."""
        found = {s[group_by] for s in started}
        if group_by == "fleet":
            found |= {f.id for f in self.fleets if self.fleet_id in (None, f.id)}
        return sorted(found, key=lambda w: (w is None, self.who_names.get(w or "", ""), w or ""))

    def who_row(self, group_by: str, who: str | None) -> dict[str, Any]:
        nobody = {"fleet": "No fleet", "vehicle": "No vehicle recorded", "driver": "No driver"}[group_by]
        name = {"fleet": "fleet_name", "vehicle": "vehicle", "driver": "driver_name"}[group_by]
        return {f"{group_by}_id": who, name: self.who_names[who] if who is not None else nobody}

    def session_cost(self, session_id: str) -> Decimal | None:
        """What the ledger credited to charging revenue for the session (None: nothing booked)."""
        found = [e.credit - e.debit for t in self.transactions if t.session_id == session_id for e in t.entries
                 if e.account == "charging_revenue"]
        return sum(found, Decimal(0)) if found else None

    def cost(self, group: list[dict[str, Any]]) -> Decimal:
        return sum((c for c in (self.session_cost(s["id"]) for s in group) if c is not None), Decimal(0))

    def cost_values(self, group: list[dict[str, Any]], driven: tuple[Decimal, int] | None = None) -> dict[str, Any]:
        priced = [(s, self.session_cost(s["id"])) for s in group]
        priced = [(s, c) for s, c in priced if c is not None]
        cost = sum((c for _, c in priced), Decimal(0))
        mwh = sum(s["mwh"] for s, _ in priced)
        return {"sessions": len(group), "energy_kwh": kwh(sum(s["mwh"] for s in group)),
                "priced_sessions": len(priced), "cost": q(cost, "0.01"),
                "cost_per_kwh": q(cost * 1_000_000 / mwh, "0.0001") if mwh else None,
                "cost_per_100km": q(driven[0] * 100_000 / driven[1], "0.0001") if driven and driven[1] else None}

    def distance(self, vehicle_id: str | None) -> int | None:
        """Metres between the reading at or before the window's first midnight (else the first one after it, before
        the last midnight) and the last at or before the last midnight; None without two such readings."""
        low, high = self.window_utc()
        marks = sorted(self.readings.get(vehicle_id or "", []))
        earlier = [m for m in marks if m[0] <= low] or [m for m in marks if low <= m[0] < high][:1]
        later = [m for m in marks if m[0] <= high]
        if not earlier or not later or earlier[-1] == later[-1]:
            return None
        return later[-1][1] - earlier[-1][1]

    def driven(self, group_by: str, who: str | None, started: list[dict[str, Any]]) -> tuple[Decimal, int] | None:
        """By vehicle, its cost and distance; by fleet, over the vehicles with a distance whose sessions recorded
        this fleet alone; else nothing."""
        if group_by == "vehicle":
            metres = self.distance(who)
            return None if metres is None else (self.cost([s for s in started if s["vehicle"] == who]), metres)
        if group_by != "fleet":
            return None
        cars = {s["vehicle"] for s in started if s["fleet"] == who and s["vehicle"] is not None
                and {t["fleet"] for t in started if t["vehicle"] == s["vehicle"]} == {who}}
        known = {car: m for car in cars if (m := self.distance(car)) is not None}
        if not known:
            return None
        return self.cost([s for s in started if s["fleet"] == who and s["vehicle"] in known]), sum(known.values())

    def fleet_costs(self, group_by: str) -> list[dict[str, Any]]:
        started = [s for s in self.started() if s["fleet"] is not None]
        if group_by in ("day", "week", "month"):
            return [{"period": b.isoformat()} | self.cost_values(
                [s for s in started if bucket(s["start"].astimezone(s["zone"]).date(), group_by) == b])
                for b in buckets(self.start, self.end, group_by)]
        return [self.who_row(group_by, who) | self.cost_values([s for s in started if s[group_by] == who],
                                                               self.driven(group_by, who, started))
                for who in self.whos(group_by, started)]

    def fleet_costs_per_100km(self, group_by: str) -> str | None:
        """The totals' cost per 100 km: over every group's distance and the cost that goes with it."""
        started = [s for s in self.started() if s["fleet"] is not None]
        if group_by not in ("fleet", "vehicle"):
            return None
        parts = [d for who in self.whos(group_by, started) if (d := self.driven(group_by, who, started))]
        if not parts:
            return None
        metres = sum(m for _, m in parts)
        return q(sum((c for c, _ in parts), Decimal(0)) * 100_000 / metres, "0.0001") if metres else None

    def locations(self) -> list[Any]:
        return sorted(self.org.locations, key=lambda x: (x.name, x.id))

    def peak_hours(self) -> list[dict[str, Any]]:
        cells: dict[tuple[int, int], int] = defaultdict(int)
        for s in self.started():
            local = s["start"].astimezone(s["zone"])
            cells[(local.isoweekday(), local.hour)] += 1
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        return [{"weekday": d, "day": names[d - 1], "hour": h, "sessions": cells[(d, h)]}
                for d in range(1, 8) for h in range(24)]

    def window_utc(self) -> tuple[datetime, datetime]:
        return brute_midnight(self.start, self.org_zone), brute_midnight(self.end, self.org_zone)

    def postings(self) -> list[tuple[Any, Any]]:
        low, high = self.window_utc()
        return [(t, e) for t in self.transactions if low <= t.posted_at < high for e in t.entries]

    def revenue_by_location(self) -> dict[str, Decimal]:
        location_of = {s["id"]: s["location_id"] for s in self.sessions}
        out: dict[str, Decimal] = defaultdict(Decimal)
        for t, e in self.postings():
            if e.account == "charging_revenue" and t.session_id in location_of:
                out[location_of[t.session_id]] += e.credit - e.debit
        return out

    def revenue(self, group_by: str) -> list[dict[str, Any]]:
        if group_by == "location":
            by_location = self.revenue_by_location()
            rows = [{"location_id": x.id, "location_name": x.name, "currency": "EUR",
                     "total_excl_vat": q(by_location[x.id], "0.01")} for x in self.locations()]
            books = self.books(None)[None]
            unattributed = books["total_excl_vat"] - sum(by_location.values(), Decimal(0))
            rows.append({"location_id": None, "location_name": "No location (fees, credit notes, refunds)",
                         "currency": "EUR", "total_excl_vat": q(unattributed, "0.01")})
            return rows
        books = self.books(group_by)
        zero = dict.fromkeys(("charging", "fees", "credit_notes", "refunds", "total_excl_vat", "vat", "total"),
                             Decimal(0))
        return [{"period": b.isoformat(), "currency": "EUR"} | {k: q(v, "0.01") for k, v in books.get(b, zero).items()}
                for b in buckets(self.start, self.end, group_by)]

    def books(self, group_by: str | None) -> dict[Any, dict[str, Decimal]]:
        out: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for t, e in self.postings():
            key = bucket(t.posted_at.astimezone(self.org_zone).date(), group_by) if group_by else None
            row = out[key]
            if e.account == "charging_revenue":
                row["charging"] += e.credit
                row["credit_notes"] += e.debit
            elif e.account == "fee_revenue":
                row["fees"] += e.credit
                row["credit_notes"] += e.debit
            elif e.account == "refunds":
                row["refunds"] += e.debit - e.credit
            elif e.account.startswith("vat_payable:"):
                row["vat"] += e.credit - e.debit
        for row in out.values():
            row["total_excl_vat"] = row["charging"] + row["fees"] - row["credit_notes"] - row["refunds"]
            row["total"] = row["total_excl_vat"] + row["vat"]
        return {k: {n: v[n] for n in ("charging", "fees", "credit_notes", "refunds", "total_excl_vat", "vat",
                                      "total")} for k, v in out.items()} or {None: defaultdict(Decimal)}

    def ranked(self, rank_by: str) -> list[dict[str, Any]]:
        started, by_location = self.started(), self.revenue_by_location()
        rows = []
        for x in self.org.locations:
            mine = [s for s in started if s["location_id"] == x.id]
            mwh = sum(s["mwh"] for s in mine)
            order = {"sessions": len(mine), "energy": mwh, "revenue": by_location[x.id]}[rank_by]
            rows.append((-order, x.name, x.id, {"location_id": x.id, "location_name": x.name, "sessions": len(mine),
                                                "energy_kwh": kwh(mwh), "revenue": q(by_location[x.id], "0.01")}))
        rows.sort(key=lambda r: r[:3])
        return [{"rank": i + 1} | r[3] for i, r in enumerate(rows)]

    def utilization(self, group_by: str) -> list[dict[str, Any]]:
        occupied: dict[Any, int] = defaultdict(int)
        for s in self.sessions:
            for d, us in self.occupancy(s).items():
                key = {"location": s["location_id"], "charge_point": s["charge_point_id"],
                       "connector": (s["charge_point_id"], s["connector"])}.get(group_by, bucket(d, group_by))
                occupied[key] += us

        def span(zone: ZoneInfo, low: date, high: date) -> int:
            a, b = brute_midnight(low, zone), min(brute_midnight(high, zone), self.now)
            return max(int((b - a).total_seconds() * 1_000_000), 0)

        def row(key: Any, connectors: int, available: int) -> dict[str, Any]:
            used = occupied.get(key, 0)
            percent = q(Decimal(used) * 100 / available, "0.01") if available else None
            return {"connectors": connectors, "occupied_hours": hours(used), "available_hours": hours(available),
                    "utilization_percent": percent}

        points = self.org.charge_points
        zone_of = {x.id: ZoneInfo(x.timezone) for x in self.org.locations}
        if group_by in ("day", "week", "month"):
            out = []
            for b in buckets(self.start, self.end, group_by):
                following = bucket(b + timedelta(days=32 if group_by == "month" else 7 if group_by == "week" else 1),
                                   group_by)
                low, high = max(b, self.start), min(following, self.end)
                available = sum(2 * span(zone_of[p.location_id], low, high) for p in points)
                out.append({"period": b.isoformat()} | row(b, 2 * len(points), available))
            return out
        if group_by == "location":
            return [{"location_id": x.id, "location_name": x.name} | row(
                x.id, 2, 2 * span(zone_of[x.id], self.start, self.end)) for x in self.locations()]
        rows = []
        for p in sorted(points, key=lambda p: (self.names[p.location_id], p.location_id, p.id)):
            base = {"location_id": p.location_id, "location_name": self.names[p.location_id],
                    "charge_point_id": p.id}
            available = span(zone_of[p.location_id], self.start, self.end)
            if group_by == "charge_point":
                rows.append(base | row(p.id, 2, 2 * available))
            else:
                rows += [base | {"evse_id": 1, "connector_id": c} | row((p.id, c), 1, available) for c in (1, 2)]
        return rows


async def _readings(world: Any, org: Any, fleets: list[Any], scenario: dict[str, Any]
                    ) -> dict[str, list[tuple[datetime, int]]]:
    """Stores the scenario's odometer readings (instants unique per vehicle, metres never going back) and answers
    them per vehicle as ``(instant, metres)``."""
    zone = ZoneInfo(scenario["org_zone"])
    edges = {"start": brute_midnight(scenario["start"], zone), "end": brute_midnight(scenario["end"], zone)}
    out: dict[str, list[tuple[datetime, int]]] = {}
    for car, specs in zip([*fleets[0].vehicles, *fleets[1].vehicles], scenario["readings"], strict=True):
        instants = sorted({edges[edge] + minutes * MINUTE for edge, minutes, _ in specs})
        metres = 0
        out[car.id] = []
        for instant, (_, _, step) in zip(instants, specs, strict=False):
            metres += step
            out[car.id].append((instant, metres))
        await odometer(world, org, car.id, *((str(Decimal(m).scaleb(-3)), at) for at, m in out[car.id]))
    return out


async def _scenario(database_url: str, scenario: dict[str, Any]) -> None:
    database = Database(database_url)
    try:
        world = build(database)
        org = await organization(world, zones=scenario["zones"], timezone=scenario["org_zone"])
        fleets = [await fleet(world, org, "Alpha", vehicles=2, drivers=2), await fleet(world, org, "Bravo")]
        sessions = []
        for location, connector, anchor, offset, minutes, mwh, priced, who in scenario["specs"]:
            f, v, d = WHO[who]
            fleet_id = fleets[f].id if f is not None else None
            vehicle_id = fleets[f].vehicles[v].id if f is not None and v is not None else None
            driver_id = fleets[f].drivers[d].id if f is not None and d is not None else org.driver.id
            point = org.charge_points[location % len(org.charge_points)]
            start = anchor + offset * MINUTE
            stop = start + minutes * MINUTE
            world.clock.current = stop            # priced, and booked, when it stops
            made = await completed_session(world, org, point, connector, start, stop, Decimal(mwh).scaleb(-3),
                                           priced=priced, driver_id=driver_id, fleet_id=fleet_id,
                                           vehicle_id=vehicle_id)
            zone = next(ZoneInfo(x.timezone) for x in org.locations if x.id == point.location_id)
            sessions.append({"id": made.id, "location_id": point.location_id, "charge_point_id": point.id,
                             "connector": connector, "start": start, "minutes": minutes, "mwh": mwh, "zone": zone,
                             "fleet": fleet_id, "fleet_id": fleet_id, "vehicle": vehicle_id, "driver": driver_id})
        world.clock.current = datetime(2026, 12, 1, tzinfo=UTC)   # some windows reach past now
        readings = await _readings(world, org, fleets, scenario)
        async with world.uow(read_only=True) as uow:
            transactions = (await uow.ledger.list(org.id, TransactionFilter(), PageRequest(limit=100))).items
        fleet_id = fleets[scenario["fleet"]].id if scenario["fleet"] is not None else None
        request = ReportRequest(scenario["start"], scenario["end"], scenario["group_by"], rank_by=scenario["rank_by"],
                                fleet_id=fleet_id)
        report = await world.report(org.actor, org.id, scenario["name"], request)
        brute = Brute(org, sessions, transactions, scenario["start"], scenario["end"], scenario["org_zone"],
                      world.clock.now(), fleets, fleet_id, readings)
        name, group_by = scenario["name"], scenario["group_by"]
        expected = {ReportName.USAGE: lambda: brute.usage(group_by), ReportName.PEAK_HOURS: brute.peak_hours,
                    ReportName.REVENUE: lambda: brute.revenue(group_by),
                    ReportName.LOCATIONS: lambda: brute.ranked(scenario["rank_by"]),
                    ReportName.UTILIZATION: lambda: brute.utilization(group_by),
                    ReportName.FLEET_COSTS: lambda: brute.fleet_costs(group_by)}[name]()
        body = report_json(report)
        columns = [c["name"] for c in body["columns"]]
        assert body["rows"] == [{c: r.get(c) for c in columns} for r in expected], (scenario, body["rows"])
        assert list(csv.reader(io.StringIO(report_csv(report)))) == as_csv(expected, columns)
        if name is ReportName.FLEET_COSTS:
            assert body["totals"]["cost_per_100km"] == brute.fleet_costs_per_100km(group_by), (scenario, body)
        if name is ReportName.REVENUE:
            low, high = brute.window_utc()
            before = await world.trial_balance(org.admin, org.id, low - timedelta(microseconds=1))
            after = await world.trial_balance(org.admin, org.id, high - timedelta(microseconds=1))
            moved: dict[str, Decimal] = defaultdict(Decimal)
            for balances, sign in ((after, 1), (before, -1)):
                for account in balances.accounts:
                    if account.account in ("charging_revenue", "fee_revenue") or \
                            account.account.startswith("vat_payable:"):
                        kind = "vat" if account.account.startswith("vat") else "net"
                        moved[kind] += sign * account.balance
                    elif account.account == "refunds":
                        moved["net"] -= sign * account.balance
            assert body["totals"]["total_excl_vat"] == q(moved["net"], "0.01")
            assert body["totals"]["vat"] == q(moved["vat"], "0.01")
    finally:
        await database.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(scenario=scenarios())
def test_every_report_agrees_with_a_brute_force_computation(database_url: str, scenario: dict[str, Any]) -> None:
    run_async(lambda: _scenario(database_url, scenario))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(scenario=scenarios(names=BY_FLEET))
def test_fleet_costs_and_usage_by_who_charged_agree_with_a_brute_force_computation(
        database_url: str, scenario: dict[str, Any]) -> None:
    run_async(lambda: _scenario(database_url, scenario))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(scenario=scenarios(names=(ReportName.FLEET_COSTS,), groupings=("fleet", "vehicle")))
def test_fleet_costs_per_100km_agree_with_a_brute_force_computation(database_url: str,
                                                                     scenario: dict[str, Any]) -> None:
    run_async(lambda: _scenario(database_url, scenario))
