"""Dict-backed fleets, vehicles, vehicle assignments and the authorization log, matching the SQL adapter."""

from __future__ import annotations

import copy

from adapters.memory.events import InMemoryEvents
from adapters.memory.repositories import _newest_first, _page, _Table
from application.pagination import Page, PageRequest
from application.ports.fleets import AuthorizationFilter
from domain.errors import Conflict
from domain.fleets import AuthorizationRecord, Fleet, Vehicle, VehicleAssignment


class _Tenant(_Table):
    def _of(self, organization_id: str, key: str) -> object | None:
        found = self.data.get(key)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def delete(self, organization_id: str, key: str) -> None:
        found = self.data.get(key)
        if found is not None and found.organization_id == organization_id:
            del self.data[key]


class InMemoryFleets(_Tenant):
    async def add(self, fleet: Fleet) -> None:
        if fleet.id in self.data:
            raise Conflict("fleet exists")
        self._put(fleet.id, fleet)

    async def get(self, organization_id: str, fleet_id: str) -> Fleet | None:
        found = self._of(organization_id, fleet_id)
        return found if isinstance(found, Fleet) else None

    async def save(self, fleet: Fleet) -> None:
        self._put(fleet.id, fleet)

    async def list(self, organization_id: str, page: PageRequest) -> Page[Fleet]:
        return _page([f for f in self.data.values() if f.organization_id == organization_id], page, lambda f: f.id)


class InMemoryVehicles(_Tenant):
    def _check_vin(self, vehicle: Vehicle) -> None:
        if any(v.id != vehicle.id and v.organization_id == vehicle.organization_id and v.vin == vehicle.vin
               for v in self.data.values()):
            raise Conflict(f"another vehicle of the organization has VIN {vehicle.vin}")

    async def add(self, vehicle: Vehicle) -> None:
        if vehicle.id in self.data:
            raise Conflict("vehicle exists")
        self._check_vin(vehicle)
        self._put(vehicle.id, vehicle)

    async def get(self, organization_id: str, vehicle_id: str) -> Vehicle | None:
        found = self._of(organization_id, vehicle_id)
        return found if isinstance(found, Vehicle) else None

    async def save(self, vehicle: Vehicle) -> None:
        self._check_vin(vehicle)
        self._put(vehicle.id, vehicle)

    async def list(self, organization_id: str, page: PageRequest, fleet_id: str | None = None) -> Page[Vehicle]:
        return _page([v for v in self.data.values() if v.organization_id == organization_id
                      and (fleet_id is None or v.fleet_id == fleet_id)], page, lambda v: v.id)

    async def count_in_fleet(self, organization_id: str, fleet_id: str) -> int:
        return sum(1 for v in self.data.values() if v.organization_id == organization_id and v.fleet_id == fleet_id)


class InMemoryVehicleAssignments(_Table):
    async def add(self, assignment: VehicleAssignment) -> None:
        if assignment.id in self.data:
            raise Conflict("assignment exists")
        for other in self.data.values():
            if other.current and other.organization_id == assignment.organization_id and assignment.current \
                    and (assignment.driver_id == other.driver_id or assignment.vehicle_id == other.vehicle_id):
                raise Conflict(f"driver {assignment.driver_id} or vehicle {assignment.vehicle_id} has a current "
                               "assignment already")
        self._put(assignment.id, assignment)

    async def save(self, assignment: VehicleAssignment) -> None:
        self._put(assignment.id, assignment)

    def _current(self, organization_id: str, **match: str) -> VehicleAssignment | None:
        return next((copy.deepcopy(a) for a in sorted(self.data.values(), key=lambda a: a.id)
                     if a.organization_id == organization_id and a.current
                     and all(getattr(a, name) == value for name, value in match.items())), None)

    async def current_of_driver(self, organization_id: str, driver_id: str) -> VehicleAssignment | None:
        return self._current(organization_id, driver_id=driver_id)

    async def current_of_vehicle(self, organization_id: str, vehicle_id: str) -> VehicleAssignment | None:
        return self._current(organization_id, vehicle_id=vehicle_id)

    async def list_of_driver(self, organization_id: str, driver_id: str,
                             page: PageRequest) -> Page[VehicleAssignment]:
        rows = (a for a in self.data.values() if a.organization_id == organization_id and a.driver_id == driver_id)
        return _newest_first(rows, page, lambda a: a.id)


class InMemoryAuthorizations(_Table):
    def __init__(self, data: dict[str, AuthorizationRecord], events: InMemoryEvents) -> None:
        super().__init__(data)
        self.events = events

    async def add(self, record: AuthorizationRecord) -> None:
        if record.id in self.data:
            raise Conflict("authorization exists")
        await self.events.add(record.pull_events())
        self._put(record.id, record)

    async def get(self, organization_id: str, record_id: str) -> AuthorizationRecord | None:
        found = self.data.get(record_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def list(self, organization_id: str, filters: AuthorizationFilter,
                   page: PageRequest) -> Page[AuthorizationRecord]:
        return _newest_first((r for r in self.data.values() if r.organization_id == organization_id
                              and (filters.driver_id is None or r.driver_id == filters.driver_id)
                              and (filters.fleet_id is None or r.fleet_id == filters.fleet_id)
                              and (filters.charge_point_id is None or r.charge_point_id == filters.charge_point_id)
                              and (filters.result is None or r.result is filters.result)), page, lambda r: r.id)
