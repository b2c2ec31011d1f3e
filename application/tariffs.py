"""Tariffs: create, read, update (a new version), assign to charge points and locations, quote."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import InvalidInput, NotFound
from domain.geography import is_timezone
from domain.ids import PREFIXES, new_id
from domain.pricing import TariffRecord
from domain.tariffs import CostBreakdown, parse_tariff, profile_from_meter_values, quote_profile, rate


@frozen
class Quote:
    start: datetime
    end: datetime
    energy_kwh: Decimal | None = None
    max_power_kw: Decimal | None = None
    location_timezone: str | None = None
    meter_values: tuple[tuple[datetime, Decimal], ...] = ()   # (instant, cumulative Wh)


async def create_tariff(document: dict[str, Any], actor: Actor, organization_id: str, *,
                        uow_factory: UnitOfWorkFactory, clock: Clock) -> TariffRecord:
    tariff = parse_tariff(document)
    record = TariffRecord.create(id=new_id(PREFIXES["tariff"]), organization_id=organization_id, tariff=tariff,
                                 now=clock.now())
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        await uow.tariffs.add(record)
        await uow.commit()
    return record


async def get_tariff(tariff_id: str, actor: Actor, organization_id: str, *,
                     uow_factory: UnitOfWorkFactory) -> TariffRecord:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        record = await uow.tariffs.get(organization_id, tariff_id)
    if record is None:
        raise NotFound("tariff", tariff_id)
    return record


async def list_tariffs(actor: Actor, organization_id: str, page: PageRequest, *,
                       uow_factory: UnitOfWorkFactory) -> Page[TariffRecord]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.tariffs.list(organization_id, page)


async def update_tariff(tariff_id: str, document: dict[str, Any], actor: Actor, organization_id: str, *,
                        uow_factory: UnitOfWorkFactory, clock: Clock) -> TariffRecord:
    """PUT replaces the tariff with a new version; sessions started before keep the version they had."""
    tariff = parse_tariff(document)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        record = await uow.tariffs.get(organization_id, tariff_id)
        if record is None:
            raise NotFound("tariff", tariff_id)
        record.revise(tariff, clock.now())
        await uow.tariffs.save(record)
        await uow.commit()
    return record


async def existing_tariff_id(uow: UnitOfWork, organization_id: str, tariff_id: str | None, field: str) -> None:
    if tariff_id is not None and await uow.tariffs.get(organization_id, tariff_id) is None:
        raise InvalidInput.field(field, "no such tariff in this organization")


async def assign_to_charge_point(charge_point_id: str, tariff_id: str | None, actor: Actor, organization_id: str, *,
                                 uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        charge_point = await uow.charge_points.get(organization_id, charge_point_id)
        if charge_point is None:
            raise NotFound("charge_point", charge_point_id)
        await existing_tariff_id(uow, organization_id, tariff_id, "tariff_id")
        locked = await uow.charge_points.find_for_update(charge_point_id)
        assert locked is not None
        locked.tariff_id = tariff_id
        await uow.charge_points.save(locked)
        await uow.commit()


async def assign_to_location(location_id: str, tariff_id: str | None, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        location = await uow.locations.get(organization_id, location_id)
        if location is None:
            raise NotFound("location", location_id)
        await existing_tariff_id(uow, organization_id, tariff_id, "tariff_id")
        location.tariff_id = tariff_id
        await uow.locations.save(location)
        await uow.commit()


async def quote(tariff_id: str, request: Quote, actor: Actor, organization_id: str, *,
                uow_factory: UnitOfWorkFactory) -> CostBreakdown:
    """What a session would cost: total energy spread at constant power, or measured meter values."""
    if request.location_timezone is not None and not is_timezone(request.location_timezone):
        raise InvalidInput.field("location_timezone", "is not an IANA time zone name")
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        record = await uow.tariffs.get(organization_id, tariff_id)
        if record is None:
            raise NotFound("tariff", tariff_id)
        organization = await uow.organizations.get(organization_id)
    zone = request.location_timezone or (organization.settings.timezone if organization else "UTC")
    if request.meter_values:
        profile = profile_from_meter_values(list(request.meter_values), start=request.start, end=request.end)
    elif request.energy_kwh is not None:
        profile = quote_profile(request.start, request.end, request.energy_kwh, request.max_power_kw)
    else:
        raise InvalidInput.field("energy_kwh", "give energy_kwh or meter_values")
    return rate(record.version_at(request.start).tariff, profile, ZoneInfo(zone)).rounded()
