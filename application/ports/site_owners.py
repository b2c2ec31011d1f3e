"""Ports of site owners (issue 13): site owners with their invitations and tokens, projects, issued statements,
and the activity a statement is computed from (sessions at a project's locations, credit notes on them)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from application.pagination import Page, PageRequest
from domain.site_owners import (
    Project,
    SiteOwner,
    SiteOwnerInvitation,
    SiteOwnerToken,
    Statement,
    StatementAdjustment,
    StatementSession,
)
from domain.site_owners.printed import PrintedStatement


class SiteOwnerRepository(Protocol):
    async def add(self, owner: SiteOwner) -> None:
        """Raises ``Conflict`` when the organization has a site owner with this email already."""
        ...
    async def get(self, organization_id: str, site_owner_id: str, *, for_update: bool = False) -> SiteOwner | None: ...
    async def by_email(self, organization_id: str, email: str) -> SiteOwner | None: ...
    async def save(self, owner: SiteOwner) -> None: ...
    async def list(self, organization_id: str, page: PageRequest) -> Page[SiteOwner]:
        """Oldest first."""
        ...
    async def add_invitation(self, invitation: SiteOwnerInvitation) -> None: ...
    async def invitation_by_hash(self, secret_hash: str, *, for_update: bool = False) -> SiteOwnerInvitation | None: ...
    async def save_invitation(self, invitation: SiteOwnerInvitation) -> None: ...
    async def add_token(self, token: SiteOwnerToken) -> None: ...
    async def token_by_hash(self, secret_hash: str) -> SiteOwnerToken | None: ...
    async def get_token(self, organization_id: str, token_id: str) -> SiteOwnerToken | None: ...
    async def save_token(self, token: SiteOwnerToken) -> None: ...


class ProjectRepository(Protocol):
    async def add(self, project: Project) -> None: ...
    async def get(self, organization_id: str, project_id: str, *, for_update: bool = False) -> Project | None: ...
    async def save(self, project: Project) -> None: ...
    async def list(self, organization_id: str, page: PageRequest, *,
                   site_owner_id: str | None = None) -> Page[Project]:
        """Oldest first; only the site owner's when ``site_owner_id``."""
        ...
    async def owning(self, organization_id: str, location_ids: Sequence[str]) -> builtins.dict[str, str]:
        """The project each of these locations belongs to (location id → project id), where one does."""
        ...


class StatementRepository(Protocol):
    async def add(self, statement: Statement) -> bool:
        """Store an issued statement; False (nothing stored) when the project's period was issued already."""
        ...
    async def get(self, organization_id: str, project_id: str, period: str) -> Statement | None: ...
    async def list(self, organization_id: str, project_id: str) -> builtins.list[Statement]:
        """Every issued statement of the project, oldest period first."""
        ...


class ProjectActivity(Protocol):
    async def sessions(self, organization_id: str, location_ids: Sequence[str], start: datetime,
                       end: datetime) -> builtins.list[StatementSession]:
        """Priced sessions at charge points of these locations that stopped in [start, end)."""
        ...
    async def credits(self, organization_id: str, location_ids: Sequence[str], start: datetime,
                      end: datetime) -> builtins.list[StatementAdjustment]:
        """Lines of credit notes finalized in [start, end) that name a session at these locations."""
        ...


class StatementDocuments(Protocol):
    def statement(self, printed: PrintedStatement) -> bytes:
        """The statement as a PDF (pure CPU work: call it off the event loop)."""
        ...
