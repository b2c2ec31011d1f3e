"""Deciding whether an id tag may charge: an active driver of the charge point's organization, and no
reservation of that connector held for somebody else.

Who holds a tag may be remembered for a few seconds (``KnownTags``, see ``credential_cache``): a
charge point asks at Authorize and again at StartTransaction. Reservations are always read."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import frozen

from application.credential_cache import CredentialCache
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


# (organization, id tag) → (driver id, active), or None for a tag nobody in the organization holds.
KnownTags = CredentialCache[tuple[str, str], tuple[str, bool] | None]


async def authorize_id_tag(uow: UnitOfWork, charge_point: ChargePoint, id_tag: str, now: datetime,
                           connector_id: int | None = None, known: KnownTags | None = None) -> Authorization:
    key = (charge_point.organization_id, id_tag)
    remembered = known.get(key, now) if known is not None else None
    if remembered is not None:
        holder = remembered[0]
    else:
        driver = await uow.drivers.find_by_id_tag(charge_point.organization_id, id_tag)
        holder = (driver.id, driver.active) if driver is not None else None
        if known is not None:
            known.put(key, holder, now)
    if holder is None:
        return Authorization(AuthorizationStatus.INVALID)
    driver_id, active = holder
    if not active:
        return Authorization(AuthorizationStatus.BLOCKED, driver_id)
    if connector_id is not None:
        for reservation in await uow.reservations.active_on(charge_point.id, now):
            if reservation.holds(connector_id, now) and not reservation.admits(id_tag):
                return Authorization(AuthorizationStatus.RESERVED, driver_id)
    return Authorization(AuthorizationStatus.ACCEPTED, driver_id)
