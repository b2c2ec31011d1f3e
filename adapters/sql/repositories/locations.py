"""Locations (sites) in SQL: a tenant's places, with coordinates kept as exact decimals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import locations
from application.pagination import Page, PageRequest
from domain.network import Location


def location_to_row(location: Location) -> dict[str, Any]:
    return {"id": location.id, "organization_id": location.organization_id, "name": location.name,
            "address": location.address, "city": location.city, "country": location.country,
            "timezone": location.timezone, "latitude": location.latitude, "longitude": location.longitude,
            "site_owner_id": location.site_owner_id, "project_id": location.project_id,
            "created_at": location.created_at, "tariff_id": location.tariff_id}


def location_from_row(row: Row[Any]) -> Location:
    return Location(id=row.id, organization_id=row.organization_id, name=row.name, address=row.address,
                    city=row.city, country=row.country, timezone=row.timezone, created_at=row.created_at,
                    latitude=row.latitude, longitude=row.longitude, site_owner_id=row.site_owner_id,
                    project_id=row.project_id, tariff_id=row.tariff_id)


class SqlLocations:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, location: Location) -> None:
        await insert_or_conflict(self._connection, locations, location_to_row(location), "location exists")

    async def save(self, location: Location) -> None:
        await upsert(self._connection, locations, location_to_row(location), {"id": location.id}, "location exists")

    async def get(self, organization_id: str, location_id: str) -> Location | None:
        statement = select(locations).where(locations.c.organization_id == organization_id,
                                            locations.c.id == location_id)
        row = (await self._connection.execute(statement)).first()
        return location_from_row(row) if row is not None else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[Location]:
        statement = select(locations).where(locations.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, locations.c.id, page, location_from_row,
                                lambda x: x.id)
