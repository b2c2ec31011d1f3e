"""Sign-up, sign-in, token expiry, throttling and API-key authentication on in-memory fakes."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from application import api_keys, identity
from application.api_keys import CreateApiKey
from application.credential_cache import CredentialCache
from application.identity import IssueToken, Signup
from domain.errors import Conflict, InvalidInput, RateLimited, Unauthenticated
from domain.identity import Role
from tests.fakes import FastHasher
from tests.unit.application.helpers import organization, user


async def test_signup_normalises_email_and_rejects_a_second_account(env):
    created = await env.signup(Signup(" Ada@Example.COM ", "correct horse", "Ada"))
    assert created.email == "ada@example.com"
    assert created.password_hash != "correct horse"
    with pytest.raises(Conflict):
        await env.signup(Signup("ada@example.com", "another pass", "Ada 2"))


async def test_signup_names_every_bad_field(env):
    with pytest.raises(InvalidInput) as info:
        await env.signup(Signup("not-an-email", "short", " "))
    assert {e.field for e in info.value.errors} == {"email", "password", "name"}


async def test_token_authenticates_until_it_expires(env):
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    issued = await env.issue_token(IssueToken("ADA@example.com", "correct horse"))
    assert issued.token_type == "bearer" and issued.expires_in == 3600
    actor = await env.authenticate(issued.access_token)
    assert (await env.me(actor)).email == "ada@example.com"
    env.clock.advance(seconds=3601)
    with pytest.raises(Unauthenticated, match="expired"):
        await env.authenticate(issued.access_token)


async def test_tokens_are_stored_only_as_hashes(env):
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    issued = await env.issue_token(IssueToken("ada@example.com", "correct horse"))
    stored = list(env.store.tables["access_tokens"].values())
    assert len(stored) == 1 and issued.access_token not in repr(stored)


async def test_wrong_password_and_unknown_email_fail_alike(env):
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    for email, password in [("ada@example.com", "wrong horse"), ("nobody@example.com", "correct horse")]:
        with pytest.raises(Unauthenticated, match="email or password is wrong"):
            await env.issue_token(IssueToken(email, password))


async def test_failed_logins_stop_the_address_that_failed_then_reset_by_time(env):
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await env.issue_token(IssueToken("ada@example.com", "wrong horse", "10.0.0.1"))
    with pytest.raises(RateLimited) as info:
        await env.issue_token(IssueToken("ada@example.com", "correct horse", "10.0.0.1"))
    assert 0 < info.value.retry_after <= 600
    env.clock.advance(seconds=601)
    assert (await env.issue_token(IssueToken("ada@example.com", "correct horse", "10.0.0.1"))).access_token


async def test_nobody_can_lock_an_account_a_correct_password_from_elsewhere_still_works(env):
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sign_in = functools.partial(identity.issue_token, uow_factory=env.uow, hasher=FastHasher(), throttle=env.throttle,
                                clock=env.clock, sleep=sleep)
    for attacker in range(20):   # a botnet, each address guessing a few times
        for _ in range(3):
            with pytest.raises((Unauthenticated, RateLimited)):
                await sign_in(IssueToken("ada@example.com", "wrong horse", f"10.6.6.{attacker}"))
    issued = await sign_in(IssueToken("ada@example.com", "correct horse", "192.0.2.7"))
    assert issued.access_token
    # Past the email's own limit every attempt waited, longer and longer, up to a bound: guessing slows down.
    assert waits and waits == sorted(waits) and max(waits) <= 8 and waits[-1] > waits[0]


async def test_failed_logins_are_throttled_per_client_address_across_emails(env):
    for i in range(10):
        with pytest.raises(Unauthenticated):
            await env.issue_token(IssueToken(f"probe{i}@example.com", "whatever1", "10.9.9.9"))
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    with pytest.raises(RateLimited):
        await env.issue_token(IssueToken("ada@example.com", "correct horse", "10.9.9.9"))
    assert await env.issue_token(IssueToken("ada@example.com", "correct horse", "10.1.1.1"))


async def test_api_key_authenticates_as_its_organization_until_revoked(env):
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    created = await env.create_api_key(org.id, CreateApiKey("billing backend", Role.MEMBER), admin)
    assert created.secret.startswith("ck_") and created.key.secret_hash != created.secret
    actor = await env.authenticate(created.secret)
    assert (actor.api_key_organization_id, actor.api_key_role) == (org.id, Role.MEMBER)
    assert (await env.me(actor)).id == created.key.id
    await env.revoke_api_key(org.id, created.key.id, admin)
    with pytest.raises(Unauthenticated):
        await env.authenticate(created.secret)


@pytest.mark.parametrize("bearer", ["", "cat_nope", "ck_nope", "garbage", "x" * 500])
async def test_unknown_bearers_are_unauthenticated(env, bearer):
    with pytest.raises(Unauthenticated):
        await env.authenticate(bearer)


async def test_throttle_forgets_stale_keys_once_it_grows_large(env):
    env.throttle.SWEEP_ABOVE = 5
    for i in range(6):
        await env.throttle.record_failure(f"{i}@example.com", "10.0.0.1", env.clock.now())
    env.clock.advance(seconds=601)
    await env.throttle.record_failure("last@example.com", "10.0.0.1", env.clock.now())
    assert sorted(env.throttle._failures) == [
        "addr:10.0.0.1", "email:last@example.com", "pair:last@example.com|10.0.0.1"]


async def test_a_cached_api_key_is_refused_at_once_where_revoked_and_within_the_ttl_elsewhere(env):
    """Two nodes over one database, each with its own credential cache: the bound is the cache's ttl."""
    here, there = CredentialCache(timedelta(seconds=5)), CredentialCache(timedelta(seconds=5))
    on_here = functools.partial(identity.authenticate, uow_factory=env.uow, clock=env.clock, cache=here)
    on_there = functools.partial(identity.authenticate, uow_factory=env.uow, clock=env.clock, cache=there)
    admin = await user(env, "admin@example.com")
    org = await organization(env, admin)
    created = await env.create_api_key(org.id, CreateApiKey("billing backend", Role.MEMBER), admin)
    assert (await on_here(created.secret)).api_key_id == created.key.id
    assert (await on_there(created.secret)).api_key_id == created.key.id
    assert len(here) == len(there) == 1
    await api_keys.revoke_api_key(org.id, created.key.id, admin, uow_factory=env.uow, clock=env.clock, cache=here)
    with pytest.raises(Unauthenticated):
        await on_here(created.secret)
    env.clock.advance(seconds=4)
    assert (await on_there(created.secret)).api_key_id == created.key.id   # still cached over there
    env.clock.advance(seconds=1)
    with pytest.raises(Unauthenticated):
        await on_there(created.secret)


async def test_a_cached_access_token_still_expires_on_time_and_failures_are_not_cached(env):
    cache = CredentialCache(timedelta(minutes=10))
    authenticate = functools.partial(identity.authenticate, uow_factory=env.uow, clock=env.clock, cache=cache)
    await env.signup(Signup("ada@example.com", "correct horse", "Ada"))
    issued = await env.issue_token(IssueToken("ada@example.com", "correct horse"))
    await authenticate(issued.access_token)
    env.clock.advance(seconds=3599)
    await authenticate(issued.access_token)                   # served from the cache
    env.clock.advance(seconds=1)
    with pytest.raises(Unauthenticated, match="expired"):     # the token's expiry bounds the entry, not the ttl
        await authenticate(issued.access_token)
    with pytest.raises(Unauthenticated):
        await authenticate("cat_not-a-token")
    assert len(cache) == 0
