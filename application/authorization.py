"""Who is calling, and the role matrix that decides what each role may do in an organization.

Membership is checked before the role: a caller outside the organization gets ``NotFound``
(another tenant's object is a 404), a member whose role is too low gets ``Forbidden``.
"""

from __future__ import annotations

import enum

from attrs import frozen

from application.ports.unit_of_work import UnitOfWork
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.identity import Role
from domain.ids import is_id


@frozen
class Actor:
    """The authenticated caller: a user (by access token) or an organization API key."""

    user_id: str | None = None
    api_key_id: str | None = None
    api_key_organization_id: str | None = None
    api_key_role: Role | None = None

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def label(self) -> str:
        return self.user_id or self.api_key_id or "anonymous"


class Action(str, enum.Enum):
    READ = "read"                          # the organization, its members, settings, network, sessions
    OPERATE = "operate"                    # create and change network, fleets, tariffs, sessions, reservations
    UPDATE_ORGANIZATION = "update_organization"
    MANAGE_MEMBERS = "manage_members"      # roles, removal, invitations
    MANAGE_API_KEYS = "manage_api_keys"    # create, list, revoke
    MANAGE_SETTINGS = "manage_settings"


ROLE_MATRIX: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.MEMBER: frozenset({Action.READ, Action.OPERATE}),
    Role.VIEWER: frozenset({Action.READ}),
}


def allows(role: Role, action: Action) -> bool:
    return action in ROLE_MATRIX[role]


async def role_in(uow: UnitOfWork, actor: Actor, organization_id: str) -> Role:
    """The caller's role in the organization, or ``NotFound`` if it is not the caller's."""
    if actor.api_key_id is not None:
        if actor.api_key_organization_id == organization_id and actor.api_key_role is not None:
            return actor.api_key_role
        raise NotFound("organization", organization_id)
    if actor.user_id is not None:
        member = await uow.members.get(organization_id, actor.user_id)
        if member is not None:
            return member.role
    raise NotFound("organization", organization_id)


async def authorize(uow: UnitOfWork, actor: Actor, organization_id: str, action: Action) -> Role:
    role = await role_in(uow, actor, organization_id)
    if not allows(role, action):
        raise Forbidden(f"the {role.value} role may not {action.value.replace('_', ' ')}")
    return role


def acting_organization(actor: Actor, named: str | None, field: str) -> str:
    """The organization an operator call acts in when no path names it: ``named`` (a header, a metadata entry
    called ``field``), or the caller's own.

    An API key belongs to one organization and acts there; ``named`` may repeat it, but naming another
    is a 404 (the key knows no other). A user names the organization (required); whether the user
    belongs to it is the use case's to check, and a stranger gets the same 404 as for an organization
    that does not exist.
    """
    if named is not None and not is_id(named, "org"):
        raise NotFound("organization")  # cannot exist; not echoed
    if actor.api_key_organization_id is not None:
        if named is not None and named != actor.api_key_organization_id:
            raise NotFound("organization", named)
        return actor.api_key_organization_id
    if named is None:
        raise InvalidInput.field(field, "required with a user access token: the organization to act in")
    return named
