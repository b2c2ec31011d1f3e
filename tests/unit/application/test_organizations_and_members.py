"""Organizations, members, the role matrix and the last-admin rule on in-memory fakes."""

from __future__ import annotations

import pytest

from application.api_keys import CreateApiKey
from application.authorization import ROLE_MATRIX, Action, Actor, allows
from application.invitations import Invite
from application.organizations import OrganizationDetails
from application.pagination import PageRequest
from domain.errors import Forbidden, InvalidInput, InvalidState, NotFound
from domain.identity import OrganizationSettings, Role
from domain.identity.organizations import Notifications
from tests.unit.application.helpers import join, organization, user


def test_role_matrix_viewer_reads_member_operates_admin_does_everything():
    assert ROLE_MATRIX[Role.VIEWER] == {Action.READ}
    assert ROLE_MATRIX[Role.MEMBER] == {Action.READ, Action.OPERATE}
    assert ROLE_MATRIX[Role.ADMIN] == set(Action)
    for action in (Action.MANAGE_MEMBERS, Action.MANAGE_API_KEYS, Action.MANAGE_SETTINGS):
        assert not allows(Role.MEMBER, action) and not allows(Role.VIEWER, action)


async def test_creator_becomes_admin_with_country_defaults(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    assert org.settings.currency == "GBP" and org.settings.timezone == "Europe/London"
    page = await env.list_my_organizations(admin, PageRequest())
    assert [(o.id, r) for o, r in page.items] == [(org.id, Role.ADMIN)]


async def test_bad_organization_fields_are_named(env):
    admin = await user(env, "admin@example.com")
    with pytest.raises(InvalidInput) as info:
        await env.create_organization(OrganizationDetails("", "UK", "nope"), admin)
    assert {e.field for e in info.value.errors} == {"name", "country", "contact_email"}


async def test_another_organization_is_not_found_never_forbidden(env):
    alice, mallory = await user(env, "alice@example.com"), await user(env, "mallory@example.com")
    org = await organization(env, alice)
    await organization(env, mallory, "Other")
    calls = [
        env.get_organization(org.id, mallory),
        env.update_organization(org.id, OrganizationDetails("X", "DE", "x@example.com"), mallory),
        env.list_members(org.id, mallory, PageRequest()),
        env.get_settings(org.id, mallory),
        env.list_api_keys(org.id, mallory, PageRequest()),
        env.invite_member(org.id, Invite("z@example.com", Role.ADMIN), mallory),
        env.remove_member(org.id, alice.user_id, mallory),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            await call


async def test_api_key_of_one_organization_cannot_reach_another(env):
    alice = await user(env, "alice@example.com")
    org, other = await organization(env, alice), await organization(env, alice, "Second")
    key = await env.create_api_key(org.id, CreateApiKey("k", Role.ADMIN), alice)
    actor = await env.authenticate(key.secret)
    assert (await env.get_organization(org.id, actor)).id == org.id
    with pytest.raises(NotFound):
        await env.get_organization(other.id, actor)


async def test_viewer_reads_only_and_member_cannot_manage(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    viewer = await join(env, admin, org.id, "viewer@example.com", Role.VIEWER)
    member = await join(env, admin, org.id, "member@example.com", Role.MEMBER)
    for reader in (viewer, member):
        assert (await env.get_organization(org.id, reader)).id == org.id
        assert len((await env.list_members(org.id, reader, PageRequest())).items) == 3
        assert (await env.get_settings(org.id, reader)).settings.currency == "GBP"
    new_settings = OrganizationSettings("EUR", "Europe/Berlin", None, Notifications())
    for weak in (viewer, member):
        for call in (
            env.update_organization(org.id, OrganizationDetails("X", "DE", "x@example.com"), weak),
            env.change_member_role(org.id, admin.user_id, Role.VIEWER, weak),
            env.remove_member(org.id, admin.user_id, weak),
            env.invite_member(org.id, Invite("new@example.com", Role.VIEWER), weak),
            env.update_settings(org.id, new_settings, weak),
            env.create_api_key(org.id, CreateApiKey("k", Role.VIEWER), weak),
            env.list_api_keys(org.id, weak, PageRequest()),
        ):
            with pytest.raises(Forbidden):
                await call
    view = await env.update_settings(org.id, new_settings, admin)
    assert view.settings.currency == "EUR"


async def test_last_admin_cannot_be_demoted_or_removed_but_a_second_admin_unlocks_it(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    for call in (env.change_member_role(org.id, admin.user_id, Role.MEMBER, admin),
                 env.remove_member(org.id, admin.user_id, admin)):
        with pytest.raises(InvalidState, match="last admin"):
            await call
    second = await join(env, admin, org.id, "second@example.com", Role.ADMIN)
    demoted = await env.change_member_role(org.id, admin.user_id, Role.VIEWER, second)
    assert demoted.member.role is Role.VIEWER
    with pytest.raises(InvalidState):
        await env.remove_member(org.id, second.user_id, second)


async def test_a_member_may_leave_and_then_sees_nothing(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    viewer = await join(env, admin, org.id, "viewer@example.com", Role.VIEWER)
    await env.remove_member(org.id, viewer.user_id, viewer)
    with pytest.raises(NotFound):
        await env.get_organization(org.id, viewer)


async def test_members_paginate_in_join_order(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    for i in range(4):
        await join(env, admin, org.id, f"m{i}@example.com", Role.MEMBER)
    seen, cursor = [], None
    while True:
        page = await env.list_members(org.id, admin, PageRequest(limit=2, after=cursor))
        seen += [v.user.email for v in page.items]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert seen == ["admin@example.com"] + [f"m{i}@example.com" for i in range(4)]


async def test_settings_validation_names_fields(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    bad = OrganizationSettings("EURO", "Mars/Olympus", "not-mail", Notifications(), "tariff-1")
    with pytest.raises(InvalidInput) as info:
        await env.update_settings(org.id, bad, admin)
    assert {e.field for e in info.value.errors} == {"currency", "timezone", "billing_email", "default_tariff_id"}


async def test_api_key_cannot_create_organizations(env):
    with pytest.raises(Forbidden):
        await env.create_organization(OrganizationDetails("X", "GB", "x@example.com"),
                                      Actor(api_key_id="key_x", api_key_organization_id="org_x",
                                            api_key_role=Role.ADMIN))
