"""What charge points report about themselves: connection, boot, heartbeat, connector status, id tags."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from attrs import frozen

from application.authorization_log import record_decision
from application.charge_point_writes import Change, ChargePointWrites, apply_alone
from application.id_tags import Authorization, KnownTags, authorize_id_tag
from application.open_sessions import OpenSessions
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import NotFound
from domain.fleets import Trigger
from domain.network import ChargePoint

T = TypeVar("T")
HEARTBEAT_INTERVAL = 300   # seconds, told to every charge point at boot


@frozen
class Boot:
    charge_point_id: str
    vendor: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None


@frozen
class BootAccepted:
    current_time: datetime
    interval: int
    status: str = "Accepted"


@frozen
class StatusReport:
    charge_point_id: str
    evse_id: int
    connector_id: int
    status: str
    error_code: str | None
    timestamp: datetime


async def _locked(uow: UnitOfWork, charge_point_id: str) -> ChargePoint:
    charge_point = await uow.charge_points.find_for_update(charge_point_id)
    if charge_point is None:
        raise NotFound("charge_point", charge_point_id)
    return charge_point


async def charge_point_connected(charge_point_id: str, ocpp_version: str, *, uow_factory: UnitOfWorkFactory,
                                 clock: Clock, open_sessions: OpenSessions | None = None,
                                 writes: ChargePointWrites | None = None) -> None:
    if open_sessions is not None:   # it may have charged through another node since it was last here
        open_sessions.forget_charge_point(charge_point_id)

    def change(charge_point: ChargePoint, now: datetime) -> None:
        charge_point.connected(ocpp_version, now)

    await _changed(charge_point_id, change, uow_factory, clock, writes)


async def charge_point_disconnected(charge_point_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                                    open_sessions: OpenSessions | None = None,
                                    writes: ChargePointWrites | None = None) -> None:
    if open_sessions is not None:
        open_sessions.forget_charge_point(charge_point_id)

    def change(charge_point: ChargePoint, now: datetime) -> None:
        charge_point.disconnected(now)

    await _changed(charge_point_id, change, uow_factory, clock, writes)


async def _changed(charge_point_id: str, change: Change[T], uow_factory: UnitOfWorkFactory, clock: Clock,
                   writes: ChargePointWrites | None) -> T:
    """A change to the charge point's own row: grouped with others' by ``writes``, else in a unit of work of its own."""
    if writes is not None:
        return await writes.apply(charge_point_id, change)
    return await apply_alone(charge_point_id, change, uow_factory=uow_factory, clock=clock)


async def no_charge_point_connected(*, uow_factory: UnitOfWorkFactory) -> int:
    """At start-up this node holds no connections: whoever was online before a crash is not any more.

    Right while one node serves OCPP; several nodes would each own their charge points' status.
    """
    async with uow_factory() as uow:
        count = await uow.charge_points.mark_all_offline()
        await uow.commit()
    return count


async def boot(cmd: Boot, *, uow_factory: UnitOfWorkFactory, clock: Clock,
               writes: ChargePointWrites | None = None) -> BootAccepted:
    def change(charge_point: ChargePoint, now: datetime) -> BootAccepted:
        charge_point.booted(vendor=cmd.vendor, model=cmd.model, serial_number=cmd.serial_number,
                            firmware_version=cmd.firmware_version, now=now)
        return BootAccepted(current_time=now, interval=HEARTBEAT_INTERVAL)

    return await _changed(cmd.charge_point_id, change, uow_factory, clock, writes)


async def heartbeat(charge_point_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                    writes: ChargePointWrites | None = None) -> datetime:
    def change(charge_point: ChargePoint, now: datetime) -> datetime:
        charge_point.heartbeat(now)
        return now

    return await _changed(charge_point_id, change, uow_factory, clock, writes)


async def status_changed(report: StatusReport, *, uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        charge_point = await _locked(uow, report.charge_point_id)
        charge_point.status_changed(evse_id=report.evse_id, connector_id=report.connector_id, status=report.status,
                                    error_code=report.error_code, timestamp=report.timestamp)
        await uow.charge_points.save(charge_point)
        await uow.commit()


async def authorize(charge_point_id: str, id_tag: str, *, uow_factory: UnitOfWorkFactory,
                    clock: Clock, known: KnownTags | None = None) -> Authorization:
    """Authorize names no connector: its reservation and connector type are judged when the transaction starts."""
    now = clock.now()
    async with uow_factory() as uow:
        charge_point = await uow.charge_points.find(charge_point_id)
        if charge_point is None:
            raise NotFound("charge_point", charge_point_id)
        authorization = await authorize_id_tag(uow, charge_point, id_tag, now, known=known)
        await record_decision(uow, charge_point, id_tag, authorization, Trigger.AUTHORIZE, now)
        await uow.commit()
    return authorization
