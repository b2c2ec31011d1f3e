"""Users in SQL: global (not tenant-owned) and unique by email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import insert_or_conflict
from adapters.sql.tables import users
from domain.identity import User


def user_to_row(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "password_hash": user.password_hash,
            "created_at": user.created_at}


def user_from_row(row: Row[Any]) -> User:
    return User(id=row.id, email=row.email, name=row.name, password_hash=row.password_hash,
                created_at=row.created_at)


class SqlUsers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, user: User) -> None:
        await insert_or_conflict(self._connection, users, user_to_row(user),
                                 "an account with this email already exists")

    async def get(self, user_id: str) -> User | None:
        row = (await self._connection.execute(select(users).where(users.c.id == user_id))).first()
        return user_from_row(row) if row is not None else None

    async def get_by_email(self, email: str) -> User | None:
        row = (await self._connection.execute(select(users).where(users.c.email == email))).first()
        return user_from_row(row) if row is not None else None

    async def get_many(self, user_ids: Iterable[str]) -> dict[str, User]:
        wanted = set(user_ids)
        if not wanted:
            return {}
        rows = await self._connection.execute(select(users).where(users.c.id.in_(wanted)))
        return {row.id: user_from_row(row) for row in rows}
