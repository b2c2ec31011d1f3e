"""Application-layer tests run the use cases on in-memory fakes, wired by keyword like the container does."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest

from adapters.memory import InMemoryStore
from adapters.registries import SchwiftyBankAccounts, StdnumTaxIds
from adapters.security.login_throttle import InMemoryLoginThrottle
from application import api_keys, event_handlers, identity, invitations, mail_relay, members, organizations, settings
from application.events import EventDispatcher
from tests.fakes import CapturingMailer, FakeClock, FastHasher


@pytest.fixture
def env():
    return build_env()


def build_env() -> SimpleNamespace:
    """A fresh in-memory world with every identity use case bound to it (as the container would)."""
    clock, hasher = FakeClock(), FastHasher()
    store = InMemoryStore(now=clock.now)
    # Use cases get the dispatcher's units of work, as in the container: committed events reach handlers.
    dispatcher = EventDispatcher(store.unit_of_work, clock, event_handlers.handlers(clock),
                                 in_transaction=event_handlers.in_transaction(clock))
    throttle = InMemoryLoginThrottle(max_per_email=3, max_per_address=10, window_seconds=600)
    mailer = CapturingMailer()
    uow = dispatcher.unit_of_work
    p = functools.partial
    return SimpleNamespace(
        store=store, clock=clock, mailer=mailer, throttle=throttle, dispatcher=dispatcher, uow=uow,
        signup=p(identity.signup, uow_factory=uow, hasher=hasher, clock=clock),
        issue_token=p(identity.issue_token, uow_factory=uow, hasher=hasher, throttle=throttle, clock=clock),
        authenticate=p(identity.authenticate, uow_factory=uow, clock=clock),
        me=p(identity.me, uow_factory=uow),
        create_organization=p(organizations.create_organization, uow_factory=uow, clock=clock),
        get_organization=p(organizations.get_organization, uow_factory=uow),
        update_organization=p(organizations.update_organization, uow_factory=uow, clock=clock),
        list_my_organizations=p(organizations.list_my_organizations, uow_factory=uow),
        list_members=p(members.list_members, uow_factory=uow),
        change_member_role=p(members.change_member_role, uow_factory=uow),
        remove_member=p(members.remove_member, uow_factory=uow),
        invite_member=p(invitations.invite_member, uow_factory=uow, clock=clock),
        accept_invitation=p(invitations.accept_invitation, uow_factory=uow, clock=clock),
        cancel_invitation=p(invitations.cancel_invitation, uow_factory=uow, clock=clock),
        list_invitations=p(invitations.list_invitations, uow_factory=uow),
        get_settings=p(settings.get_settings, uow_factory=uow),
        update_settings=p(settings.update_settings, uow_factory=uow, clock=clock, tax_ids=StdnumTaxIds(),
                          bank_accounts=SchwiftyBankAccounts()),
        create_api_key=p(api_keys.create_api_key, uow_factory=uow, clock=clock),
        list_api_keys=p(api_keys.list_api_keys, uow_factory=uow),
        revoke_api_key=p(api_keys.revoke_api_key, uow_factory=uow, clock=clock),
        relay=p(mail_relay.relay_due_emails, uow_factory=uow, mailer=mailer, clock=clock),
    )
