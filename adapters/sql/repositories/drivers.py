"""Drivers in SQL, their id tags in rows whose key, (organization, tag), is the one-driver-per-tag rule."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_many, insert_or_conflict, upsert
from adapters.sql.tables import driver_id_tags, drivers
from application.pagination import Page, PageRequest
from domain.errors import Conflict
from domain.fleets.policies import parse_policy
from domain.network import Driver

tags = driver_id_tags


def driver_to_row(driver: Driver) -> dict[str, Any]:
    return {"id": driver.id, "organization_id": driver.organization_id, "name": driver.name, "email": driver.email,
            "fleet_id": driver.fleet_id, "active": driver.active, "created_at": driver.created_at,
            "customer_id": driver.customer_id, "policy": driver.policy.to_json() if driver.policy is not None else None,
            "vehicle_id": driver.vehicle_id}


def driver_from_row(row: Row[Any], id_tags: list[str]) -> Driver:
    return Driver(id=row.id, organization_id=row.organization_id, name=row.name, created_at=row.created_at,
                  email=row.email, fleet_id=row.fleet_id, id_tags=id_tags, active=row.active,
                  customer_id=row.customer_id, policy=parse_policy(row.policy) if row.policy is not None else None,
                  vehicle_id=row.vehicle_id)


class SqlDrivers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, driver: Driver) -> None:
        # A savepoint: a tag found taken half-way must leave nothing behind, as the fake leaves nothing.
        async with self._connection.begin_nested():
            await insert_or_conflict(self._connection, drivers, driver_to_row(driver), "driver exists")
            await self._write_tags(driver)

    async def save(self, driver: Driver) -> None:
        async with self._connection.begin_nested():
            await upsert(self._connection, drivers, driver_to_row(driver), {"id": driver.id}, "driver exists")
            await self._write_tags(driver)

    async def _write_tags(self, driver: Driver) -> None:
        await self._connection.execute(delete(tags).where(tags.c.organization_id == driver.organization_id,
                                                          tags.c.driver_id == driver.id))
        wanted = list(dict.fromkeys(driver.id_tags))
        if not wanted:
            return
        rows = [{"organization_id": driver.organization_id, "id_tag": tag, "driver_id": driver.id, "position": i}
                for i, tag in enumerate(wanted)]
        # DO NOTHING, then count: on PostgreSQL this also waits for a concurrent writer of the same
        # tag to finish, and an error would abort the whole transaction rather than the savepoint.
        inserted = await insert_many(self._connection, tags, rows, lambda insert: insert.on_conflict_do_nothing())
        if inserted != len(rows):
            taken = (await self._connection.execute(
                select(tags.c.id_tag, tags.c.driver_id)
                .where(tags.c.organization_id == driver.organization_id, tags.c.id_tag.in_(wanted),
                       tags.c.driver_id != driver.id)
                .order_by(tags.c.id_tag).limit(1))).first()
            tag, owner = (taken.id_tag, taken.driver_id) if taken is not None else ("?", "?")
            raise Conflict(f"id tag {tag} already belongs to driver {owner}")

    async def get(self, organization_id: str, driver_id: str) -> Driver | None:
        return await self._one(and_(drivers.c.organization_id == organization_id, drivers.c.id == driver_id))

    async def find_by_id_tag(self, organization_id: str, id_tag: str) -> Driver | None:
        owner = (select(tags.c.driver_id).where(tags.c.organization_id == organization_id, tags.c.id_tag == id_tag)
                 .scalar_subquery())
        return await self._one(and_(drivers.c.organization_id == organization_id, drivers.c.id == owner))

    async def _one(self, condition: ColumnElement[bool]) -> Driver | None:
        # One round trip (authorizing a tag is on the charging path): the driver beside each tag.
        statement = (select(drivers, tags.c.id_tag.label("tag"))
                     .outerjoin(tags, and_(tags.c.organization_id == drivers.c.organization_id,
                                           tags.c.driver_id == drivers.c.id))
                     .where(condition).order_by(tags.c.position))
        rows = (await self._connection.execute(statement)).all()
        if not rows:
            return None
        return driver_from_row(rows[0], [row.tag for row in rows if row.tag is not None])

    async def count_in_fleet(self, organization_id: str, fleet_id: str) -> int:
        return int((await self._connection.execute(select(func.count()).select_from(drivers).where(
            drivers.c.organization_id == organization_id, drivers.c.fleet_id == fleet_id))).scalar_one())

    async def list(self, organization_id: str, page: PageRequest, fleet_id: str | None = None) -> Page[Driver]:
        statement = select(drivers).where(drivers.c.organization_id == organization_id)
        if fleet_id is not None:
            statement = statement.where(drivers.c.fleet_id == fleet_id)
        found = await fetch_page(self._connection, statement, drivers.c.id, page, lambda row: driver_from_row(row, []),
                                 lambda d: d.id)
        if found.items:
            by_driver: dict[str, list[str]] = defaultdict(list)
            rows = await self._connection.execute(
                select(tags.c.driver_id, tags.c.id_tag)
                .where(tags.c.organization_id == organization_id,
                       tags.c.driver_id.in_([d.id for d in found.items]))
                .order_by(tags.c.driver_id, tags.c.position))
            for row in rows:
                by_driver[row.driver_id].append(row.id_tag)
            for driver in found.items:
                driver.id_tags = by_driver[driver.id]
        return found
