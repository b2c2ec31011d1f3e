"""Members of an organization: list, change a role, remove. The last admin stays."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import UnitOfWork, UnitOfWorkFactory
from domain.errors import InvalidState, NotFound
from domain.identity import Member, Role, User


@frozen
class MemberView:
    member: Member
    user: User


async def list_members(organization_id: str, actor: Actor, page: PageRequest, *,
                       uow_factory: UnitOfWorkFactory) -> Page[MemberView]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        members = await uow.members.list(organization_id, page)
        users = await uow.users.get_many(m.user_id for m in members.items)
    return Page([MemberView(m, users[m.user_id]) for m in members.items if m.user_id in users],
                members.next_cursor)


async def _locked_member(uow: UnitOfWork, organization_id: str, user_id: str) -> Member:
    # Locking the organization row serialises concurrent role changes, so two admins demoting
    # each other at once cannot leave the organization with none.
    await uow.organizations.get_for_update(organization_id)
    member = await uow.members.get(organization_id, user_id)
    if member is None:
        raise NotFound("member", user_id)
    return member


async def _ensure_not_last_admin(uow: UnitOfWork, member: Member) -> None:
    if member.role is Role.ADMIN and await uow.members.count_with_role(member.organization_id, Role.ADMIN) <= 1:
        raise InvalidState("the last admin of an organization cannot be removed or demoted")


async def change_member_role(organization_id: str, user_id: str, role: Role, actor: Actor, *,
                             uow_factory: UnitOfWorkFactory) -> MemberView:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_MEMBERS)
        member = await _locked_member(uow, organization_id, user_id)
        if role is not Role.ADMIN:
            await _ensure_not_last_admin(uow, member)
        member.role = role
        await uow.members.save(member)
        user = await uow.users.get(user_id)
        await uow.commit()
    if user is None:
        raise NotFound("member", user_id)
    return MemberView(member, user)


async def remove_member(organization_id: str, user_id: str, actor: Actor, *,
                        uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        # Anyone may leave an organization; removing somebody else takes the right to manage members.
        leaving = actor.user_id == user_id
        await authorize(uow, actor, organization_id, Action.READ if leaving else Action.MANAGE_MEMBERS)
        member = await _locked_member(uow, organization_id, user_id)
        await _ensure_not_last_admin(uow, member)
        await uow.members.remove(organization_id, user_id)
        await uow.commit()
