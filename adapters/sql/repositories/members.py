"""Memberships in SQL: one row per (organization, user), holding the role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import members
from application.pagination import Page, PageRequest
from domain.identity import Member, Role


def member_to_row(member: Member) -> dict[str, Any]:
    return {"id": member.id, "organization_id": member.organization_id, "user_id": member.user_id,
            "role": member.role.value, "joined_at": member.joined_at}


def member_from_row(row: Row[Any]) -> Member:
    return Member(id=row.id, organization_id=row.organization_id, user_id=row.user_id, role=Role(row.role),
                  joined_at=row.joined_at)


class SqlMembers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, member: Member) -> None:
        await insert_or_conflict(self._connection, members, member_to_row(member), "already a member")

    async def get(self, organization_id: str, user_id: str) -> Member | None:
        statement = select(members).where(members.c.organization_id == organization_id,
                                          members.c.user_id == user_id)
        row = (await self._connection.execute(statement)).first()
        return member_from_row(row) if row is not None else None

    async def save(self, member: Member) -> None:
        await upsert(self._connection, members, member_to_row(member),
                     {"organization_id": member.organization_id, "user_id": member.user_id}, "already a member")

    async def remove(self, organization_id: str, user_id: str) -> None:
        await self._connection.execute(delete(members).where(members.c.organization_id == organization_id,
                                                             members.c.user_id == user_id))

    async def count_with_role(self, organization_id: str, role: Role) -> int:
        statement = select(func.count()).select_from(members).where(members.c.organization_id == organization_id,
                                                                    members.c.role == role.value)
        return int((await self._connection.execute(statement)).scalar_one())

    async def list(self, organization_id: str, page: PageRequest) -> Page[Member]:
        statement = select(members).where(members.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, members.c.id, page, member_from_row, lambda m: m.id)
