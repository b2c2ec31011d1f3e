"""The repository contract: the in-memory fakes, SQLite and PostgreSQL must behave the same.

Every test runs three times through the ``uow_factory`` fixture (memory, sqlite, postgres).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from attrs import evolve

from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.mail import OutboundStatus
from domain.errors import Conflict
from domain.identity import InvitationStatus, Notifications, OrganizationSettings, Role
from tests.integration.sql.builders import (
    LATER,
    NOW,
    a_member,
    a_user,
    an_access_token,
    an_api_key,
    an_email,
    an_invitation,
    an_organization,
)
from tests.integration.sql.seeding import all_pages, assert_paged, seed


class TestUnitOfWork:
    async def test_commit_persists(self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        async with uow_factory() as uow:
            await uow.users.add(user)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.users.get(user.id) == user

    async def test_leaving_without_commit_rolls_back(self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        async with uow_factory() as uow:
            await uow.users.add(user)
            assert await uow.users.get(user.id) == user  # visible inside its own unit of work
        async with uow_factory() as uow:
            assert await uow.users.get(user.id) is None

    async def test_an_exception_rolls_back(self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        with pytest.raises(RuntimeError):
            async with uow_factory() as uow:
                await uow.users.add(user)
                raise RuntimeError("use case failed")
        async with uow_factory() as uow:
            assert await uow.users.get(user.id) is None

    async def test_rollback_discards_and_the_unit_stays_usable(self, uow_factory: UnitOfWorkFactory) -> None:
        discarded, kept = a_user(), a_user()
        async with uow_factory() as uow:
            await uow.users.add(discarded)
            await uow.rollback()
            assert await uow.users.get(discarded.id) is None
            await uow.users.add(kept)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.users.get(discarded.id) is None
            assert await uow.users.get(kept.id) == kept

    async def test_work_after_a_commit_needs_its_own_commit(self, uow_factory: UnitOfWorkFactory) -> None:
        committed, uncommitted = a_user(), a_user()
        async with uow_factory() as uow:
            await uow.users.add(committed)
            await uow.commit()
            await uow.users.add(uncommitted)
        async with uow_factory() as uow:
            assert await uow.users.get(committed.id) == committed
            assert await uow.users.get(uncommitted.id) is None

    async def test_returned_objects_are_copies(self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        await seed(uow_factory, user)
        async with uow_factory() as uow:
            loaded = await uow.users.get(user.id)
            assert loaded is not None
            loaded.name = "changed but never saved"
            assert (await uow.users.get(user.id)) == user


class TestUsers:
    async def test_round_trip(self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        await seed(uow_factory, user)
        async with uow_factory() as uow:
            loaded = await uow.users.get(user.id)
            assert loaded == user
            assert loaded.created_at.utcoffset() == timedelta(0)
            assert await uow.users.get_by_email(user.email) == user
            assert await uow.users.get("usr_01ARZ3NDEKTSV4RRFFQ69G5FAV") is None
            assert await uow.users.get_by_email("nobody@example.com") is None

    async def test_get_many(self, uow_factory: UnitOfWorkFactory) -> None:
        first, second, third = a_user(), a_user(), a_user()
        await seed(uow_factory, first, second, third)
        async with uow_factory() as uow:
            found = await uow.users.get_many(iter([first.id, third.id, first.id, "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV"]))
            assert found == {first.id: first, third.id: third}
            assert await uow.users.get_many([]) == {}

    async def test_duplicate_email_is_a_conflict_and_the_unit_stays_usable(
            self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        await seed(uow_factory, user)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.users.add(a_user(email=user.email))
            other = a_user()
            await uow.users.add(other)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.users.get_by_email(user.email) == user
            assert await uow.users.get(other.id) == other


class TestOrganizations:
    async def test_round_trip_with_every_setting(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        async with uow_factory() as uow:
            assert await uow.organizations.get(organization.id) == organization
            assert await uow.organizations.get_for_update(organization.id) == organization
            assert await uow.organizations.get("org_01ARZ3NDEKTSV4RRFFQ69G5FAV") is None
            assert await uow.organizations.get_for_update("org_01ARZ3NDEKTSV4RRFFQ69G5FAV") is None

    async def test_round_trip_with_empty_optional_settings(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        organization.settings = OrganizationSettings(currency="JPY", timezone="Asia/Tokyo", billing_email=None,
                                                     notifications=Notifications(), default_tariff_id=None)
        await seed(uow_factory, organization)
        async with uow_factory() as uow:
            assert await uow.organizations.get(organization.id) == organization

    async def test_duplicate_id_is_a_conflict(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.organizations.add(evolve(organization, name="Another"))

    async def test_save_replaces_details_and_settings(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        async with uow_factory() as uow:
            loaded = await uow.organizations.get_for_update(organization.id)
            assert loaded is not None
            loaded.replace_details(name="Stadtwerke Süd", country="AT", contact_email="Ops@Example.AT", now=LATER)
            loaded.replace_settings(OrganizationSettings(
                currency="CHF", timezone="Europe/Zurich", billing_email=None,
                notifications=Notifications(payment_failed=False), default_tariff_id=None), now=LATER)
            await uow.organizations.save(loaded)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.organizations.get(organization.id) == loaded

    async def test_list_for_user_pages_with_roles(self, uow_factory: UnitOfWorkFactory) -> None:
        user, stranger = a_user(), a_user()
        organizations = [an_organization() for _ in range(5)]
        roles = [Role.ADMIN, Role.MEMBER, Role.VIEWER, Role.ADMIN, Role.VIEWER]
        elsewhere = an_organization()
        await seed(uow_factory, user, stranger, elsewhere, *organizations,
                   *(a_member(o, user, r) for o, r in zip(organizations, roles, strict=True)),
                   a_member(elsewhere, stranger))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.organizations.list_for_user(user.id, p))
        assert_paged(pages, [o.id for o in organizations], key=lambda pair: pair[0].id)
        expected = {o.id: (o, r) for o, r in zip(organizations, roles, strict=True)}
        for page in pages:
            for organization, role in page.items:
                assert (organization, role) == expected[organization.id]

    async def test_list_for_a_user_without_organizations_is_empty(self, uow_factory: UnitOfWorkFactory) -> None:
        async with uow_factory() as uow:
            page = await uow.organizations.list_for_user("usr_01ARZ3NDEKTSV4RRFFQ69G5FAV", PageRequest())
        assert page.items == [] and page.next_cursor is None


class TestMembers:
    async def test_round_trip_and_tenant_scoping(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other, user = an_organization(), an_organization(), a_user()
        member = a_member(organization, user, Role.MEMBER)
        await seed(uow_factory, organization, other, user, member)
        async with uow_factory() as uow:
            assert await uow.members.get(organization.id, user.id) == member
            assert await uow.members.get(other.id, user.id) is None

    async def test_duplicate_membership_is_a_conflict(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, user = an_organization(), a_user()
        await seed(uow_factory, organization, user, a_member(organization, user))
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.members.add(a_member(organization, user, Role.VIEWER))

    async def test_save_changes_the_role(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, user = an_organization(), a_user()
        member = a_member(organization, user, Role.ADMIN)
        await seed(uow_factory, organization, user, member)
        async with uow_factory() as uow:
            member.role = Role.VIEWER
            await uow.members.save(member)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.members.get(organization.id, user.id) == member

    async def test_remove(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other, user = an_organization(), an_organization(), a_user()
        await seed(uow_factory, organization, other, user, a_member(organization, user), a_member(other, user))
        async with uow_factory() as uow:
            await uow.members.remove(organization.id, user.id)
            await uow.members.remove(organization.id, "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV")  # absent: no error
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.members.get(organization.id, user.id) is None
            assert await uow.members.get(other.id, user.id) is not None

    async def test_count_with_role(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        users = [a_user() for _ in range(4)]
        await seed(uow_factory, organization, other, *users,
                   a_member(organization, users[0], Role.ADMIN), a_member(organization, users[1], Role.ADMIN),
                   a_member(organization, users[2], Role.VIEWER), a_member(other, users[3], Role.ADMIN))
        async with uow_factory() as uow:
            assert await uow.members.count_with_role(organization.id, Role.ADMIN) == 2
            assert await uow.members.count_with_role(organization.id, Role.VIEWER) == 1
            assert await uow.members.count_with_role(organization.id, Role.MEMBER) == 0
            assert await uow.members.count_with_role(other.id, Role.ADMIN) == 1

    async def test_list_pages_one_organization(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        users = [a_user() for _ in range(6)]
        members = [a_member(organization, u) for u in users[:5]]
        await seed(uow_factory, organization, other, *users, *members, a_member(other, users[5]))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.members.list(organization.id, p))
        assert_paged(pages, [m.id for m in members])
        by_id = {m.id: m for m in members}
        assert all(item == by_id[item.id] for page in pages for item in page.items)


class TestInvitations:
    async def test_round_trip_and_lookups(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other, inviter = an_organization(), an_organization(), a_user()
        invitation = an_invitation(organization, invited_by=inviter.id)
        await seed(uow_factory, organization, other, inviter, invitation)
        async with uow_factory() as uow:
            assert await uow.invitations.get(organization.id, invitation.id) == invitation
            assert await uow.invitations.get(other.id, invitation.id) is None
            assert await uow.invitations.get_by_token_hash(invitation.token_hash) == invitation
            assert await uow.invitations.get_by_token_hash("0" * 64) is None

    async def test_save_an_accepted_invitation(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, user = an_organization(), a_user()
        invitation = an_invitation(organization)
        await seed(uow_factory, organization, user, invitation)
        async with uow_factory() as uow:
            invitation.accept(user.id, LATER)
            await uow.invitations.save(invitation)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.invitations.get(organization.id, invitation.id)
        assert loaded == invitation
        assert (loaded.status, loaded.accepted_by, loaded.closed_at) == (InvitationStatus.ACCEPTED, user.id, LATER)

    async def test_find_pending(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        cancelled = an_invitation(organization, "new@example.com")
        cancelled.cancel(NOW)
        pending = an_invitation(organization, "new@example.com")
        elsewhere = an_invitation(other, "new@example.com")
        await seed(uow_factory, organization, other, cancelled, pending, elsewhere)
        async with uow_factory() as uow:
            assert await uow.invitations.find_pending(organization.id, "new@example.com") == pending
            assert await uow.invitations.find_pending(organization.id, "else@example.com") is None
            pending.status = InvitationStatus.EXPIRED
            await uow.invitations.save(pending)
            assert await uow.invitations.find_pending(organization.id, "new@example.com") is None
            assert await uow.invitations.find_pending(other.id, "new@example.com") == elsewhere

    async def test_a_pending_invitation_past_expiry_is_still_found(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        stale = an_invitation(organization)
        stale.expires_at = NOW - timedelta(days=1)
        await seed(uow_factory, organization, stale)
        async with uow_factory() as uow:
            assert await uow.invitations.find_pending(organization.id, stale.email) == stale

    async def test_list_pages_one_organization(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        invitations = [an_invitation(organization, f"{i}@example.com") for i in range(5)]
        await seed(uow_factory, organization, other, *invitations, an_invitation(other))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.invitations.list(organization.id, p))
        assert_paged(pages, [i.id for i in invitations])


class TestApiKeys:
    async def test_round_trip_and_tenant_scoping(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        key = an_api_key(organization)
        await seed(uow_factory, organization, other, key)
        async with uow_factory() as uow:
            assert await uow.api_keys.get(organization.id, key.id) == key
            assert await uow.api_keys.get(other.id, key.id) is None
            assert await uow.api_keys.get_by_hash(key.secret_hash) == key
            assert await uow.api_keys.get_by_hash("0" * 64) is None

    async def test_save_a_revoked_key(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        key = an_api_key(organization)
        key.created_by = "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV"
        await seed(uow_factory, organization, key)
        async with uow_factory() as uow:
            key.revoke(LATER)
            key.last_used_at = LATER
            await uow.api_keys.save(key)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.api_keys.get(organization.id, key.id)
        assert loaded == key and not loaded.active

    async def test_list_pages_one_organization(self, uow_factory: UnitOfWorkFactory) -> None:
        organization, other = an_organization(), an_organization()
        keys = [an_api_key(organization) for _ in range(5)]
        await seed(uow_factory, organization, other, *keys, an_api_key(other))
        async with uow_factory() as uow:
            pages = await all_pages(lambda p: uow.api_keys.list(organization.id, p))
        assert_paged(pages, [k.id for k in keys])


class TestAccessTokens:
    async def test_round_trip_by_hash(self, uow_factory: UnitOfWorkFactory) -> None:
        user = a_user()
        token = an_access_token(user)
        await seed(uow_factory, user, token)
        async with uow_factory() as uow:
            assert await uow.access_tokens.get_by_hash(token.secret_hash) == token
            assert await uow.access_tokens.get_by_hash("0" * 64) is None


class TestOutbox:
    async def test_round_trip_and_list_pages(self, uow_factory: UnitOfWorkFactory) -> None:
        emails = [an_email(f"{i}@example.com") for i in range(5)]
        await seed(uow_factory, *emails)
        async with uow_factory() as uow:
            pages = await all_pages(uow.outbox.list)
        assert_paged(pages, [e.id for e in emails])
        by_id = {e.id: e for e in emails}
        assert all(item == by_id[item.id] for page in pages for item in page.items)

    async def test_save_a_failed_attempt(self, uow_factory: UnitOfWorkFactory) -> None:
        email = an_email()
        await seed(uow_factory, email)
        email.attempts, email.last_error, email.next_attempt_at = 3, "SMTPServerDisconnected: gone", LATER
        async with uow_factory() as uow:
            await uow.outbox.save(email)
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.outbox.list(PageRequest())).items == [email]

    async def test_claim_due_leases_pending_emails_in_id_order(self, uow_factory: UnitOfWorkFactory) -> None:
        due = sorted((an_email() for _ in range(3)), key=lambda e: e.id)
        due[1].next_attempt_at = NOW - timedelta(seconds=1)  # a retry whose time has come
        future = an_email()
        future.next_attempt_at = NOW + timedelta(minutes=5)
        sent = an_email()
        sent.status, sent.sent_at = OutboundStatus.SENT, NOW
        failed = an_email()
        failed.status = OutboundStatus.FAILED
        await seed(uow_factory, *due, future, sent, failed)
        lease = NOW + timedelta(minutes=2)

        async with uow_factory() as uow:
            first = await uow.outbox.claim_due(NOW, 2, lease)
            await uow.commit()
        assert [e.id for e in first] == [e.id for e in due[:2]]
        assert all(e.next_attempt_at == lease for e in first)

        async with uow_factory() as uow:
            second = await uow.outbox.claim_due(NOW, 10, lease)
            await uow.commit()
        assert [e.id for e in second] == [due[2].id]

        async with uow_factory() as uow:
            assert await uow.outbox.claim_due(NOW + timedelta(minutes=1), 10, lease) == []
            # Once the lease has passed, unsent emails are due again (the relay crashed mid-send).
            again = await uow.outbox.claim_due(lease, 10, lease + timedelta(minutes=2))
        assert [e.id for e in again] == [e.id for e in due]

    async def test_an_uncommitted_claim_leases_nothing(self, uow_factory: UnitOfWorkFactory) -> None:
        email = an_email()
        await seed(uow_factory, email)
        async with uow_factory() as uow:
            assert len(await uow.outbox.claim_due(NOW, 10, NOW + timedelta(minutes=2))) == 1
        async with uow_factory() as uow:
            assert [e.id for e in await uow.outbox.claim_due(NOW, 10, NOW + timedelta(minutes=2))] == [email.id]

    async def test_sent_emails_are_never_claimed(self, uow_factory: UnitOfWorkFactory) -> None:
        email = an_email()
        await seed(uow_factory, email)
        async with uow_factory() as uow:
            [claimed] = await uow.outbox.claim_due(NOW, 10, NOW + timedelta(minutes=2))
            claimed.status, claimed.attempts, claimed.sent_at, claimed.next_attempt_at = (
                OutboundStatus.SENT, 1, LATER, None)
            await uow.outbox.save(claimed)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.outbox.claim_due(NOW + timedelta(days=1), 10, NOW + timedelta(days=2)) == []
