"""Shortcuts for building a world of users and organizations in application tests."""

from __future__ import annotations

import re

from application.authorization import Actor
from application.identity import Signup
from application.invitations import Invite
from application.organizations import OrganizationDetails
from domain.identity import Role


async def user(env, email: str) -> Actor:
    created = await env.signup(Signup(email, "correct horse", email.split("@")[0]))
    return Actor(user_id=created.id)


async def organization(env, admin: Actor, name: str = "Voltline"):
    return await env.create_organization(OrganizationDetails(name, "GB", "ops@voltline.example"), admin)


def token_from(text: str) -> str:
    match = re.search(r"Invitation token: (\S+)", text)
    assert match, text
    return match.group(1)


async def join(env, admin: Actor, org_id: str, email: str, role: Role) -> Actor:
    """Invite, deliver the email through the outbox relay, and accept with the token it carries."""
    actor = await user(env, email)
    await env.invite_member(org_id, Invite(email, role), admin)
    await env.relay()
    message = next(m for m in reversed(env.mailer.sent) if m.to == email)
    await env.accept_invitation(token_from(message.text), actor)
    return actor
