"""Reservations in SQL. A stored 'active' reservation past its expiry reads as expired, in SQL as in
``Reservation.status_at``, until the expiry job records it."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import reservations
from application.pagination import Page, PageRequest
from application.ports.network import ReservationFilter
from domain.network import Reservation, ReservationStatus

_ACTIVE = ReservationStatus.ACTIVE.value


def reservation_to_row(reservation: Reservation) -> dict[str, Any]:
    return {"id": reservation.id, "organization_id": reservation.organization_id,
            "charge_point_id": reservation.charge_point_id, "connector_id": reservation.connector_id,
            "id_tag": reservation.id_tag, "expires_at": reservation.expires_at,
            "ocpp_reservation_id": reservation.ocpp_reservation_id, "created_at": reservation.created_at,
            "status": reservation.status.value, "closed_at": reservation.closed_at,
            "session_id": reservation.session_id}


def reservation_from_row(row: Row[Any]) -> Reservation:
    return Reservation(id=row.id, organization_id=row.organization_id, charge_point_id=row.charge_point_id,
                       connector_id=row.connector_id, id_tag=row.id_tag, expires_at=row.expires_at,
                       ocpp_reservation_id=row.ocpp_reservation_id, created_at=row.created_at,
                       status=ReservationStatus(row.status), closed_at=row.closed_at, session_id=row.session_id)


def status_at(status: ReservationStatus, now: datetime) -> ColumnElement[bool]:
    """The rows whose ``status_at(now)`` is ``status``."""
    t = reservations
    if status is ReservationStatus.ACTIVE:
        return and_(t.c.status == _ACTIVE, t.c.expires_at > now)
    if status is ReservationStatus.EXPIRED:
        return or_(t.c.status == status.value, and_(t.c.status == _ACTIVE, t.c.expires_at <= now))
    return t.c.status == status.value


class SqlReservations:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events

    async def add(self, reservation: Reservation) -> None:
        await insert_or_conflict(self._connection, reservations, reservation_to_row(reservation),
                                 f"reservation {reservation.ocpp_reservation_id} of {reservation.charge_point_id} "
                                 "exists")
        await self._events.add(reservation.pull_events())

    async def get(self, organization_id: str, reservation_id: str) -> Reservation | None:
        return await self._one(reservations.c.organization_id == organization_id,
                               reservations.c.id == reservation_id)

    async def save(self, reservation: Reservation) -> None:
        await upsert(self._connection, reservations, reservation_to_row(reservation), {"id": reservation.id},
                     "reservation exists")
        await self._events.add(reservation.pull_events())

    async def list(self, organization_id: str, filters: ReservationFilter, page: PageRequest,
                   now: datetime) -> Page[Reservation]:
        t = reservations
        statement = select(t).where(t.c.organization_id == organization_id)
        if filters.charge_point_id is not None:
            statement = statement.where(t.c.charge_point_id == filters.charge_point_id)
        if filters.status is not None:
            statement = statement.where(status_at(filters.status, now))
        return await fetch_page(self._connection, statement, t.c.id, page, reservation_from_row, lambda r: r.id)

    async def active_on(self, charge_point_id: str, now: datetime) -> builtins.list[Reservation]:
        t = reservations
        statement = (select(t).where(t.c.charge_point_id == charge_point_id, status_at(ReservationStatus.ACTIVE, now))
                     .order_by(t.c.id))
        return [reservation_from_row(row) for row in await self._connection.execute(statement)]

    async def find_by_ocpp_id(self, charge_point_id: str, ocpp_reservation_id: int) -> Reservation | None:
        return await self._one(reservations.c.charge_point_id == charge_point_id,
                               reservations.c.ocpp_reservation_id == ocpp_reservation_id)

    async def due_to_expire(self, now: datetime, limit: int) -> builtins.list[Reservation]:
        # Locked, skipping what another node is expiring right now: each expiry (and its event) is
        # recorded once. SQLite needs no lock: its units of work hold the write lock throughout.
        t = reservations
        statement = (select(t).where(t.c.status == _ACTIVE, t.c.expires_at <= now)
                     .order_by(t.c.id).limit(limit))
        if self._connection.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        return [reservation_from_row(row) for row in await self._connection.execute(statement)]

    async def _one(self, *conditions: ColumnElement[bool]) -> Reservation | None:
        row = (await self._connection.execute(select(reservations).where(*conditions))).first()
        return reservation_from_row(row) if row is not None else None
