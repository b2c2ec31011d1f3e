"""Charging sessions and their meter samples in SQL; the row shapes here are shared with the meter sink."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.codecs import breakdown_from_json, breakdown_to_json
from adapters.sql.repositories._statements import fetch_page, insert_many, insert_or_conflict
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import meter_samples, session_anomalies, sessions
from application.pagination import Page, PageRequest
from application.ports.network import SessionFilter
from domain.charging import Anomaly, ChargingSession, MeterSample, Reading, SessionStatus, StopRequest
from domain.pricing import SessionCost

# "No phase" and "no location" in the sample key: NULLs never compare equal, so they would not dedupe.
NONE = ""


def session_to_row(session: ChargingSession) -> dict[str, Any]:
    """Every column but ``start_key``, which only ``add`` writes and nothing overwrites."""
    s, first, last, stop = session, session.first_reading, session.last_reading, session.stop_request
    return {"id": s.id, "organization_id": s.organization_id, "charge_point_id": s.charge_point_id,
            "transaction_id": s.transaction_id, "status": s.status.value, "connector_id": s.connector_id,
            "evse_id": s.evse_id, "id_tag": s.id_tag, "driver_id": s.driver_id, "started_at": s.started_at,
            "stopped_at": s.stopped_at, "meter_start_wh": s.meter_start_wh, "meter_stop_wh": s.meter_stop_wh,
            "first_reading_at": first.timestamp if first else None, "first_reading_wh": first.wh if first else None,
            "last_reading_at": last.timestamp if last else None, "last_reading_wh": last.wh if last else None,
            "stop_reason": s.stop_reason, "offline": s.offline, "seen_seq_nos": sorted(s.seen_seq_nos),
            "last_event_at": s.last_event_at, "tariff_id": s.tariff_id, "tariff_version": s.tariff_version,
            "plan_id": s.plan_id, "flagged": s.flagged, "fleet_id": s.fleet_id, "vehicle_id": s.vehicle_id,
            "energy_cap_wh": s.energy_cap_wh, "energy_cap_reason": s.energy_cap_reason,
            "stop_requested_at": stop.at if stop else None, "stop_requested_reason": stop.reason if stop else None,
            "stop_request_answer": stop.answer if stop else None} | cost_to_row(s.cost)


# Written once, by the pricing handler; a save without a cost keeps the stored one.
COST_COLUMNS = ("cost_currency", "cost_total_excl_vat", "cost_vat", "cost_total", "cost_breakdown")


def cost_to_row(cost: SessionCost | None) -> dict[str, Any]:
    if cost is None:
        return dict.fromkeys(COST_COLUMNS)
    return {"cost_currency": cost.currency, "cost_total_excl_vat": cost.total_excl_vat, "cost_vat": cost.vat,
            "cost_total": cost.total, "cost_breakdown": breakdown_to_json(cost.breakdown)}


def cost_from_row(row: Row[Any]) -> SessionCost | None:
    if row.cost_currency is None:
        return None
    return SessionCost(currency=row.cost_currency, total_excl_vat=row.cost_total_excl_vat, vat=row.cost_vat,
                       total=row.cost_total, breakdown=breakdown_from_json(row.cost_breakdown))


def session_from_row(row: Row[Any]) -> ChargingSession:
    first = Reading(row.first_reading_at, row.first_reading_wh) if row.first_reading_at is not None else None
    last = Reading(row.last_reading_at, row.last_reading_wh) if row.last_reading_at is not None else None
    return ChargingSession(
        id=row.id, organization_id=row.organization_id, charge_point_id=row.charge_point_id,
        transaction_id=row.transaction_id, status=SessionStatus(row.status), connector_id=row.connector_id,
        evse_id=row.evse_id, id_tag=row.id_tag, driver_id=row.driver_id, started_at=row.started_at,
        stopped_at=row.stopped_at, meter_start_wh=row.meter_start_wh, meter_stop_wh=row.meter_stop_wh,
        first_reading=first, last_reading=last, stop_reason=row.stop_reason, offline=row.offline,
        seen_seq_nos=set(row.seen_seq_nos), last_event_at=row.last_event_at, tariff_id=row.tariff_id,
        tariff_version=row.tariff_version, plan_id=row.plan_id, cost=cost_from_row(row), flagged=row.flagged,
        fleet_id=row.fleet_id, vehicle_id=row.vehicle_id, energy_cap_wh=row.energy_cap_wh,
        energy_cap_reason=row.energy_cap_reason,
        stop_request=StopRequest(row.stop_requested_at, row.stop_requested_reason, row.stop_request_answer)
        if row.stop_requested_at is not None else None)


def sample_rows(session: ChargingSession, samples: Iterable[MeterSample]) -> builtins.list[dict[str, Any]]:
    return [{"organization_id": session.organization_id, "session_id": session.id, "timestamp": s.timestamp,
             "measurand": s.measurand, "phase": NONE if s.phase is None else s.phase,
             "location": NONE if s.location is None else s.location, "value": s.value, "unit": s.unit,
             "context": s.context} for s in samples]


def sample_from_row(row: Row[Any]) -> MeterSample:
    return MeterSample(timestamp=row.timestamp, measurand=row.measurand, value=row.value, unit=row.unit,
                       phase=row.phase or None, context=row.context, location=row.location or None)


def _sample_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["session_id"], row["timestamp"], row["measurand"], row["phase"], row["location"])


async def insert_samples(connection: AsyncConnection, rows: builtins.list[dict[str, Any]]) -> None:
    """Store sample rows in one statement, skipping readings already stored.

    Of several rows with one key the first wins, as in the fake. Sorted, so concurrent writers
    take the key's index entries in the same order.
    """
    unique = sorted({_sample_key(row): row for row in reversed(rows)}.items(), key=lambda item: item[0])
    await insert_many(connection, meter_samples, [row for _, row in unique],
                      lambda insert: insert.on_conflict_do_nothing())


def anomaly_rows(session: ChargingSession, anomalies: Iterable[Anomaly]) -> builtins.list[dict[str, Any]]:
    return [{"organization_id": session.organization_id, "session_id": session.id, "at": a.at, "kind": a.kind,
             "detail": a.detail} for a in anomalies]


async def insert_anomalies(connection: AsyncConnection, rows: builtins.list[dict[str, Any]]) -> None:
    unique = {(row["session_id"], row["at"], row["kind"]): row for row in reversed(rows)}
    await insert_many(connection, session_anomalies, [unique[key] for key in sorted(unique)],
                      lambda insert: insert.on_conflict_do_nothing())


# What the meter sink writes of a session: readings, status and flags, each only moved forward.
PROGRESS_COLUMNS = ("id", "organization_id", "charge_point_id", "transaction_id", "status", "offline", "flagged",
                    "seen_seq_nos", "first_reading_at", "first_reading_wh", "last_reading_at", "last_reading_wh",
                    "last_event_at")
_RANKS = {status.value: status.rank for status in SessionStatus}


def progress_row(session: ChargingSession) -> dict[str, Any]:
    row = session_to_row(session)
    return {name: row[name] for name in PROGRESS_COLUMNS}


def _rank(column: Any) -> Any:
    return case(_RANKS, value=column, else_=-1)


async def advance_summaries(connection: AsyncConnection, rows: builtins.list[dict[str, Any]]) -> None:
    """Move stored sessions forward to what meter readings taught (``ChargingSession.advance_to``, in SQL):
    the first reading only earlier, the last only later (or higher at the same instant), the status only
    up and never to completed (only a stop completes a session), flags only set. One statement for all.

    The INSERT never inserts (a session is stored before its readings are recorded; the row shapes are
    only what ON CONFLICT needs). One row per session (a statement may not update a row twice); sorted,
    so every writer locks sessions in the same order.
    """
    if not rows:
        return

    def advance(insert: Any) -> Any:
        new, old = insert.excluded, sessions.c
        earlier = or_(old.first_reading_at.is_(None), new.first_reading_at < old.first_reading_at)
        later = or_(old.last_reading_at.is_(None), new.last_reading_at > old.last_reading_at,
                    and_(new.last_reading_at == old.last_reading_at, new.last_reading_wh > old.last_reading_wh))
        has_first, has_last = new.first_reading_at.is_not(None), new.last_reading_at.is_not(None)
        status_up = and_(_rank(new.status) > _rank(old.status), new.status != SessionStatus.COMPLETED.value)
        return insert.on_conflict_do_update(index_elements=[sessions.c.id], set_={
            "first_reading_at": case((and_(has_first, earlier), new.first_reading_at), else_=old.first_reading_at),
            "first_reading_wh": case((and_(has_first, earlier), new.first_reading_wh), else_=old.first_reading_wh),
            "last_reading_at": case((and_(has_last, later), new.last_reading_at), else_=old.last_reading_at),
            "last_reading_wh": case((and_(has_last, later), new.last_reading_wh), else_=old.last_reading_wh),
            "status": case((status_up, new.status), else_=old.status),
            "last_event_at": case((or_(old.last_event_at.is_(None), new.last_event_at > old.last_event_at),
                                   new.last_event_at), else_=old.last_event_at),
            "offline": or_(old.offline, new.offline),
            "flagged": or_(old.flagged, new.flagged),
        })

    await insert_many(connection, sessions, sorted(rows, key=lambda row: row["id"]), advance)


class SqlSessions:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events

    async def add(self, session: ChargingSession, start_key: str | None = None) -> None:
        await insert_or_conflict(self._connection, sessions, session_to_row(session) | {"start_key": start_key},
                                 f"transaction {session.transaction_id} of {session.charge_point_id} exists")
        await self._events.add(session.pull_events())

    async def save(self, session: ChargingSession) -> None:
        row = session_to_row(session)
        if session.cost is None:   # priced once: a copy read before the pricing never clears the cost
            row = {name: value for name, value in row.items() if name not in COST_COLUMNS}
        changes = {name: value for name, value in row.items() if name != "id"}
        result = await self._connection.execute(update(sessions).where(sessions.c.id == session.id).values(**changes))
        if result.rowcount == 0:
            await self.add(session)
            return
        await self._events.add(session.pull_events())

    async def get(self, organization_id: str, session_id: str, *, for_update: bool = False) -> ChargingSession | None:
        return await self._one(sessions.c.organization_id == organization_id, sessions.c.id == session_id,
                               lock=for_update)

    async def find_by_transaction(self, charge_point_id: str, transaction_id: str, *,
                                  for_update: bool = False) -> ChargingSession | None:
        return await self._one(sessions.c.charge_point_id == charge_point_id,
                               sessions.c.transaction_id == transaction_id, lock=for_update)

    async def find_by_start_key(self, charge_point_id: str, start_key: str) -> ChargingSession | None:
        return await self._one(sessions.c.charge_point_id == charge_point_id, sessions.c.start_key == start_key)

    async def _one(self, *conditions: ColumnElement[bool], lock: bool = False) -> ChargingSession | None:
        statement = select(sessions).where(*conditions)
        if lock:
            # SQLite ignores it, and needs nothing: its units of work hold the write lock throughout.
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return session_from_row(row) if row is not None else None

    async def list(self, organization_id: str, filters: SessionFilter, page: PageRequest) -> Page[ChargingSession]:
        t = sessions
        statement = select(t).where(t.c.organization_id == organization_id)
        if filters.charge_point_id is not None:
            statement = statement.where(t.c.charge_point_id == filters.charge_point_id)
        if filters.driver_id is not None:
            statement = statement.where(t.c.driver_id == filters.driver_id)
        if filters.fleet_id is not None:
            # The fleet the session recorded when it started (the one that pays for it).
            statement = statement.where(t.c.fleet_id == filters.fleet_id)
        if filters.status is not None:
            statement = statement.where(t.c.status == filters.status.value)
        if filters.started_from is not None:
            statement = statement.where(t.c.started_at >= filters.started_from)
        if filters.started_to is not None:
            statement = statement.where(t.c.started_at < filters.started_to)
        # Newest first: operators look at what is happening now.
        return await fetch_page(self._connection, statement, t.c.id, page, session_from_row, lambda s: s.id,
                                newest_first=True)

    async def of_driver_since(self, organization_id: str, driver_id: str,
                              since: datetime) -> builtins.list[ChargingSession]:
        t = sessions
        statement = (select(t).where(t.c.organization_id == organization_id, t.c.driver_id == driver_id,
                                     t.c.started_at >= since).order_by(t.c.id))
        return [session_from_row(row) for row in await self._connection.execute(statement)]

    async def samples(self, organization_id: str, session_id: str) -> builtins.list[MeterSample]:
        m = meter_samples
        # The key's order, so the primary key index alone answers (phase and location break ties).
        statement = (select(m).where(m.c.organization_id == organization_id, m.c.session_id == session_id)
                     .order_by(m.c.timestamp, m.c.measurand, m.c.phase, m.c.location))
        return [sample_from_row(row) for row in await self._connection.execute(statement)]

    async def add_samples(self, session: ChargingSession, samples: builtins.list[MeterSample]) -> None:
        await insert_samples(self._connection, sample_rows(session, samples))

    async def add_anomalies(self, session: ChargingSession, anomalies: builtins.list[Anomaly]) -> None:
        await insert_anomalies(self._connection, anomaly_rows(session, anomalies))

    async def anomalies(self, organization_id: str, session_id: str) -> builtins.list[Anomaly]:
        a = session_anomalies
        statement = (select(a).where(a.c.organization_id == organization_id, a.c.session_id == session_id)
                     .order_by(a.c.at, a.c.kind))
        return [Anomaly(row.at, row.kind, row.detail) for row in await self._connection.execute(statement)]
