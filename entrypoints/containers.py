"""The one composition root: containers split by role (core, adapters, use cases).

Tests build an ``Application`` and override adapter providers (never patch). Embedding Charge:

    app = Application(config=Settings.from_env().as_config())
    org = await app.use_cases.create_organization(details, actor)
"""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.mail import build_mailer
from adapters.security.argon2_hasher import Argon2PasswordHasher
from adapters.security.login_throttle import InMemoryLoginThrottle
from adapters.sql.database import Database
from adapters.sql.idempotency import SqlIdempotencyStore
from application import api_keys, identity, invitations, mail_relay, members, organizations, settings


class Core(containers.DeclarativeContainer):
    config = providers.Configuration()
    clock = providers.Singleton(SystemClock)


class Adapters(containers.DeclarativeContainer):
    config = providers.Configuration()
    core = providers.DependenciesContainer()

    database = providers.Singleton(Database, url=config.database_url)
    uow_factory = providers.Callable(getattr, database, "unit_of_work")
    idempotency = providers.Singleton(SqlIdempotencyStore, database=database)
    password_hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=config.argon2_time_cost,
        memory_kib=config.argon2_memory_kib,
        parallelism=config.argon2_parallelism,
    )
    login_throttle = providers.Singleton(
        InMemoryLoginThrottle,
        max_per_email=config.login_max_failures_per_email,
        max_per_address=config.login_max_failures_per_address,
        window_seconds=config.login_window_seconds,
    )
    mailer = providers.Singleton(build_mailer, config=config)


class UseCases(containers.DeclarativeContainer):
    config = providers.Configuration()
    core = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    _uow = adapters.uow_factory
    _clock = core.clock

    signup = providers.Coroutine(identity.signup, uow_factory=_uow, hasher=adapters.password_hasher, clock=_clock)
    issue_token = providers.Coroutine(
        identity.issue_token, uow_factory=_uow, hasher=adapters.password_hasher,
        throttle=adapters.login_throttle, clock=_clock,
        lifetime=providers.Callable(lambda s: __import__("datetime").timedelta(seconds=s),
                                    config.access_token_ttl_seconds),
    )
    authenticate = providers.Coroutine(identity.authenticate, uow_factory=_uow, clock=_clock)
    me = providers.Coroutine(identity.me, uow_factory=_uow)

    create_organization = providers.Coroutine(organizations.create_organization, uow_factory=_uow, clock=_clock)
    get_organization = providers.Coroutine(organizations.get_organization, uow_factory=_uow)
    update_organization = providers.Coroutine(organizations.update_organization, uow_factory=_uow, clock=_clock)
    list_my_organizations = providers.Coroutine(organizations.list_my_organizations, uow_factory=_uow)

    list_members = providers.Coroutine(members.list_members, uow_factory=_uow)
    change_member_role = providers.Coroutine(members.change_member_role, uow_factory=_uow)
    remove_member = providers.Coroutine(members.remove_member, uow_factory=_uow)

    invite_member = providers.Coroutine(invitations.invite_member, uow_factory=_uow, clock=_clock)
    accept_invitation = providers.Coroutine(invitations.accept_invitation, uow_factory=_uow, clock=_clock)
    cancel_invitation = providers.Coroutine(invitations.cancel_invitation, uow_factory=_uow, clock=_clock)
    list_invitations = providers.Coroutine(invitations.list_invitations, uow_factory=_uow)

    get_settings = providers.Coroutine(settings.get_settings, uow_factory=_uow)
    update_settings = providers.Coroutine(settings.update_settings, uow_factory=_uow, clock=_clock)

    create_api_key = providers.Coroutine(api_keys.create_api_key, uow_factory=_uow, clock=_clock)
    list_api_keys = providers.Coroutine(api_keys.list_api_keys, uow_factory=_uow)
    revoke_api_key = providers.Coroutine(api_keys.revoke_api_key, uow_factory=_uow, clock=_clock)

    relay_due_emails = providers.Coroutine(mail_relay.relay_due_emails, uow_factory=_uow,
                                           mailer=adapters.mailer, clock=_clock)


class Application(containers.DeclarativeContainer):
    config = providers.Configuration()
    core = providers.Container(Core, config=config)
    adapters = providers.Container(Adapters, config=config, core=core)
    use_cases = providers.Container(UseCases, config=config, core=core, adapters=adapters)
