"""Invitations: the email leaves through the outbox, the token is single-use and expires."""

from __future__ import annotations

import pytest

from application.authorization import Actor
from application.invitations import Invite
from application.mail_relay import DROPPED_BODY
from application.pagination import PageRequest
from domain.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from domain.identity import InvitationStatus, Role
from tests.unit.application.helpers import join, organization, token_from, user


async def _invite(env, email="new@example.com", role=Role.MEMBER):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    invitation = await env.invite_member(org.id, Invite(email, role), admin)
    await env.relay()
    return admin, org, invitation, token_from(env.mailer.sent[-1].text)


async def test_invitation_email_carries_a_token_that_is_stored_only_hashed(env):
    _, org, invitation, token = await _invite(env)
    assert env.mailer.sent[-1].to == "new@example.com" and "Voltline" in env.mailer.sent[-1].subject
    assert invitation.token_hash != token and token not in repr(env.store.tables["invitations"])
    newcomer = await user(env, "new@example.com")
    accepted = await env.accept_invitation(token, newcomer)
    assert (accepted.organization_id, accepted.role) == (org.id, Role.MEMBER)
    with pytest.raises(InvalidState, match="accepted"):
        await env.accept_invitation(token, await user(env, "third@example.com"))


async def test_invitation_expires_by_itself(env):
    admin, org, invitation, token = await _invite(env)
    env.clock.advance(days=7, seconds=1)
    page = await env.list_invitations(org.id, admin, PageRequest())
    assert page.items[0].status_at(env.clock.now()) is InvitationStatus.EXPIRED
    with pytest.raises(InvalidState, match="expired"):
        await env.accept_invitation(token, await user(env, "new@example.com"))
    stored = env.store.tables["invitations"][invitation.id]
    assert stored.status is InvitationStatus.EXPIRED


async def test_cancelled_invitation_cannot_be_accepted_or_cancelled_again(env):
    admin, org, invitation, token = await _invite(env)
    await env.cancel_invitation(org.id, invitation.id, admin)
    with pytest.raises(InvalidState, match="cancelled"):
        await env.accept_invitation(token, await user(env, "new@example.com"))
    with pytest.raises(InvalidState):
        await env.cancel_invitation(org.id, invitation.id, admin)


async def test_inviting_a_member_or_a_pending_email_is_a_conflict(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    with pytest.raises(Conflict, match="already a member"):
        await env.invite_member(org.id, Invite("ADMIN@example.com", Role.VIEWER), admin)
    await env.invite_member(org.id, Invite("p@example.com", Role.VIEWER), admin)
    with pytest.raises(Conflict, match="pending"):
        await env.invite_member(org.id, Invite("p@example.com", Role.ADMIN), admin)
    env.clock.advance(days=8)
    again = await env.invite_member(org.id, Invite("p@example.com", Role.ADMIN), admin)
    assert again.status is InvitationStatus.PENDING


async def test_accepting_needs_a_signed_in_user_and_a_real_token(env):
    _, _, _, token = await _invite(env)
    with pytest.raises(Forbidden):
        await env.accept_invitation(token, Actor(api_key_id="key_x", api_key_organization_id="org_x",
                                                 api_key_role=Role.ADMIN))
    someone = await user(env, "someone@example.com")
    with pytest.raises(InvalidInput):
        await env.accept_invitation("not-a-token", someone)
    with pytest.raises(NotFound):
        await env.accept_invitation("civ_" + "A" * 43, someone)


async def test_an_existing_member_cannot_accept_twice_into_the_same_organization(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    member = await join(env, admin, org.id, "m@example.com", Role.MEMBER)
    other = await user(env, "other@example.com")
    await env.invite_member(org.id, Invite("other@example.com", Role.MEMBER), admin)
    await env.relay()
    with pytest.raises(Conflict):
        await env.accept_invitation(token_from(env.mailer.sent[-1].text), member)
    assert other.user_id


async def test_relay_retries_failed_delivery_with_backoff(env):
    env.mailer.fail_times = 1
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    await env.invite_member(org.id, Invite("new@example.com", Role.MEMBER), admin)
    assert await env.relay() == 0 and env.mailer.sent == []
    assert await env.relay() == 0  # not due yet: backing off
    env.clock.advance(seconds=3)
    assert await env.relay() == 1 and env.mailer.sent[0].to == "new@example.com"
    assert await env.relay() == 0  # sent exactly once


async def test_a_delivered_emails_body_and_its_token_leave_the_outbox(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    await env.invite_member(org.id, Invite("new@example.com", Role.MEMBER), admin)
    [pending] = env.store.tables["outbox"].values()
    token = token_from(pending.message.text)
    assert await env.relay() == 1 and token in env.mailer.sent[0].text
    [delivered] = env.store.tables["outbox"].values()
    assert token not in repr(delivered) and delivered.message.text == DROPPED_BODY
    assert delivered.message.subject == pending.message.subject and delivered.message.to == "new@example.com"
