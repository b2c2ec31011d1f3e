"""Dict-backed repositories of the charging network and sessions, matching the SQL adapter's semantics."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from adapters.memory.events import InMemoryEvents
from adapters.memory.repositories import _newest_first, _page, _Table
from application.pagination import Page, PageRequest
from application.ports.network import OrphanFilter, ReservationFilter, SessionFilter
from domain.charging import Anomaly, ChargingSession, MeterSample, OrphanTransaction
from domain.errors import Conflict
from domain.network import ChargePoint, Driver, Location, Reservation, ReservationStatus


class InMemoryLocations(_Table):
    async def add(self, location: Location) -> None:
        self._put(location.id, location)

    async def get(self, organization_id: str, location_id: str) -> Location | None:
        found = self.data.get(location_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, location: Location) -> None:
        self._put(location.id, location)

    async def list(self, organization_id: str, page: PageRequest) -> Page[Location]:
        return _page([x for x in self.data.values() if x.organization_id == organization_id], page, lambda x: x.id)


class _Recording(_Table):
    """A table of aggregates that record domain events: storing one stores its events too."""

    def __init__(self, data: dict[str, Any], events: InMemoryEvents) -> None:
        super().__init__(data)
        self.events = events

    async def _store(self, key: str, aggregate: Any) -> None:
        await self.events.add(aggregate.pull_events())
        self._put(key, aggregate)


class InMemoryChargePoints(_Recording):
    async def add(self, charge_point: ChargePoint) -> None:
        if charge_point.id in self.data:
            raise Conflict(f"a charge point with identity {charge_point.id} is already registered")
        await self._store(charge_point.id, charge_point)

    async def get(self, organization_id: str, charge_point_id: str) -> ChargePoint | None:
        found = self.data.get(charge_point_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def find(self, charge_point_id: str) -> ChargePoint | None:
        return self._get(charge_point_id)

    find_for_update = find

    async def find_many(self, charge_point_ids: Collection[str]) -> dict[str, ChargePoint]:
        return {i: found for i in sorted(set(charge_point_ids)) if (found := self._get(i)) is not None}

    find_many_for_update = find_many

    async def mark_all_offline(self) -> int:
        online = [cp for cp in self.data.values() if cp.online]
        for cp in online:
            cp.online = False
        return len(online)

    async def save(self, charge_point: ChargePoint) -> None:
        await self._store(charge_point.id, charge_point)

    async def save_many(self, many: Sequence[ChargePoint]) -> None:
        for charge_point in many:
            await self.save(charge_point)

    async def list(self, organization_id: str, page: PageRequest, location_id: str | None = None,
                   online: bool | None = None) -> Page[ChargePoint]:
        rows = [x for x in self.data.values() if x.organization_id == organization_id
                and (location_id is None or x.location_id == location_id) and (online is None or x.online is online)]
        return _page(rows, page, lambda x: x.id)


class InMemoryDrivers(_Table):
    async def add(self, driver: Driver) -> None:
        self._check_tags(driver)
        self._put(driver.id, driver)

    def _check_tags(self, driver: Driver) -> None:
        for other in self.data.values():
            if other.id != driver.id and other.organization_id == driver.organization_id:
                taken = set(other.id_tags) & set(driver.id_tags)
                if taken:
                    raise Conflict(f"id tag {min(taken)} already belongs to driver {other.id}")

    async def get(self, organization_id: str, driver_id: str) -> Driver | None:
        found = self.data.get(driver_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def find_by_id_tag(self, organization_id: str, id_tag: str) -> Driver | None:
        return next((copy.deepcopy(d) for d in self.data.values()
                     if d.organization_id == organization_id and id_tag in d.id_tags), None)

    async def save(self, driver: Driver) -> None:
        self._check_tags(driver)
        self._put(driver.id, driver)

    async def list(self, organization_id: str, page: PageRequest, fleet_id: str | None = None) -> Page[Driver]:
        return _page([x for x in self.data.values() if x.organization_id == organization_id
                      and (fleet_id is None or x.fleet_id == fleet_id)], page, lambda x: x.id)

    async def count_in_fleet(self, organization_id: str, fleet_id: str) -> int:
        return sum(1 for d in self.data.values() if d.organization_id == organization_id and d.fleet_id == fleet_id)


class InMemorySessions(_Table):
    def __init__(self, data: dict[str, Any], samples: dict[str, Any], drivers: dict[str, Any],
                 anomalies: dict[str, Any], events: InMemoryEvents) -> None:
        super().__init__(data)
        self.sample_data = samples
        self.drivers = drivers
        self.anomaly_data = anomalies
        self.events = events

    async def add(self, session: ChargingSession, start_key: str | None = None) -> None:
        if any(s.charge_point_id == session.charge_point_id and s.transaction_id == session.transaction_id
               for s, _ in self.data.values()):
            raise Conflict(f"transaction {session.transaction_id} of {session.charge_point_id} exists")
        await self.events.add(session.pull_events())
        self.data[session.id] = (copy.deepcopy(session), start_key)

    async def save(self, session: ChargingSession) -> None:
        stored, start_key = self.data.get(session.id, (None, None))
        await self.events.add(session.pull_events())
        kept = copy.deepcopy(session)
        if stored is not None and stored.cost is not None:
            kept.cost = stored.cost   # priced once: a copy read before the pricing never clears it
        self.data[session.id] = (kept, start_key)

    async def get(self, organization_id: str, session_id: str, *, for_update: bool = False) -> ChargingSession | None:
        row = self.data.get(session_id)
        return copy.deepcopy(row[0]) if row is not None and row[0].organization_id == organization_id else None

    async def find_by_transaction(self, charge_point_id: str, transaction_id: str, *,
                                  for_update: bool = False) -> ChargingSession | None:
        return next((copy.deepcopy(s) for s, _ in self.data.values()
                     if s.charge_point_id == charge_point_id and s.transaction_id == transaction_id), None)

    async def find_by_start_key(self, charge_point_id: str, start_key: str) -> ChargingSession | None:
        return next((copy.deepcopy(s) for s, key in self.data.values()
                     if s.charge_point_id == charge_point_id and key == start_key), None)

    async def list(self, organization_id: str, filters: SessionFilter, page: PageRequest) -> Page[ChargingSession]:
        def keep(s: ChargingSession) -> bool:
            if s.organization_id != organization_id:
                return False
            return ((filters.charge_point_id is None or s.charge_point_id == filters.charge_point_id)
                    and (filters.driver_id is None or s.driver_id == filters.driver_id)
                    and (filters.fleet_id is None or s.fleet_id == filters.fleet_id)
                    and (filters.status is None or s.status is filters.status)
                    and (filters.started_from is None or (s.started_at is not None
                                                          and s.started_at >= filters.started_from))
                    and (filters.started_to is None or (s.started_at is not None
                                                        and s.started_at < filters.started_to)))
        # Newest first: operators look at what is happening now.
        return _newest_first((s for s, _ in self.data.values() if keep(s)), page, lambda s: s.id)

    async def of_driver_since(self, organization_id: str, driver_id: str,
                              since: datetime) -> builtins.list[ChargingSession]:
        return [copy.deepcopy(s) for s, _ in sorted(self.data.values(), key=lambda row: row[0].id)
                if s.organization_id == organization_id and s.driver_id == driver_id
                and s.started_at is not None and s.started_at >= since]

    async def samples(self, organization_id: str, session_id: str) -> builtins.list[MeterSample]:
        row = self.data.get(session_id)
        if row is None or row[0].organization_id != organization_id:
            return []
        return sorted(self.sample_data.get(session_id, {}).values(), key=lambda s: (s.timestamp, s.measurand))

    async def add_samples(self, session: ChargingSession, samples: builtins.list[MeterSample]) -> None:
        stored = self.sample_data.setdefault(session.id, {})
        for sample in samples:
            stored.setdefault(sample.key, sample)

    async def add_anomalies(self, session: ChargingSession, anomalies: builtins.list[Anomaly]) -> None:
        stored = self.anomaly_data.setdefault(session.id, {})
        for anomaly in anomalies:
            stored.setdefault((anomaly.at, anomaly.kind), anomaly)

    async def anomalies(self, organization_id: str, session_id: str) -> builtins.list[Anomaly]:
        row = self.data.get(session_id)
        if row is None or row[0].organization_id != organization_id:
            return []
        return sorted(self.anomaly_data.get(session_id, {}).values(), key=lambda a: (a.at, a.kind))


class InMemoryOrphans(_Recording):
    async def add(self, orphan: OrphanTransaction) -> None:
        if orphan.id in self.data:
            raise Conflict(f"orphan {orphan.id} exists")
        await self._store(orphan.id, orphan)

    async def save(self, orphan: OrphanTransaction) -> None:
        await self._store(orphan.id, orphan)

    async def get(self, organization_id: str, orphan_id: str) -> OrphanTransaction | None:
        found = self.data.get(orphan_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def find(self, charge_point_id: str, transaction_id: str) -> OrphanTransaction | None:
        return next((copy.deepcopy(o) for o in self.data.values() if o.charge_point_id == charge_point_id
                     and o.transaction_id == transaction_id and not o.adopted), None)

    async def list(self, organization_id: str, filters: OrphanFilter, page: PageRequest) -> Page[OrphanTransaction]:
        return _newest_first((o for o in self.data.values() if o.organization_id == organization_id
                              and (filters.charge_point_id is None or o.charge_point_id == filters.charge_point_id)
                              and (filters.adopted is None or o.adopted == filters.adopted)), page, lambda o: o.id)


class InMemoryReservations(_Recording):
    async def add(self, reservation: Reservation) -> None:
        await self._store(reservation.id, reservation)

    async def get(self, organization_id: str, reservation_id: str) -> Reservation | None:
        found = self.data.get(reservation_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, reservation: Reservation) -> None:
        await self._store(reservation.id, reservation)

    async def list(self, organization_id: str, filters: ReservationFilter, page: PageRequest,
                   now: datetime) -> Page[Reservation]:
        rows = [r for r in self.data.values() if r.organization_id == organization_id
                and (filters.charge_point_id is None or r.charge_point_id == filters.charge_point_id)
                and (filters.status is None or r.status_at(now) is filters.status)]
        return _page(rows, page, lambda r: r.id)

    async def active_on(self, charge_point_id: str, now: datetime) -> builtins.list[Reservation]:
        return [copy.deepcopy(r) for r in sorted(self.data.values(), key=lambda r: r.id)
                if r.charge_point_id == charge_point_id and r.status_at(now) is ReservationStatus.ACTIVE]

    async def find_by_ocpp_id(self, charge_point_id: str, ocpp_reservation_id: int) -> Reservation | None:
        return next((copy.deepcopy(r) for r in self.data.values() if r.charge_point_id == charge_point_id
                     and r.ocpp_reservation_id == ocpp_reservation_id), None)

    async def due_to_expire(self, now: datetime, limit: int) -> builtins.list[Reservation]:
        due = sorted((r for r in self.data.values()
                      if r.status is ReservationStatus.ACTIVE and r.expires_at <= now), key=lambda r: r.id)
        return [copy.deepcopy(r) for r in due[:limit]]
