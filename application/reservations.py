"""Reservations: a connector held for one id tag. The charge point is asked first (ReserveNow); only
its acceptance makes a reservation active, and cancelling asks it again (CancelReservation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from application.ports.charge_point_commands import CancelReservation, ChargePointCommands, ReserveNow
from application.ports.network import ReservationFilter
from domain.errors import Conflict, FieldErrors, InvalidInput, NotFound
from domain.ids import PREFIXES, new_id
from domain.network import Reservation
from domain.network.drivers import ID_TAG

MAX_HOLD = timedelta(hours=24)


class ReservationRejected(Conflict):
    """The charge point refused to reserve (Occupied, Faulted, Rejected, Unavailable)."""

    code = "reservation_rejected"

    def __init__(self, status: str) -> None:
        super().__init__(f"the charge point answered {status}")
        self.status = status


@frozen
class CreateReservation:
    charge_point_id: str
    connector_id: int
    expires_at: datetime
    id_tag: str


async def create_reservation(cmd: CreateReservation, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory, commands: ChargePointCommands,
                             clock: Clock) -> Reservation:
    now = clock.now()
    errors = FieldErrors()
    errors.check("expires_at", cmd.expires_at > now, "must be in the future")
    errors.check("expires_at", cmd.expires_at <= now + MAX_HOLD, "at most 24 hours ahead")
    errors.check("id_tag", isinstance(cmd.id_tag, str) and bool(ID_TAG.match(cmd.id_tag)),
                 "1 to 36 printable characters without spaces")
    errors.check("connector_id", 1 <= cmd.connector_id <= 100, "must be a connector number (1 or more)")
    errors.raise_if_any()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        charge_point = await uow.charge_points.get(organization_id, cmd.charge_point_id)
        if charge_point is None:
            raise InvalidInput.field("charge_point_id", "no such charge point in this organization")
        if charge_point.connectors and not charge_point.has_connector(cmd.connector_id):
            raise InvalidInput.field("connector_id", f"{cmd.charge_point_id} has no connector {cmd.connector_id}")
        if any(r.holds(cmd.connector_id, now) for r in await uow.reservations.active_on(charge_point.id, now)):
            raise Conflict(f"connector {cmd.connector_id} is already reserved")
        locked = await uow.charge_points.find_for_update(charge_point.id)
        assert locked is not None
        ocpp_id = locked.allocate_reservation_id()
        await uow.charge_points.save(locked)
        await uow.commit()
    answer = await commands.send(charge_point.id, ReserveNow(ocpp_id, cmd.connector_id, cmd.id_tag, cmd.expires_at))
    if answer.status != "Accepted":
        raise ReservationRejected(answer.status)
    reservation = Reservation.make(id=new_id(PREFIXES["reservation"]), organization_id=organization_id,
                                   charge_point_id=charge_point.id, connector_id=cmd.connector_id,
                                   id_tag=cmd.id_tag, expires_at=cmd.expires_at, ocpp_reservation_id=ocpp_id,
                                   now=now)
    async with uow_factory() as uow:
        await uow.reservations.add(reservation)
        await uow.commit()
    return reservation


async def list_reservations(actor: Actor, organization_id: str, filters: ReservationFilter, page: PageRequest, *,
                            uow_factory: UnitOfWorkFactory, clock: Clock) -> Page[Reservation]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.reservations.list(organization_id, filters, page, clock.now())


async def cancel_reservation(reservation_id: str, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory, commands: ChargePointCommands, clock: Clock) -> None:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        reservation = await uow.reservations.get(organization_id, reservation_id)
        if reservation is None:
            raise NotFound("reservation", reservation_id)
        reservation.cancel(clock.now())   # raises InvalidState unless active: nothing is sent then
    # Whatever it answers ends ours: Rejected means the charge point holds no such reservation any more.
    await commands.send(reservation.charge_point_id, CancelReservation(reservation.ocpp_reservation_id))
    async with uow_factory() as uow:
        current = await uow.reservations.get(organization_id, reservation_id)
        if current is None:
            raise NotFound("reservation", reservation_id)
        current.cancel(clock.now())
        await uow.reservations.save(current)
        await uow.commit()


async def expire_reservations(*, uow_factory: UnitOfWorkFactory, clock: Clock, batch: int = 200) -> int:
    """Mark reservations past their expiry as expired (reads already see them so; this records it)."""
    now = clock.now()
    async with uow_factory() as uow:
        due = await uow.reservations.due_to_expire(now, batch)
        for reservation in due:
            if reservation.expire(now):
                await uow.reservations.save(reservation)
        await uow.commit()
    return len(due)
