"""Deciding whether an id tag may charge: an active driver of the charge point's organization, and no
reservation of that connector held for somebody else."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import frozen

from application.ports import UnitOfWork
from domain.network import ChargePoint


class AuthorizationStatus(str, enum.Enum):
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"                 # the driver exists but is deactivated
    INVALID = "Invalid"                 # nobody we know
    RESERVED = "Reserved"               # the connector is held for another tag (1.6 says Invalid, 2.0.1 NotAtThisTime)


@frozen
class Authorization:
    status: AuthorizationStatus
    driver_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status is AuthorizationStatus.ACCEPTED


async def authorize_id_tag(uow: UnitOfWork, charge_point: ChargePoint, id_tag: str, now: datetime,
                           connector_id: int | None = None) -> Authorization:
    driver = await uow.drivers.find_by_id_tag(charge_point.organization_id, id_tag)
    if driver is None:
        return Authorization(AuthorizationStatus.INVALID)
    if not driver.active:
        return Authorization(AuthorizationStatus.BLOCKED, driver.id)
    if connector_id is not None:
        for reservation in await uow.reservations.active_on(charge_point.id, now):
            if reservation.holds(connector_id, now) and not reservation.admits(id_tag):
                return Authorization(AuthorizationStatus.RESERVED, driver.id)
    return Authorization(AuthorizationStatus.ACCEPTED, driver.id)
