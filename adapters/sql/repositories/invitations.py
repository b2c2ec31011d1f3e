"""Invitations in SQL: found by organization, by the hash of their single-use token, or as pending."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import invitations
from application.pagination import Page, PageRequest
from domain.identity import Invitation, InvitationStatus, Role


def invitation_to_row(invitation: Invitation) -> dict[str, Any]:
    return {"id": invitation.id, "organization_id": invitation.organization_id, "email": invitation.email,
            "role": invitation.role.value, "token_hash": invitation.token_hash, "invited_by": invitation.invited_by,
            "created_at": invitation.created_at, "expires_at": invitation.expires_at,
            "status": invitation.status.value, "accepted_by": invitation.accepted_by,
            "closed_at": invitation.closed_at}


def invitation_from_row(row: Row[Any]) -> Invitation:
    return Invitation(id=row.id, organization_id=row.organization_id, email=row.email, role=Role(row.role),
                      token_hash=row.token_hash, invited_by=row.invited_by, created_at=row.created_at,
                      expires_at=row.expires_at, status=InvitationStatus(row.status), accepted_by=row.accepted_by,
                      closed_at=row.closed_at)


class SqlInvitations:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _one(self, *where: Any) -> Invitation | None:
        statement = select(invitations).where(*where).order_by(invitations.c.id).limit(1)
        row = (await self._connection.execute(statement)).first()
        return invitation_from_row(row) if row is not None else None

    async def add(self, invitation: Invitation) -> None:
        await insert_or_conflict(self._connection, invitations, invitation_to_row(invitation), "invitation exists")

    async def get(self, organization_id: str, invitation_id: str) -> Invitation | None:
        return await self._one(invitations.c.organization_id == organization_id, invitations.c.id == invitation_id)

    async def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        return await self._one(invitations.c.token_hash == token_hash)

    async def find_pending(self, organization_id: str, email: str) -> Invitation | None:
        return await self._one(invitations.c.organization_id == organization_id, invitations.c.email == email,
                               invitations.c.status == InvitationStatus.PENDING.value)

    async def save(self, invitation: Invitation) -> None:
        await upsert(self._connection, invitations, invitation_to_row(invitation),
                     {"id": invitation.id, "organization_id": invitation.organization_id}, "invitation exists")

    async def list(self, organization_id: str, page: PageRequest) -> Page[Invitation]:
        statement = select(invitations).where(invitations.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, invitations.c.id, page, invitation_from_row,
                                lambda i: i.id)
