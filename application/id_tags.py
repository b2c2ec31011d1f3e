"""Deciding whether an id tag may charge: an active driver of the charge point's organization, no reservation
of that connector held for somebody else, and the driver's charging policy (its own, else its fleet's).

Who holds a tag may be remembered for a few seconds (``KnownTags``, see ``credential_cache``): a charge point
asks at Authorize and again at StartTransaction. Reservations and fleets' policies are always read, so a
policy change applies to the next question; a driver's own changes drop what this node remembered of its
tags. Every decision is recorded in the authorization log by the use case that asked (``authorization_log``).
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.charging_policies import PolicyHolder, judge_charging
from application.credential_cache import CredentialCache
from application.ports import UnitOfWork
from domain.fleets import AuthorizationStatus, ChargingPolicy, EnergyCap, Refusal
from domain.fleets.authorizations import STATUS_OF
from domain.network import ChargePoint, Driver

__all__ = ["Authorization", "AuthorizationStatus", "KnownTags", "TagHolder", "authorize_id_tag"]


@frozen
class Authorization:
    status: AuthorizationStatus
    driver_id: str | None = None
    fleet_id: str | None = None
    vehicle_id: str | None = None
    reason: Refusal | None = None
    detail: str | None = None
    energy_cap: EnergyCap | None = None     # the most a session starting now may deliver (its policy's)

    @property
    def accepted(self) -> bool:
        return self.status is AuthorizationStatus.ACCEPTED


@frozen
class TagHolder:
    """What an authorization needs of the driver holding a tag (remembered for a few seconds)."""

    driver_id: str
    active: bool
    fleet_id: str | None = None
    vehicle_id: str | None = None
    policy: ChargingPolicy | None = None

    @classmethod
    def of(cls, driver: Driver) -> TagHolder:
        return cls(driver.id, driver.active, driver.fleet_id, driver.vehicle_id, driver.policy)

    @property
    def governed(self) -> bool:
        """Whether a charging policy may apply (its own, or its fleet's): only then is one read."""
        return self.fleet_id is not None or self.policy is not None


# (organization, id tag) → who holds it, or None for a tag nobody in the organization holds.
KnownTags = CredentialCache[tuple[str, str], TagHolder | None]


def _refused(reason: Refusal, detail: str, holder: TagHolder | None = None) -> Authorization:
    return Authorization(STATUS_OF[reason], holder.driver_id if holder else None, holder.fleet_id if holder else None,
                         holder.vehicle_id if holder else None, reason, detail)


async def holder_of(uow: UnitOfWork, organization_id: str, id_tag: str, now: datetime,
                    known: KnownTags | None = None) -> TagHolder | None:
    key = (organization_id, id_tag)
    remembered = known.get(key, now) if known is not None else None
    if remembered is not None:
        return remembered[0]
    driver = await uow.drivers.find_by_id_tag(organization_id, id_tag)
    holder = TagHolder.of(driver) if driver is not None else None
    if known is not None:
        known.put(key, holder, now)
    return holder


async def authorize_id_tag(uow: UnitOfWork, charge_point: ChargePoint, id_tag: str, now: datetime,
                           connector_id: int | None = None, known: KnownTags | None = None, *,
                           evse_id: int | None = None, policy: bool = True) -> Authorization:
    """``connector_id`` (or ``evse_id``) when a transaction starts there: its reservation and type are checked.
    ``policy=False`` where the answer cannot stop anything (a tag that ends a transaction)."""
    holder = await holder_of(uow, charge_point.organization_id, id_tag, now, known)
    if holder is None:
        return _refused(Refusal.UNKNOWN_ID_TAG, "no driver of the organization holds this id tag")
    if not holder.active:
        return _refused(Refusal.DRIVER_DEACTIVATED, f"driver {holder.driver_id} is deactivated", holder)
    if connector_id is not None:
        for reservation in await uow.reservations.active_on(charge_point.id, now):
            if reservation.holds(connector_id, now) and not reservation.admits(id_tag):
                return _refused(Refusal.CONNECTOR_RESERVED,
                                f"connector {connector_id} is reserved for another id tag until "
                                f"{reservation.expires_at.isoformat()}", holder)
    cap = None
    if policy and holder.governed:
        judgement = await judge_charging(uow, charge_point, PolicyHolder(holder.driver_id, holder.fleet_id,
                                                                         holder.policy),
                                         now, connector_id=connector_id, evse_id=evse_id)
        if judgement.verdict.refusal is not None:
            return _refused(judgement.verdict.refusal, judgement.verdict.detail or "", holder)
        cap = judgement.cap
    return Authorization(AuthorizationStatus.ACCEPTED, holder.driver_id, holder.fleet_id, holder.vehicle_id,
                         energy_cap=cap)
