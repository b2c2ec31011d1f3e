"""Locations and charge points: registration by operators, and recognising a connecting charge point."""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.charge_point_reads import ChargePointReads
from application.credential_cache import CredentialCache
from application.credentials import hash_secret
from application.pagination import Page, PageRequest
from application.ports import Clock, PasswordHasher, UnitOfWork, UnitOfWorkFactory
from domain.connector_types import connector_type_problem
from domain.errors import Conflict, FieldErrors, InvalidInput, NotFound, Unauthenticated
from domain.ids import PREFIXES, new_id
from domain.network import ChargePoint, Connector, Location, ValidationMode


@frozen
class CreateLocation:
    name: str
    address: str
    city: str
    country: str
    timezone: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    site_owner_id: str | None = None
    project_id: str | None = None


@frozen
class RegisterChargePoint:
    id: str
    location_id: str
    ocpp_password: str | None = None
    evses: tuple[tuple[int, tuple[int, ...]], ...] = ()     # (evse_id, connector ids)
    validation_mode: ValidationMode = ValidationMode.STRICT
    # (evse_id, connector_id) → its OCPI connector type, for the connectors whose plug the operator knows.
    connector_types: tuple[tuple[tuple[int, int], str], ...] = ()


async def create_location(cmd: CreateLocation, actor: Actor, organization_id: str, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock) -> Location:
    Location.validate(name=cmd.name, address=cmd.address, city=cmd.city, country=cmd.country,
                      timezone=cmd.timezone, latitude=cmd.latitude, longitude=cmd.longitude,
                      site_owner_id=cmd.site_owner_id, project_id=cmd.project_id)
    location = Location(id=new_id(PREFIXES["location"]), organization_id=organization_id, name=cmd.name.strip(),
                        address=cmd.address.strip(), city=cmd.city.strip(), country=cmd.country,
                        timezone=cmd.timezone, latitude=cmd.latitude, longitude=cmd.longitude,
                        site_owner_id=cmd.site_owner_id, project_id=cmd.project_id, created_at=clock.now())
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        await uow.locations.add(location)
        await uow.commit()
    return location


async def get_location(location_id: str, actor: Actor, organization_id: str, *,
                       uow_factory: UnitOfWorkFactory) -> Location:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        location = await uow.locations.get(organization_id, location_id)
    if location is None:
        raise NotFound("location", location_id)
    return location


async def list_locations(actor: Actor, organization_id: str, page: PageRequest, *,
                         uow_factory: UnitOfWorkFactory) -> Page[Location]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.locations.list(organization_id, page)


async def register_charge_point(cmd: RegisterChargePoint, actor: Actor, organization_id: str, *,
                                uow_factory: UnitOfWorkFactory, hasher: PasswordHasher,
                                clock: Clock) -> ChargePoint:
    ChargePoint.validate_registration(cmd.id, cmd.ocpp_password, [(e, list(c)) for e, c in cmd.evses])
    types = dict(cmd.connector_types)
    errors = FieldErrors()
    for i, (evse_id, connector_ids) in enumerate(cmd.evses):
        for j, connector_id in enumerate(connector_ids):
            kind = types.get((evse_id, connector_id))
            problem = connector_type_problem(kind) if kind is not None else None
            if problem:
                errors.add(f"evses[{i}].connectors[{j}].type", problem)
    errors.raise_if_any()
    # Hashing a password costs about a second of CPU and 64 MiB: only for a caller allowed to register,
    # and with no connection held meanwhile. The checks run again where the charge point is stored.
    async with uow_factory(read_only=True) as uow:
        await _may_register(uow, cmd, actor, organization_id)
    password_hash = await hasher.hash(cmd.ocpp_password) if cmd.ocpp_password is not None else None
    connectors = [Connector(evse_id, connector_id, type=types.get((evse_id, connector_id)))
                  for evse_id, ids in cmd.evses for connector_id in ids]
    charge_point = ChargePoint(id=cmd.id, organization_id=organization_id, location_id=cmd.location_id,
                               created_at=clock.now(), password_hash=password_hash, connectors=connectors,
                               validation_mode=cmd.validation_mode)
    async with uow_factory() as uow:
        await _may_register(uow, cmd, actor, organization_id)
        await uow.charge_points.add(charge_point)
        await uow.commit()
    return charge_point


async def _may_register(uow: UnitOfWork, cmd: RegisterChargePoint, actor: Actor, organization_id: str) -> None:
    await authorize(uow, actor, organization_id, Action.OPERATE)
    if await uow.locations.get(organization_id, cmd.location_id) is None:
        raise InvalidInput.field("location_id", "no such location in this organization")
    if await uow.charge_points.find(cmd.id) is not None:
        raise Conflict(f"a charge point with identity {cmd.id} is already registered")


async def get_charge_point(charge_point_id: str, actor: Actor, organization_id: str, *,
                           uow_factory: UnitOfWorkFactory) -> ChargePoint:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        charge_point = await uow.charge_points.get(organization_id, charge_point_id)
    if charge_point is None:
        raise NotFound("charge_point", charge_point_id)
    return charge_point


async def list_charge_points(actor: Actor, organization_id: str, page: PageRequest, *,
                             uow_factory: UnitOfWorkFactory, location_id: str | None = None) -> Page[ChargePoint]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.charge_points.list(organization_id, page, location_id)


# (identity, hash of the password presented or "") → the registration that admitted it.
AdmittedChargePoints = CredentialCache[tuple[str, str], ChargePoint]


async def admit_charge_point(charge_point_id: str, password: str | None, *, uow_factory: UnitOfWorkFactory,
                             hasher: PasswordHasher, clock: Clock | None = None,
                             admitted: AdmittedChargePoints | None = None,
                             reads: ChargePointReads | None = None) -> ChargePoint:
    """Whether a connecting charge point may open its websocket (``NotFound`` → 404, ``Unauthenticated`` → 401).

    A charge point registered with a password must present it (OCPP security profile 1). With
    ``admitted``, a charge point that reconnects with what admitted it a moment ago (a flapping
    link) is admitted again without a read or a password hash (which costs far more CPU than the
    read); refusals are never remembered. With ``reads``, the registration is read together with those of
    the other charge points connecting at the same moment.
    """
    key = (charge_point_id, hash_secret(password) if password is not None else "")
    now = clock.now() if clock is not None else None
    if admitted is not None and now is not None and (known := admitted.get(key, now)) is not None:
        return known[0]
    if reads is not None:
        charge_point = await reads.find(charge_point_id)
    else:
        async with uow_factory(read_only=True) as uow:
            charge_point = await uow.charge_points.find(charge_point_id)
    if charge_point is None:
        raise NotFound("charge_point", charge_point_id)
    if charge_point.password_hash is not None and (
            password is None or not await hasher.verify(charge_point.password_hash, password)):
        raise Unauthenticated("wrong or missing charge point password")
    if admitted is not None and now is not None:
        admitted.put(key, charge_point, now)
    return charge_point
