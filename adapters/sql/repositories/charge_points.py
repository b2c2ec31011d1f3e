"""Charge points in SQL: one row per charge point, keyed by its global OCPP identity, and a row per connector.

Heartbeats and status reports save a charge point many times a day; this repository remembers the
connectors it last locked or wrote in the transaction, so such a save writes only the rows that
changed (a heartbeat: the charge point's row alone).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import (
    fetch_page,
    insert_many,
    insert_or_conflict,
    update_many,
    upsert,
)
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import charge_points, connectors
from application.pagination import Page, PageRequest
from domain.network import ChargePoint, Connector, RegistrationStatus, ValidationMode

ConnectorKey = tuple[int, int]   # (evse_id, connector_id)

_CONNECTOR_COLUMNS = [connectors.c.evse_id, connectors.c.connector_id, connectors.c.status,
                      connectors.c.error_code, connectors.c.updated_at, connectors.c.type]
_JOINED = [c.label(f"connector_{c.name}") for c in _CONNECTOR_COLUMNS]


def charge_point_to_row(charge_point: ChargePoint) -> dict[str, Any]:
    cp = charge_point
    return {"id": cp.id, "organization_id": cp.organization_id, "location_id": cp.location_id,
            "created_at": cp.created_at, "password_hash": cp.password_hash, "vendor": cp.vendor, "model": cp.model,
            "serial_number": cp.serial_number, "firmware_version": cp.firmware_version,
            "ocpp_version": cp.ocpp_version, "registration_status": cp.registration_status.value,
            "validation_mode": cp.validation_mode.value, "online": cp.online,
            "last_heartbeat_at": cp.last_heartbeat_at, "last_boot_at": cp.last_boot_at,
            "next_transaction_id": cp.next_transaction_id, "next_reservation_id": cp.next_reservation_id,
            "tariff_id": cp.tariff_id}


def connector_rows(charge_point: ChargePoint) -> dict[ConnectorKey, dict[str, Any]]:
    return {(c.evse_id, c.connector_id): {
        "organization_id": charge_point.organization_id, "charge_point_id": charge_point.id,
        "evse_id": c.evse_id, "connector_id": c.connector_id, "position": position, "status": c.status,
        "error_code": c.error_code, "updated_at": c.updated_at, "type": c.type}
        for position, c in enumerate(charge_point.connectors)}


def charge_point_from_row(row: Row[Any], connector_list: list[Connector]) -> ChargePoint:
    return ChargePoint(
        id=row.id, organization_id=row.organization_id, location_id=row.location_id, created_at=row.created_at,
        password_hash=row.password_hash, vendor=row.vendor, model=row.model, serial_number=row.serial_number,
        firmware_version=row.firmware_version, ocpp_version=row.ocpp_version,
        registration_status=RegistrationStatus(row.registration_status),
        validation_mode=ValidationMode(row.validation_mode), online=row.online,
        last_heartbeat_at=row.last_heartbeat_at, last_boot_at=row.last_boot_at, connectors=connector_list,
        next_transaction_id=row.next_transaction_id, next_reservation_id=row.next_reservation_id,
        tariff_id=row.tariff_id)


def _connector(row: Any, prefix: str = "") -> Connector:
    return Connector(evse_id=getattr(row, f"{prefix}evse_id"), connector_id=getattr(row, f"{prefix}connector_id"),
                     status=getattr(row, f"{prefix}status"), error_code=getattr(row, f"{prefix}error_code"),
                     updated_at=getattr(row, f"{prefix}updated_at"), type=getattr(row, f"{prefix}type"))


def _replace_connector(insert: Any) -> Any:
    return insert.on_conflict_do_update(
        index_elements=[c.name for c in connectors.primary_key.columns],
        set_={name: insert.excluded[name] for name in ("position", "status", "error_code", "updated_at", "type")})


def _with_connectors(condition: ColumnElement[bool]) -> Select[Any]:
    # One round trip: the charge point's row repeated beside each of its connectors.
    return (select(charge_points, *_JOINED)
            .outerjoin(connectors, and_(connectors.c.organization_id == charge_points.c.organization_id,
                                        connectors.c.charge_point_id == charge_points.c.id))
            .where(condition).order_by(connectors.c.position))


# Built once: a statement object made per call costs more CPU than the query it sends (REST's hot path).
_BY_ID = _with_connectors(charge_points.c.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update(of=charge_points, key_share=True)
_MANY = (_with_connectors(charge_points.c.id.in_(bindparam("ids", expanding=True)))
         .order_by(None).order_by(charge_points.c.id, connectors.c.position))
_MANY_FOR_UPDATE = _MANY.with_for_update(of=charge_points, key_share=True)
_BY_TENANT_AND_ID = _with_connectors(and_(charge_points.c.organization_id == bindparam("organization_id"),
                                          charge_points.c.id == bindparam("id")))


class SqlChargePoints:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events
        # Connector rows as stored, for the charge points this transaction has locked or written:
        # no other transaction can change those until ours ends (every save updates, so locks, the
        # charge point's row before its connectors). Only valid until the transaction ends: see forget().
        self._stored: dict[str, dict[ConnectorKey, dict[str, Any]]] = {}

    def forget(self) -> None:
        """Called at commit and rollback: the locks end (a rollback undoes writes too); saves rewrite all again."""
        self._stored.clear()

    async def add(self, charge_point: ChargePoint) -> None:
        await insert_or_conflict(self._connection, charge_points, charge_point_to_row(charge_point),
                                 f"a charge point with identity {charge_point.id} is already registered")
        rows = connector_rows(charge_point)
        await insert_many(self._connection, connectors, list(rows.values()), lambda insert: insert)
        self._stored[charge_point.id] = rows
        await self._events.add(charge_point.pull_events())

    async def get(self, organization_id: str, charge_point_id: str) -> ChargePoint | None:
        return await self._run(_BY_TENANT_AND_ID, {"organization_id": organization_id, "id": charge_point_id})

    async def find(self, charge_point_id: str) -> ChargePoint | None:
        return await self._run(_BY_ID, {"id": charge_point_id})

    async def find_for_update(self, charge_point_id: str) -> ChargePoint | None:
        # FOR NO KEY UPDATE: it serialises every find_for_update of this charge point (allocating
        # transaction ids, heartbeats, status reports), but unlike FOR UPDATE it does not make the
        # inserts of its sessions and reservations (whose foreign keys share-lock it) wait.
        # SQLite ignores it, and needs nothing: its units of work hold the write lock throughout.
        found = await self._run(_BY_ID_FOR_UPDATE, {"id": charge_point_id})
        if found is not None:
            self._stored[found.id] = connector_rows(found)
        return found

    async def find_many(self, charge_point_ids: Collection[str]) -> dict[str, ChargePoint]:
        return await self._many(_MANY, charge_point_ids)

    async def find_many_for_update(self, charge_point_ids: Collection[str]) -> dict[str, ChargePoint]:
        # One statement; PostgreSQL locks the rows in the order it returns them, by identity.
        found = await self._many(_MANY_FOR_UPDATE, charge_point_ids)
        for charge_point_id, charge_point in found.items():
            self._stored[charge_point_id] = connector_rows(charge_point)
        return found

    async def _many(self, statement: Select[Any], charge_point_ids: Collection[str]) -> dict[str, ChargePoint]:
        if not charge_point_ids:
            return {}
        rows = (await self._connection.execute(statement, {"ids": sorted(set(charge_point_ids))})).all()
        grouped: dict[str, list[Row[Any]]] = defaultdict(list)
        for row in rows:
            grouped[row.id].append(row)
        return {charge_point_id: charge_point_from_row(own[0], [_connector(row, "connector_") for row in own
                                                                if row.connector_evse_id is not None])
                for charge_point_id, own in grouped.items()}

    async def _run(self, statement: Select[Any], parameters: dict[str, Any]) -> ChargePoint | None:
        rows = (await self._connection.execute(statement, parameters)).all()
        if not rows:
            return None
        found = [_connector(row, "connector_") for row in rows if row.connector_evse_id is not None]
        return charge_point_from_row(rows[0], found)

    async def save(self, charge_point: ChargePoint) -> None:
        await upsert(self._connection, charge_points, charge_point_to_row(charge_point), {"id": charge_point.id},
                     f"a charge point with identity {charge_point.id} is already registered")
        await insert_many(self._connection, connectors, await self._connector_changes(charge_point),
                          _replace_connector)
        await self._events.add(charge_point.pull_events())

    async def save_many(self, many: Sequence[ChargePoint]) -> None:
        # Those this transaction locked exist until it ends: their rows are one executemany update, their changed
        # connectors one insert, their events one insert. Any other is saved as save() saves it.
        locked = [cp for cp in many if cp.id in self._stored]
        for charge_point in many:
            if charge_point.id not in self._stored:
                await self.save(charge_point)
        if not locked:
            return
        await update_many(self._connection, charge_points, [charge_point_to_row(cp) for cp in locked], ("id",))
        changed: list[dict[str, Any]] = []
        for charge_point in locked:
            changed += await self._connector_changes(charge_point)
        await insert_many(self._connection, connectors, changed, _replace_connector)
        await self._events.add([event for charge_point in locked for event in charge_point.pull_events()])

    async def _connector_changes(self, charge_point: ChargePoint) -> list[dict[str, Any]]:
        """The connector rows to write for ``charge_point``, once those it no longer has are deleted; what is
        stored is remembered from here on."""
        wanted = connector_rows(charge_point)
        stored = self._stored.get(charge_point.id)
        if stored is None:
            # Loaded without a lock, or in another unit of work: what is stored is unknown, replace it all.
            await self._delete_connectors(charge_point, None)
            stored = {}
        gone = [key for key in stored if key not in wanted]
        if gone:
            await self._delete_connectors(charge_point, gone)
        self._stored[charge_point.id] = wanted
        return [row for key, row in wanted.items() if stored.get(key) != row]

    async def _delete_connectors(self, charge_point: ChargePoint, keys: list[ConnectorKey] | None) -> None:
        c = connectors
        statement = delete(c).where(c.c.organization_id == charge_point.organization_id,
                                    c.c.charge_point_id == charge_point.id)
        if keys is not None:
            statement = statement.where(or_(*(and_(c.c.evse_id == evse, c.c.connector_id == connector)
                                              for evse, connector in keys)))
        await self._connection.execute(statement)

    async def mark_all_offline(self) -> int:
        result = await self._connection.execute(update(charge_points).where(charge_points.c.online.is_(True))
                                                .values(online=False))
        return int(result.rowcount)

    async def list(self, organization_id: str, page: PageRequest, location_id: str | None = None,
                   online: bool | None = None) -> Page[ChargePoint]:
        t = charge_points
        statement = select(t).where(t.c.organization_id == organization_id)
        if location_id is not None:
            statement = statement.where(t.c.location_id == location_id)
        if online is not None:
            statement = statement.where(t.c.online.is_(online))
        found = await fetch_page(self._connection, statement, t.c.id, page, lambda row: charge_point_from_row(row, []),
                                 lambda cp: cp.id)
        if found.items:
            by_id: dict[str, list[Connector]] = defaultdict(list)
            rows = await self._connection.execute(
                select(connectors).where(connectors.c.organization_id == organization_id,
                                         connectors.c.charge_point_id.in_([cp.id for cp in found.items]))
                .order_by(connectors.c.charge_point_id, connectors.c.position))
            for row in rows:
                by_id[row.charge_point_id].append(_connector(row))
            for cp in found.items:
                cp.connectors = by_id[cp.id]
        return found
