"""The reports ports over the in-memory store: the same sums as the SQL adapter, computed from the facts, the
network and the ledger as they are (the fake keeps no rollups: its data is a test's)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

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
from domain.billing.ledger import LedgerTransaction
from domain.fleets.odometer import OdometerReading, bracketed_distance_m
from domain.network import ChargePoint, Location
from domain.reports import Grain, ReportWindow, SessionFact, SessionRevenue, bucket_start
from domain.reports.revenue import LedgerSums, minor_units


class InMemorySessionFacts:
    """``data``: ``(organization id, session id)`` → fact."""

    def __init__(self, data: dict[Any, Any]) -> None:
        self.data = data

    async def get(self, organization_id: str, session_id: str) -> SessionFact | None:
        fact: SessionFact | None = self.data.get((organization_id, session_id))
        return fact

    async def put(self, fact: SessionFact) -> None:
        old = self.data.get((fact.organization_id, fact.session_id))
        if old is not None and fact.revenue is None:
            fact = attrs.evolve(fact, revenue=old.revenue)
        self.data[(fact.organization_id, fact.session_id)] = fact

    async def set_revenue(self, organization_id: str, session_id: str, revenue: SessionRevenue) -> bool:
        fact = self.data.get((organization_id, session_id))
        if fact is None:
            return False
        if fact.revenue is None:
            self.data[(organization_id, session_id)] = attrs.evolve(fact, revenue=revenue)
        return True

    async def reindex(self, organization_id: str) -> None:
        """Nothing to do: the fake reads its facts as they are."""


def group_key(fact: SessionFact, group_by: Grouping, day: date) -> GroupKey:
    """The group a fact's figures (or its occupancy on ``day``) fall in."""
    if isinstance(group_by, Grain):
        return GroupKey(period=bucket_start(day, group_by))
    if group_by is Dimension.LOCATION:
        return GroupKey(location_id=fact.location_id)
    if group_by is Dimension.CHARGE_POINT:
        return GroupKey(location_id=fact.location_id, charge_point_id=fact.charge_point_id)
    if group_by is Dimension.FLEET_VEHICLE:
        return GroupKey(who=fact.fleet_id, vehicle_id=fact.vehicle_id)
    if group_by in WHO:
        return GroupKey(who={Dimension.FLEET: fact.fleet_id, Dimension.VEHICLE: fact.vehicle_id,
                             Dimension.DRIVER: fact.driver_id}[group_by])
    return GroupKey(location_id=fact.location_id, charge_point_id=fact.charge_point_id, evse_id=fact.evse_id,
                    connector_id=fact.connector_id)


class InMemoryReports:
    """``tables``: the unit of work's tables (facts, locations, charge points, ledger)."""

    def __init__(self, tables: dict[str, dict[Any, Any]]) -> None:
        self.tables = tables

    def _facts(self, organization_id: str, location_id: str | None, fleet_id: str | None = None) -> list[SessionFact]:
        return [f for f in self.tables["session_facts"].values() if f.organization_id == organization_id
                and (location_id is None or f.location_id == location_id)
                and (fleet_id is None or f.fleet_id == fleet_id)]

    async def usage(self, organization_id: str, window: ReportWindow, group_by: Grouping,
                    location_id: str | None = None, fleet_id: str | None = None) -> dict[GroupKey, UsageSums]:
        out: dict[GroupKey, UsageSums] = defaultdict(UsageSums)
        sessions_only = group_by in WHO or fleet_id is not None
        for fact in self._facts(organization_id, location_id, fleet_id):
            if window.start <= fact.local_date < window.end:
                key = group_key(fact, group_by, fact.local_date)
                out[key] += UsageSums(1, fact.energy_mwh, fact.duration_us, fact.charging_us, fact.idle_us)
            if sessions_only:
                continue
            for day, occupied in fact.occupancy():
                if window.start <= day < window.end:
                    out[group_key(fact, group_by, day)] += UsageSums(occupied_us=occupied)
        return {key: sums for key, sums in out.items() if sums != UsageSums()}

    async def fleet_costs(self, organization_id: str, window: ReportWindow, group_by: Grouping, currency: str,
                          location_id: str | None = None, fleet_id: str | None = None) -> dict[GroupKey, CostSums]:
        out: dict[GroupKey, CostSums] = defaultdict(CostSums)
        for fact in self._facts(organization_id, location_id, fleet_id):
            if fact.fleet_id is None or not window.start <= fact.local_date < window.end:
                continue
            priced = fact.revenue is not None and fact.revenue.currency == currency
            out[group_key(fact, group_by, fact.local_date)] += CostSums(
                1, fact.energy_mwh, int(priced), fact.energy_mwh if priced else 0,
                fact.revenue.net_minor if priced and fact.revenue else 0)
        return dict(out)

    async def vehicle_distances(self, organization_id: str, start: datetime, end: datetime,
                                vehicle_ids: Collection[str]) -> dict[str, int]:
        readings: dict[str, list[OdometerReading]] = defaultdict(list)
        wanted = set(vehicle_ids)
        for r in self.tables["odometer_readings"].values():
            if r.organization_id == organization_id and r.vehicle_id in wanted:
                readings[r.vehicle_id].append(r)
        out: dict[str, int] = {}
        for vehicle_id, found in readings.items():
            found.sort(key=lambda r: (r.read_at, r.id))
            before = [r for r in found if r.read_at <= start]
            inside = [r for r in found if start <= r.read_at < end]
            upto = [r for r in found if r.read_at <= end]
            distance = bracketed_distance_m(*((x.id, x.odometer_m) if x is not None else None for x in (
                before[-1] if before else None, inside[0] if inside else None, upto[-1] if upto else None)))
            if distance is not None:
                out[vehicle_id] = distance
        return out

    async def names(self, organization_id: str, dimension: Dimension,
                    ids: Collection[str] | None = None) -> dict[str, str]:
        table = {Dimension.FLEET: "fleets", Dimension.VEHICLE: "vehicles", Dimension.DRIVER: "drivers"}[dimension]
        wanted = None if ids is None else set(ids)
        return {x.id: x.label if dimension is Dimension.VEHICLE else x.name for x in self.tables[table].values()
                if x.organization_id == organization_id and (wanted is None or x.id in wanted)}

    async def peak_hours(self, organization_id: str, window: ReportWindow,
                         location_id: str | None = None) -> dict[tuple[int, int], int]:
        out: dict[tuple[int, int], int] = defaultdict(int)
        for fact in self._facts(organization_id, location_id):
            if window.start <= fact.local_date < window.end:
                out[(fact.weekday, fact.local_hour)] += 1
        return dict(out)

    async def connectors(self, organization_id: str, location_id: str | None = None) -> list[ConnectorInfo]:
        points: list[ChargePoint] = [c for c in self.tables["charge_points"].values()
                                     if c.organization_id == organization_id
                                     and (location_id is None or c.location_id == location_id)]
        found = [ConnectorInfo(p.location_id, p.id, c.evse_id, c.connector_id, p.created_at)
                 for p in points for c in p.connectors if c.connector_id != 0]
        return sorted(found, key=lambda c: (c.location_id, c.charge_point_id, c.evse_id, c.connector_id))

    async def locations(self, organization_id: str) -> list[LocationInfo]:
        found: list[Location] = [x for x in self.tables["locations"].values() if x.organization_id == organization_id]
        return sorted((LocationInfo(x.id, x.name, x.timezone) for x in found), key=lambda x: x.id)

    async def ledger(self, organization_id: str, start: datetime, end: datetime, zone: str,
                     grain: Grain | None) -> dict[tuple[date | None, str], LedgerSums]:
        tz = ZoneInfo(zone)
        out: dict[tuple[date | None, str], LedgerSums] = defaultdict(LedgerSums)
        transactions: list[LedgerTransaction] = list(self.tables["ledger"].values())
        for transaction in transactions:
            if transaction.organization_id != organization_id or not start <= transaction.posted_at < end:
                continue
            day = transaction.posted_at.astimezone(tz).date()
            bucket = bucket_start(day, grain) if grain is not None else None
            for entry in transaction.entries:
                out[(bucket, entry.currency)] += LedgerSums.of(entry.account, minor_units(entry.debit, entry.currency),
                                                               minor_units(entry.credit, entry.currency))
        return {key: sums for key, sums in out.items() if sums}

    async def revenue_by_location(self, organization_id: str, start: datetime, end: datetime,
                                  location_id: str | None = None) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for fact in self._facts(organization_id, location_id):
            if fact.revenue is not None and start <= fact.revenue.posted_at < end:
                out[(fact.location_id, fact.revenue.currency)] += fact.revenue.net_minor
        return dict(out)

