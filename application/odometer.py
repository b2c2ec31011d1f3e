"""Odometer readings of a fleet's vehicles, as operators (or their telematics) report them: the distances
fleet costs per 100 km are computed from.

A reading is checked against the vehicle's neighbours in time (odometers don't roll back): the last reading at
or before its instant must not be above it, the first one at or after it must not be below it.
"""

from __future__ import annotations

from datetime import datetime

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from domain.errors import NotFound
from domain.fleets.odometer import OdometerReading
from domain.ids import PREFIXES, new_id


async def record_odometer_reading(vehicle_id: str, odometer_km: object, read_at: datetime | None, actor: Actor,
                                  organization_id: str, *, uow_factory: UnitOfWorkFactory,
                                  clock: Clock) -> OdometerReading:
    """``odometer_km`` as the API read it (Decimal, int or decimal string); ``read_at`` None: now."""
    now = clock.now()
    at = read_at if read_at is not None else now
    km = OdometerReading.validate(odometer_km=odometer_km, read_at=at, now=now)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        if await uow.vehicles.get(organization_id, vehicle_id) is None:
            raise NotFound("vehicle", vehicle_id)
        reading = OdometerReading(id=new_id(PREFIXES["odometer_reading"]), organization_id=organization_id,
                                  vehicle_id=vehicle_id, odometer_km=km, read_at=at, recorded_at=now)
        reading.check_order(*await uow.odometer_readings.neighbours(organization_id, vehicle_id, at))
        await uow.odometer_readings.add(reading)
        await uow.commit()
    return reading


async def list_odometer_readings(vehicle_id: str, actor: Actor, organization_id: str, page: PageRequest, *,
                                 uow_factory: UnitOfWorkFactory) -> Page[OdometerReading]:
    """Newest first (by the instant read)."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        if await uow.vehicles.get(organization_id, vehicle_id) is None:
            raise NotFound("vehicle", vehicle_id)
        return await uow.odometer_readings.list(organization_id, vehicle_id, page)
