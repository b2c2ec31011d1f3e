"""Invitations: an admin invites an email with a role; the token travels only in the email.

The email is written to the transactional outbox in the same unit of work as the invitation,
so an invitation is never stored without its email, nor an email sent for a rolled-back one.
"""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.credentials import INVITATION_TOKEN_PREFIX, hash_secret, new_secret
from application.pagination import Page, PageRequest
from application.ports import Clock, EmailMessage, OutboundEmail, UnitOfWorkFactory
from domain.errors import Conflict, FieldErrors, Forbidden, InvalidInput, InvalidState, NotFound
from domain.identity import Invitation, Member, Role
from domain.identity.invitations import INVITATION_LIFETIME, InvitationStatus
from domain.ids import PREFIXES, new_id
from domain.validation import email_problem, normalize_email


@frozen
class Invite:
    email: str
    role: Role


@frozen
class Acceptance:
    organization_id: str
    user_id: str
    role: Role


def invitation_email(invitation: Invitation, organization_name: str, token: str) -> EmailMessage:
    text = (
        f"You have been invited to join {organization_name} on Charge as {invitation.role.value}.\n\n"
        f"Sign in (or sign up with this address) and accept the invitation with this token:\n\n"
        f"Invitation token: {token}\n\n"
        f"POST /api/v1/organizations/invitations/accept with {{\"token\": \"{token}\"}}\n\n"
        f"The invitation expires at {invitation.expires_at.isoformat()}.\n"
    )
    return EmailMessage(to=invitation.email, subject=f"You're invited to join {organization_name} on Charge",
                        text=text)


async def invite_member(organization_id: str, cmd: Invite, actor: Actor, *, uow_factory: UnitOfWorkFactory,
                        clock: Clock) -> Invitation:
    errors = FieldErrors()
    problem = email_problem(cmd.email)
    if problem:
        errors.add("email", problem)
    errors.raise_if_any()
    email = normalize_email(cmd.email)
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_MEMBERS)
        organization = await uow.organizations.get(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        existing_user = await uow.users.get_by_email(email)
        if existing_user and await uow.members.get(organization_id, existing_user.id):
            raise Conflict(f"{email} is already a member of this organization")
        pending = await uow.invitations.find_pending(organization_id, email)
        if pending is not None:
            if pending.status_at(now) is InvitationStatus.PENDING:
                raise Conflict(f"{email} already has a pending invitation ({pending.id}); cancel it to re-invite")
            pending.status = InvitationStatus.EXPIRED
            await uow.invitations.save(pending)
        token = new_secret(INVITATION_TOKEN_PREFIX)
        invitation = Invitation(id=new_id(PREFIXES["invitation"]), organization_id=organization_id, email=email,
                                role=cmd.role, token_hash=hash_secret(token), invited_by=actor.user_id,
                                created_at=now, expires_at=now + INVITATION_LIFETIME)
        await uow.invitations.add(invitation)
        await uow.outbox.add(OutboundEmail(id=new_id(PREFIXES["email"]), created_at=now,
                                           message=invitation_email(invitation, organization.name, token)))
        await uow.commit()
    return invitation


async def accept_invitation(token: str, actor: Actor, *, uow_factory: UnitOfWorkFactory,
                            clock: Clock) -> Acceptance:
    if actor.user_id is None:
        raise Forbidden("an invitation is accepted by a signed-in user")
    if not isinstance(token, str) or not token.startswith(INVITATION_TOKEN_PREFIX) or len(token) > 200:
        raise InvalidInput.field("token", "is not an invitation token")
    now = clock.now()
    async with uow_factory() as uow:
        invitation = await uow.invitations.get_by_token_hash(hash_secret(token))
        if invitation is None:
            raise NotFound("invitation")
        if await uow.members.get(invitation.organization_id, actor.user_id):
            raise Conflict("you are already a member of this organization")
        try:
            invitation.accept(actor.user_id, now)
        except InvalidState:
            if invitation.status is InvitationStatus.EXPIRED:  # record what time already decided
                await uow.invitations.save(invitation)
                await uow.commit()
            raise
        await uow.invitations.save(invitation)
        await uow.members.add(Member(id=new_id(PREFIXES["member"]), organization_id=invitation.organization_id,
                                     user_id=actor.user_id, role=invitation.role, joined_at=now))
        await uow.commit()
    return Acceptance(invitation.organization_id, actor.user_id, invitation.role)


async def cancel_invitation(organization_id: str, invitation_id: str, actor: Actor, *,
                            uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_MEMBERS)
        invitation = await uow.invitations.get(organization_id, invitation_id)
        if invitation is None:
            raise NotFound("invitation", invitation_id)
        invitation.cancel(clock.now())
        await uow.invitations.save(invitation)
        await uow.commit()


async def list_invitations(organization_id: str, actor: Actor, page: PageRequest, *,
                           uow_factory: UnitOfWorkFactory) -> Page[Invitation]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_MEMBERS)
        return await uow.invitations.list(organization_id, page)
