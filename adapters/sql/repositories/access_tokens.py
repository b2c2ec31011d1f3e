"""User access tokens in SQL: written at sign-in, read by the hash of the bearer secret."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import insert_or_conflict
from adapters.sql.tables import access_tokens
from domain.identity import AccessToken


def access_token_to_row(token: AccessToken) -> dict[str, Any]:
    return {"id": token.id, "user_id": token.user_id, "secret_hash": token.secret_hash,
            "created_at": token.created_at, "expires_at": token.expires_at}


def access_token_from_row(row: Row[Any]) -> AccessToken:
    return AccessToken(id=row.id, user_id=row.user_id, secret_hash=row.secret_hash, created_at=row.created_at,
                       expires_at=row.expires_at)


class SqlAccessTokens:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, token: AccessToken) -> None:
        await insert_or_conflict(self._connection, access_tokens, access_token_to_row(token), "access token exists")

    async def get_by_hash(self, secret_hash: str) -> AccessToken | None:
        statement = select(access_tokens).where(access_tokens.c.secret_hash == secret_hash)
        row = (await self._connection.execute(statement)).first()
        return access_token_from_row(row) if row is not None else None
