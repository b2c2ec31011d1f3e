"""Operators' commands to charge points: authorised here, delivered by the ChargePointCommands port.

No unit of work is open while the charge point is asked: a slow charger must not hold a
database connection.
"""

from __future__ import annotations

from application.authorization import Action, Actor, authorize
from application.authorization_log import record_decision
from application.id_tags import KnownTags, authorize_id_tag
from application.ports import Clock, UnitOfWorkFactory
from application.ports.charge_point_commands import (
    ChargePointCommands,
    Command,
    CommandResult,
    RemoteStart,
    RemoteStop,
)
from domain.errors import InvalidInput, InvalidState, NotFound
from domain.fleets import Trigger
from domain.fleets.authorizations import ChargingRefused
from domain.network.drivers import ID_TAG


def remote_start(id_tag: str, connector_id: int | None = None, evse_id: int | None = None) -> RemoteStart:
    """The command that starts a session for ``id_tag``: a tag as a charge point would present it (the
    drivers' tags' rule, an OCPP IdToken)."""
    if not isinstance(id_tag, str) or not ID_TAG.fullmatch(id_tag):
        raise InvalidInput.field("id_tag", "1 to 36 printable characters without spaces")
    return RemoteStart(id_tag=id_tag, connector_id=connector_id, evse_id=evse_id)


async def send_command(charge_point_id: str, command: Command, actor: Actor, organization_id: str, *,
                       uow_factory: UnitOfWorkFactory, commands: ChargePointCommands, clock: Clock,
                       known: KnownTags | None = None) -> CommandResult:
    """A remote start is authorized first, as the tag would be at the charge point (its driver, the connector's
    reservation, the driver's charging policy), and the decision logged: a refused one is not sent (409)."""
    async with uow_factory(read_only=not isinstance(command, RemoteStart)) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        charge_point = await uow.charge_points.get(organization_id, charge_point_id)
        if charge_point is None:
            raise NotFound("charge_point", charge_point_id)
        if isinstance(command, RemoteStart):
            now = clock.now()
            authorization = await authorize_id_tag(uow, charge_point, command.id_tag, now, command.connector_id,
                                                   known, evse_id=command.evse_id)
            await record_decision(uow, charge_point, command.id_tag, authorization, Trigger.REMOTE_START, now,
                                  command.connector_id)
            await uow.commit()
            if not authorization.accepted:
                raise ChargingRefused(authorization.reason, authorization.detail)
    return await commands.send(charge_point.id, command)


async def stop_session(charge_point_id: str, session_id: str, actor: Actor, organization_id: str, *,
                       uow_factory: UnitOfWorkFactory, commands: ChargePointCommands) -> CommandResult:
    """Remote stop names a session; the charge point knows it by its transaction id."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        session = await uow.sessions.get(organization_id, session_id)
        if session is None:
            raise InvalidInput.field("session_id", "no such session in this organization")
        if session.charge_point_id != charge_point_id:
            raise InvalidInput.field("session_id", f"the session runs on {session.charge_point_id}")
        if session.status.value == "completed":
            raise InvalidState("the session has already completed")
    return await commands.send(charge_point_id, RemoteStop(session.transaction_id))
