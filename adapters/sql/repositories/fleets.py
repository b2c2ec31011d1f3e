"""Fleets, vehicles, vehicle assignments and the authorization log in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import authorization_log, fleets, vehicle_assignments, vehicles
from application.pagination import Page, PageRequest
from application.ports.fleets import AuthorizationFilter
from domain.errors import Conflict
from domain.fleets import (
    AuthorizationRecord,
    AuthorizationStatus,
    Fleet,
    Refusal,
    Trigger,
    Vehicle,
    VehicleAssignment,
    parse_policy,
)


def fleet_to_row(fleet: Fleet) -> dict[str, Any]:
    return {"id": fleet.id, "organization_id": fleet.organization_id, "name": fleet.name,
            "customer_id": fleet.customer_id, "policy": fleet.policy.to_json(), "created_at": fleet.created_at,
            "updated_at": fleet.updated_at}


def fleet_from_row(row: Row[Any]) -> Fleet:
    return Fleet(id=row.id, organization_id=row.organization_id, name=row.name, created_at=row.created_at,
                 customer_id=row.customer_id, policy=parse_policy(row.policy), updated_at=row.updated_at)


class SqlFleets:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, fleet: Fleet) -> None:
        await insert_or_conflict(self._connection, fleets, fleet_to_row(fleet), "fleet exists")

    async def get(self, organization_id: str, fleet_id: str) -> Fleet | None:
        row = (await self._connection.execute(select(fleets).where(
            fleets.c.organization_id == organization_id, fleets.c.id == fleet_id))).first()
        return fleet_from_row(row) if row is not None else None

    async def save(self, fleet: Fleet) -> None:
        await upsert(self._connection, fleets, fleet_to_row(fleet),
                     {"organization_id": fleet.organization_id, "id": fleet.id}, "fleet exists")

    async def delete(self, organization_id: str, fleet_id: str) -> None:
        await self._connection.execute(delete(fleets).where(fleets.c.organization_id == organization_id,
                                                            fleets.c.id == fleet_id))

    async def list(self, organization_id: str, page: PageRequest) -> Page[Fleet]:
        statement = select(fleets).where(fleets.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, fleets.c.id, page, fleet_from_row, lambda f: f.id)


def vehicle_to_row(v: Vehicle) -> dict[str, Any]:
    return {"id": v.id, "organization_id": v.organization_id, "fleet_id": v.fleet_id, "vin": v.vin, "make": v.make,
            "model": v.model, "battery_kwh": v.battery_kwh, "connector_types": list(v.connector_types),
            "licence_plate": v.licence_plate, "created_at": v.created_at, "updated_at": v.updated_at}


def vehicle_from_row(row: Row[Any]) -> Vehicle:
    return Vehicle(id=row.id, organization_id=row.organization_id, fleet_id=row.fleet_id, vin=row.vin,
                   make=row.make, model=row.model, battery_kwh=row.battery_kwh, created_at=row.created_at,
                   connector_types=tuple(row.connector_types), licence_plate=row.licence_plate,
                   updated_at=row.updated_at)


class SqlVehicles:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, vehicle: Vehicle) -> None:
        await insert_or_conflict(self._connection, vehicles, vehicle_to_row(vehicle),
                                 f"another vehicle of the organization has VIN {vehicle.vin}")

    async def get(self, organization_id: str, vehicle_id: str) -> Vehicle | None:
        row = (await self._connection.execute(select(vehicles).where(
            vehicles.c.organization_id == organization_id, vehicles.c.id == vehicle_id))).first()
        return vehicle_from_row(row) if row is not None else None

    async def save(self, vehicle: Vehicle) -> None:
        taken = (await self._connection.execute(select(vehicles.c.id).where(
            vehicles.c.organization_id == vehicle.organization_id, vehicles.c.vin == vehicle.vin,
            vehicles.c.id != vehicle.id))).first()
        if taken is not None:
            raise Conflict(f"another vehicle of the organization has VIN {vehicle.vin}")
        await upsert(self._connection, vehicles, vehicle_to_row(vehicle),
                     {"organization_id": vehicle.organization_id, "id": vehicle.id},
                     f"another vehicle of the organization has VIN {vehicle.vin}")

    async def delete(self, organization_id: str, vehicle_id: str) -> None:
        await self._connection.execute(delete(vehicles).where(vehicles.c.organization_id == organization_id,
                                                              vehicles.c.id == vehicle_id))

    async def list(self, organization_id: str, page: PageRequest, fleet_id: str | None = None) -> Page[Vehicle]:
        statement = select(vehicles).where(vehicles.c.organization_id == organization_id)
        if fleet_id is not None:
            statement = statement.where(vehicles.c.fleet_id == fleet_id)
        return await fetch_page(self._connection, statement, vehicles.c.id, page, vehicle_from_row, lambda v: v.id)

    async def count_in_fleet(self, organization_id: str, fleet_id: str) -> int:
        return int((await self._connection.execute(select(func.count()).select_from(vehicles).where(
            vehicles.c.organization_id == organization_id, vehicles.c.fleet_id == fleet_id))).scalar_one())


def assignment_to_row(a: VehicleAssignment) -> dict[str, Any]:
    return {"id": a.id, "organization_id": a.organization_id, "driver_id": a.driver_id, "vehicle_id": a.vehicle_id,
            "assigned_at": a.assigned_at, "ended_at": a.ended_at}


def assignment_from_row(row: Row[Any]) -> VehicleAssignment:
    return VehicleAssignment(id=row.id, organization_id=row.organization_id, driver_id=row.driver_id,
                             vehicle_id=row.vehicle_id, assigned_at=row.assigned_at, ended_at=row.ended_at)


class SqlVehicleAssignments:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, assignment: VehicleAssignment) -> None:
        await insert_or_conflict(self._connection, vehicle_assignments, assignment_to_row(assignment),
                                 f"driver {assignment.driver_id} or vehicle {assignment.vehicle_id} has a current "
                                 "assignment already")

    async def save(self, assignment: VehicleAssignment) -> None:
        await upsert(self._connection, vehicle_assignments, assignment_to_row(assignment),
                     {"organization_id": assignment.organization_id, "id": assignment.id}, "assignment exists")

    async def _current(self, organization_id: str, column: Any, value: str) -> VehicleAssignment | None:
        t = vehicle_assignments
        row = (await self._connection.execute(select(t).where(
            t.c.organization_id == organization_id, column == value, t.c.ended_at.is_(None)))).first()
        return assignment_from_row(row) if row is not None else None

    async def current_of_driver(self, organization_id: str, driver_id: str) -> VehicleAssignment | None:
        return await self._current(organization_id, vehicle_assignments.c.driver_id, driver_id)

    async def current_of_vehicle(self, organization_id: str, vehicle_id: str) -> VehicleAssignment | None:
        return await self._current(organization_id, vehicle_assignments.c.vehicle_id, vehicle_id)

    async def list_of_driver(self, organization_id: str, driver_id: str,
                             page: PageRequest) -> Page[VehicleAssignment]:
        t = vehicle_assignments
        statement = select(t).where(t.c.organization_id == organization_id, t.c.driver_id == driver_id)
        return await fetch_page(self._connection, statement, t.c.id, page, assignment_from_row, lambda a: a.id,
                                newest_first=True)


def authorization_to_row(r: AuthorizationRecord) -> dict[str, Any]:
    return {"id": r.id, "organization_id": r.organization_id, "at": r.at, "charge_point_id": r.charge_point_id,
            "id_tag": r.id_tag, "trigger": r.trigger.value, "status": r.status.value, "result": r.result.value,
            "reason": r.reason.value if r.reason else None, "detail": r.detail, "driver_id": r.driver_id,
            "fleet_id": r.fleet_id, "vehicle_id": r.vehicle_id, "location_id": r.location_id,
            "connector_id": r.connector_id}


def authorization_from_row(row: Row[Any]) -> AuthorizationRecord:
    return AuthorizationRecord(id=row.id, organization_id=row.organization_id, at=row.at,
                               charge_point_id=row.charge_point_id, id_tag=row.id_tag, trigger=Trigger(row.trigger),
                               status=AuthorizationStatus(row.status),
                               reason=Refusal(row.reason) if row.reason else None, detail=row.detail,
                               driver_id=row.driver_id, fleet_id=row.fleet_id, vehicle_id=row.vehicle_id,
                               location_id=row.location_id, connector_id=row.connector_id)


class SqlAuthorizations:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events

    async def add(self, record: AuthorizationRecord) -> None:
        await insert_or_conflict(self._connection, authorization_log, authorization_to_row(record),
                                 "authorization exists")
        await self._events.add(record.pull_events())

    async def get(self, organization_id: str, record_id: str) -> AuthorizationRecord | None:
        t = authorization_log
        row = (await self._connection.execute(select(t).where(t.c.organization_id == organization_id,
                                                              t.c.id == record_id))).first()
        return authorization_from_row(row) if row is not None else None

    async def list(self, organization_id: str, filters: AuthorizationFilter,
                   page: PageRequest) -> Page[AuthorizationRecord]:
        t = authorization_log
        statement = select(t).where(t.c.organization_id == organization_id)
        if filters.driver_id is not None:
            statement = statement.where(t.c.driver_id == filters.driver_id)
        if filters.fleet_id is not None:
            statement = statement.where(t.c.fleet_id == filters.fleet_id)
        if filters.charge_point_id is not None:
            statement = statement.where(t.c.charge_point_id == filters.charge_point_id)
        if filters.result is not None:
            statement = statement.where(t.c.result == filters.result.value)
        return await fetch_page(self._connection, statement, t.c.id, page, authorization_from_row, lambda r: r.id,
                                newest_first=True)
