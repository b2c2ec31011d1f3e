"""Sign-up, sign-in (access tokens, throttled), and turning a bearer secret back into an actor."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from attrs import frozen

from application.authorization import Actor
from application.credential_cache import CredentialCache
from application.credentials import (
    ACCESS_TOKEN_PREFIX,
    API_KEY_PREFIX,
    hash_secret,
    new_secret,
    same_hash,
)
from application.portal_access import PORTAL_TOKEN_PREFIX
from application.ports import Clock, LoginThrottle, PasswordHasher, UnitOfWorkFactory
from application.site_owners import SITE_OWNER_TOKEN_PREFIX
from domain.errors import Conflict, Forbidden, NotFound, Unauthenticated
from domain.identity import AccessToken, ApiKey, User
from domain.identity.users import MAX_PASSWORD
from domain.ids import PREFIXES, new_id
from domain.validation import normalize_email

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
# Verifying against this keeps an unknown email as slow as a wrong password (no account probing).
_DUMMY_PASSWORD = "charge-timing-equaliser"


@frozen
class Signup:
    email: str
    password: str
    name: str


@frozen
class IssueToken:
    email: str
    password: str
    client_address: str | None = None


@frozen
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "bearer"


async def signup(cmd: Signup, *, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> User:
    User.validate_signup(cmd.email, cmd.password, cmd.name)
    password_hash = await hasher.hash(cmd.password)
    user = User.register(id=new_id(PREFIXES["user"]), email=cmd.email, name=cmd.name,
                         password_hash=password_hash, now=clock.now())
    async with uow_factory() as uow:
        if await uow.users.get_by_email(user.email) is not None:
            raise Conflict("an account with this email already exists")
        await uow.users.add(user)
        await uow.commit()
    return user


async def issue_token(cmd: IssueToken, *, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher,
                      throttle: LoginThrottle, clock: Clock, lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
                      sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> IssuedToken:
    email = normalize_email(cmd.email) if isinstance(cmd.email, str) else ""
    now = clock.now()
    delay = await throttle.check(email, cmd.client_address, now)
    if delay:
        await sleep(delay.total_seconds())   # an email under attack slows down; its owner still gets in
    async with uow_factory(read_only=True) as uow:
        user = await uow.users.get_by_email(email)
    password = cmd.password if isinstance(cmd.password, str) and len(cmd.password) <= MAX_PASSWORD else ""
    if user is None:
        await hasher.verify(await _dummy_hash(hasher), password)
        ok = False
    else:
        ok = bool(password) and await hasher.verify(user.password_hash, password)
    if not ok or user is None:
        await throttle.record_failure(email, cmd.client_address, now)
        raise Unauthenticated("email or password is wrong")
    await throttle.reset(email, cmd.client_address)
    secret = new_secret(ACCESS_TOKEN_PREFIX)
    token = AccessToken(id=new_id(PREFIXES["access_token"]), user_id=user.id, secret_hash=hash_secret(secret),
                        created_at=now, expires_at=now + lifetime)
    async with uow_factory() as uow:
        await uow.access_tokens.add(token)
        await uow.commit()
    return IssuedToken(access_token=secret, expires_in=int(lifetime.total_seconds()))


_dummy_hashes: dict[int, str] = {}


async def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = await hasher.hash(_DUMMY_PASSWORD)
    return _dummy_hashes[key]


async def authenticate(bearer: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                       cache: CredentialCache[str, Actor] | None = None) -> Actor:
    """An access token or an API key into the actor it stands for; anything else is Unauthenticated.

    With a ``cache``, a secret checked within its ttl is not looked up again (see ``credential_cache``).
    """
    if not isinstance(bearer, str) or len(bearer) > 200:
        raise Unauthenticated("invalid credentials")
    secret_hash = hash_secret(bearer)
    now = clock.now()
    if cache is not None and (known := cache.get(secret_hash, now)) is not None:
        return known[0]
    async with uow_factory(read_only=True) as uow:
        if bearer.startswith(ACCESS_TOKEN_PREFIX):
            token = await uow.access_tokens.get_by_hash(secret_hash)
            if token is None or not same_hash(token.secret_hash, bearer):
                raise Unauthenticated("invalid access token")
            if not token.valid_at(now):
                raise Unauthenticated("access token expired")
            actor = Actor(user_id=token.user_id)
            expires_at: datetime | None = token.expires_at
        elif bearer.startswith(API_KEY_PREFIX):
            key = await uow.api_keys.get_by_hash(secret_hash)
            if key is None or not same_hash(key.secret_hash, bearer) or not key.active:
                raise Unauthenticated("invalid API key")
            actor = Actor(api_key_id=key.id, api_key_organization_id=key.organization_id, api_key_role=key.role)
            expires_at = None
        elif bearer.startswith(PORTAL_TOKEN_PREFIX):
            raise Forbidden("a driver-portal token reaches only the driver portal (/api/v1/portal)")
        elif bearer.startswith(SITE_OWNER_TOKEN_PREFIX):
            raise Forbidden("a site-owner token reaches only the site-owner endpoints (/api/v1/site-owner)")
        else:
            raise Unauthenticated("invalid credentials")
    if cache is not None:
        cache.put(secret_hash, actor, now, expires_at)
    return actor


async def me(actor: Actor, *, uow_factory: UnitOfWorkFactory) -> User | ApiKey:
    """The caller: the signed-in user, or the API key a backend calls with."""
    async with uow_factory(read_only=True) as uow:
        if actor.api_key_id is not None and actor.api_key_organization_id is not None:
            key = await uow.api_keys.get(actor.api_key_organization_id, actor.api_key_id)
            if key is None:
                raise NotFound("api_key", actor.api_key_id)
            return key
        user = await uow.users.get(actor.user_id) if actor.user_id else None
    if user is None:
        raise Unauthenticated("the account no longer exists")
    return user
