"""Organization API keys in SQL: looked up by the hash of their secret on every authenticated call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import api_keys
from application.pagination import Page, PageRequest
from domain.identity import ApiKey, Role


def api_key_to_row(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "organization_id": key.organization_id, "name": key.name, "role": key.role.value,
            "secret_hash": key.secret_hash, "prefix": key.prefix, "created_by": key.created_by,
            "created_at": key.created_at, "revoked_at": key.revoked_at, "last_used_at": key.last_used_at}


def api_key_from_row(row: Row[Any]) -> ApiKey:
    return ApiKey(id=row.id, organization_id=row.organization_id, name=row.name, role=Role(row.role),
                  secret_hash=row.secret_hash, prefix=row.prefix, created_by=row.created_by,
                  created_at=row.created_at, revoked_at=row.revoked_at, last_used_at=row.last_used_at)


class SqlApiKeys:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, key: ApiKey) -> None:
        await insert_or_conflict(self._connection, api_keys, api_key_to_row(key), "API key exists")

    async def get(self, organization_id: str, key_id: str) -> ApiKey | None:
        statement = select(api_keys).where(api_keys.c.organization_id == organization_id, api_keys.c.id == key_id)
        row = (await self._connection.execute(statement)).first()
        return api_key_from_row(row) if row is not None else None

    async def get_by_hash(self, secret_hash: str) -> ApiKey | None:
        row = (await self._connection.execute(select(api_keys).where(api_keys.c.secret_hash == secret_hash))).first()
        return api_key_from_row(row) if row is not None else None

    async def save(self, key: ApiKey) -> None:
        await upsert(self._connection, api_keys, api_key_to_row(key),
                     {"id": key.id, "organization_id": key.organization_id}, "API key exists")

    async def list(self, organization_id: str, page: PageRequest) -> Page[ApiKey]:
        statement = select(api_keys).where(api_keys.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, api_keys.c.id, page, api_key_from_row, lambda k: k.id)
