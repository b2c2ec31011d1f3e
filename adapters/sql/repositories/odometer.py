"""Vehicles' odometer readings in SQL (in metres, exact on both engines)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import insert_or_conflict
from adapters.sql.tables import vehicle_odometer_readings
from application.pagination import Page, PageRequest
from domain.fleets.odometer import OdometerReading, km_to_m, m_to_km

_T = vehicle_odometer_readings


def _row(r: OdometerReading) -> dict[str, Any]:
    return {"id": r.id, "organization_id": r.organization_id, "vehicle_id": r.vehicle_id,
            "odometer_m": km_to_m(r.odometer_km), "read_at": r.read_at, "recorded_at": r.recorded_at}


def _reading(row: Row[Any]) -> OdometerReading:
    return OdometerReading(id=row.id, organization_id=row.organization_id, vehicle_id=row.vehicle_id,
                           odometer_km=m_to_km(row.odometer_m), read_at=row.read_at, recorded_at=row.recorded_at)


class SqlOdometerReadings:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, reading: OdometerReading) -> None:
        await insert_or_conflict(self._connection, _T, _row(reading), "reading exists")

    async def neighbours(self, organization_id: str, vehicle_id: str, read_at: datetime
                         ) -> tuple[OdometerReading | None, OdometerReading | None]:
        t = _T.c
        of_vehicle = select(_T).where(t.organization_id == organization_id, t.vehicle_id == vehicle_id)
        before = (await self._connection.execute(of_vehicle.where(t.read_at <= read_at)
                                                 .order_by(t.read_at.desc(), t.id.desc()).limit(1))).first()
        after = (await self._connection.execute(of_vehicle.where(t.read_at >= read_at)
                                                .order_by(t.read_at, t.id).limit(1))).first()
        return (_reading(before) if before is not None else None), (_reading(after) if after is not None else None)

    async def list(self, organization_id: str, vehicle_id: str, page: PageRequest) -> Page[OdometerReading]:
        t = _T.c
        statement = select(_T).where(t.organization_id == organization_id, t.vehicle_id == vehicle_id)
        if page.after is not None:
            seen = select(t.read_at).where(t.organization_id == organization_id, t.id == page.after) \
                .scalar_subquery()
            statement = statement.where(or_(t.read_at < seen, and_(t.read_at == seen, t.id < page.after)))
        rows = (await self._connection.execute(statement.order_by(t.read_at.desc(), t.id.desc())
                                               .limit(page.limit + 1))).all()
        return Page.from_overfetch([_reading(row) for row in rows], page, lambda r: r.id)

    async def delete_of_vehicle(self, organization_id: str, vehicle_id: str) -> None:
        await self._connection.execute(delete(_T).where(_T.c.organization_id == organization_id,
                                                        _T.c.vehicle_id == vehicle_id))
