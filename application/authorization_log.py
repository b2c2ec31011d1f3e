"""The authorization log: every decision on an id tag, with its reason, written in the unit of work that
made it (a refusal's ``authorization.refused`` event with it), and read by operators and fleet managers."""

from __future__ import annotations

from datetime import datetime

from application.authorization import Action, Actor, authorize
from application.id_tags import Authorization
from application.pagination import Page, PageRequest
from application.ports import UnitOfWork, UnitOfWorkFactory
from application.ports.fleets import AuthorizationFilter
from domain.fleets import AuthorizationRecord, Trigger
from domain.ids import PREFIXES, new_id
from domain.network import ChargePoint


async def record_decision(uow: UnitOfWork, charge_point: ChargePoint, id_tag: str, authorization: Authorization,
                          trigger: Trigger, at: datetime, connector_id: int | None = None) -> AuthorizationRecord:
    record = AuthorizationRecord.decided(
        id=new_id(PREFIXES["authorization"]), organization_id=charge_point.organization_id, at=at,
        charge_point_id=charge_point.id, id_tag=id_tag, trigger=trigger, status=authorization.status,
        reason=authorization.reason, detail=authorization.detail, driver_id=authorization.driver_id,
        fleet_id=authorization.fleet_id, vehicle_id=authorization.vehicle_id, location_id=charge_point.location_id,
        connector_id=connector_id)
    await uow.authorizations.add(record)
    return record


async def list_authorizations(actor: Actor, organization_id: str, filters: AuthorizationFilter, page: PageRequest, *,
                              uow_factory: UnitOfWorkFactory) -> Page[AuthorizationRecord]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.authorizations.list(organization_id, filters, page)
