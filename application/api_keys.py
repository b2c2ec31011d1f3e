"""Organization API keys: created by an admin (the secret is shown once), listed without secrets, revoked."""

from __future__ import annotations

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.credential_cache import CredentialCache
from application.credentials import API_KEY_PREFIX, hash_secret, new_secret
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from domain.errors import FieldErrors, NotFound
from domain.identity import ApiKey, Role
from domain.ids import PREFIXES, new_id
from domain.validation import name_problem


@frozen
class CreateApiKey:
    name: str
    role: Role


@frozen
class CreatedApiKey:
    key: ApiKey
    secret: str


async def create_api_key(organization_id: str, cmd: CreateApiKey, actor: Actor, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock) -> CreatedApiKey:
    errors = FieldErrors()
    problem = name_problem(cmd.name)
    if problem:
        errors.add("name", problem)
    errors.raise_if_any()
    secret = new_secret(API_KEY_PREFIX)
    key = ApiKey(id=new_id(PREFIXES["api_key"]), organization_id=organization_id, name=cmd.name.strip(),
                 role=cmd.role, secret_hash=hash_secret(secret), prefix=secret[:10],
                 created_by=actor.user_id or actor.api_key_id, created_at=clock.now())
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_API_KEYS)
        await uow.api_keys.add(key)
        await uow.commit()
    return CreatedApiKey(key, secret)


async def list_api_keys(organization_id: str, actor: Actor, page: PageRequest, *,
                        uow_factory: UnitOfWorkFactory) -> Page[ApiKey]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_API_KEYS)
        return await uow.api_keys.list(organization_id, page)


async def revoke_api_key(organization_id: str, key_id: str, actor: Actor, *, uow_factory: UnitOfWorkFactory,
                         clock: Clock, cache: CredentialCache[str, Actor] | None = None) -> None:
    """Revoke a key: refused from the moment this returns on this node, within the cache's ttl on others."""
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_API_KEYS)
        key = await uow.api_keys.get(organization_id, key_id)
        if key is None:
            raise NotFound("api_key", key_id)
        key.revoke(clock.now())
        await uow.api_keys.save(key)
        await uow.commit()
    if cache is not None:
        cache.forget(key.secret_hash)
