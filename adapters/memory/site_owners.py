"""Dict-backed repositories of site owners, projects and statements, matching the SQL adapter's semantics."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from adapters.memory.repositories import _Table
from application.pagination import Page, PageRequest
from domain.billing.invoices import InvoiceKind
from domain.errors import Conflict
from domain.site_owners import (
    Project,
    SiteOwner,
    SiteOwnerInvitation,
    SiteOwnerToken,
    Statement,
    StatementAdjustment,
    StatementSession,
)

T = TypeVar("T")


def _oldest_first(rows: Iterable[T], page: PageRequest, key: Callable[[T], str]) -> Page[T]:
    ordered = sorted(rows, key=key)
    if page.after is not None:
        after = page.after
        ordered = [r for r in ordered if key(r) > after]
    return Page.from_overfetch([copy.deepcopy(r) for r in ordered[: page.limit + 1]], page, key)


class InMemorySiteOwners(_Table):
    def __init__(self, data: dict[str, Any], invitations: dict[str, Any], tokens: dict[str, Any]) -> None:
        super().__init__(data)
        self.invitations, self.tokens = invitations, tokens

    async def add(self, owner: SiteOwner) -> None:
        if any(o.organization_id == owner.organization_id and o.email == owner.email for o in self.data.values()):
            raise Conflict("a site owner with this email exists already")
        self._put(owner.id, owner)

    async def get(self, organization_id: str, site_owner_id: str, *, for_update: bool = False) -> SiteOwner | None:
        found: SiteOwner | None = self._get(site_owner_id)
        return found if found is not None and found.organization_id == organization_id else None

    async def by_email(self, organization_id: str, email: str) -> SiteOwner | None:
        return next((copy.deepcopy(o) for o in self.data.values()
                     if o.organization_id == organization_id and o.email == email), None)

    async def save(self, owner: SiteOwner) -> None:
        self._put(owner.id, owner)

    async def list(self, organization_id: str, page: PageRequest) -> Page[SiteOwner]:
        return _oldest_first([o for o in self.data.values() if o.organization_id == organization_id], page,
                             lambda o: o.id)

    async def add_invitation(self, invitation: SiteOwnerInvitation) -> None:
        self.invitations[invitation.id] = copy.deepcopy(invitation)

    async def invitation_by_hash(self, secret_hash: str, *, for_update: bool = False) -> SiteOwnerInvitation | None:
        return next((copy.deepcopy(i) for i in self.invitations.values() if i.secret_hash == secret_hash), None)

    async def save_invitation(self, invitation: SiteOwnerInvitation) -> None:
        self.invitations[invitation.id] = copy.deepcopy(invitation)

    async def add_token(self, token: SiteOwnerToken) -> None:
        self.tokens[token.id] = copy.deepcopy(token)

    async def token_by_hash(self, secret_hash: str) -> SiteOwnerToken | None:
        return next((copy.deepcopy(t) for t in self.tokens.values() if t.secret_hash == secret_hash), None)

    async def get_token(self, organization_id: str, token_id: str) -> SiteOwnerToken | None:
        found = self.tokens.get(token_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save_token(self, token: SiteOwnerToken) -> None:
        self.tokens[token.id] = copy.deepcopy(token)


class InMemoryProjects(_Table):
    def _one_project_per_location(self, project: Project) -> None:
        for other in self.data.values():
            if other.organization_id == project.organization_id and other.id != project.id \
                    and set(other.location_ids) & set(project.location_ids):
                raise Conflict(f"a location of project {project.id} belongs to project {other.id}")

    async def add(self, project: Project) -> None:
        self._one_project_per_location(project)
        self._put(project.id, project)

    async def get(self, organization_id: str, project_id: str, *, for_update: bool = False) -> Project | None:
        found: Project | None = self._get(project_id)
        return found if found is not None and found.organization_id == organization_id else None

    async def save(self, project: Project) -> None:
        self._one_project_per_location(project)
        self._put(project.id, project)

    async def list(self, organization_id: str, page: PageRequest, *,
                   site_owner_id: str | None = None) -> Page[Project]:
        return _oldest_first([p for p in self.data.values() if p.organization_id == organization_id
                              and (site_owner_id is None or p.site_owner_id == site_owner_id)], page, lambda p: p.id)

    async def owning(self, organization_id: str, location_ids: Sequence[str]) -> builtins.dict[str, str]:
        wanted = set(location_ids)
        return {loc: p.id for p in self.data.values() if p.organization_id == organization_id
                for loc in p.location_ids if loc in wanted}


class InMemoryStatements:
    """Keyed by (organization, project, period): one statement per project and month."""

    def __init__(self, data: dict[Any, Any]) -> None:
        self.data = data

    async def add(self, statement: Statement) -> bool:
        key = (statement.organization_id, statement.project_id, statement.period.label)
        if key in self.data:
            return False
        self.data[key] = copy.deepcopy(statement)
        return True

    async def get(self, organization_id: str, project_id: str, period: str) -> Statement | None:
        found = self.data.get((organization_id, project_id, period))
        return copy.deepcopy(found) if found is not None else None

    async def list(self, organization_id: str, project_id: str) -> builtins.list[Statement]:
        return [copy.deepcopy(s) for key, s in sorted(self.data.items(), key=lambda kv: kv[0][2])
                if key[0] == organization_id and key[1] == project_id]


class InMemoryProjectActivity:
    """Reads the sessions, charge points and invoices tables of the same fake database."""

    def __init__(self, tables: dict[str, dict[Any, Any]]) -> None:
        self.tables = tables

    def _charge_points(self, organization_id: str, location_ids: Sequence[str]) -> set[str]:
        wanted = set(location_ids)
        return {cp.id for cp in self.tables["charge_points"].values()
                if cp.organization_id == organization_id and cp.location_id in wanted}

    def _locations(self, organization_id: str) -> dict[str, str]:
        return {cp.id: cp.location_id for cp in self.tables["charge_points"].values()
                if cp.organization_id == organization_id}

    def _sessions(self) -> builtins.list[Any]:
        return [row[0] for row in self.tables["sessions"].values()]     # (session, start key)

    async def sessions(self, organization_id: str, location_ids: Sequence[str], start: datetime,
                       end: datetime) -> builtins.list[StatementSession]:
        points = self._charge_points(organization_id, location_ids)
        where = self._locations(organization_id)
        return [StatementSession(s.id, where[s.charge_point_id], s.stopped_at,
                                 s.cost.breakdown.energy_kwh, s.cost.total_excl_vat, s.cost.currency)
                for s in self._sessions()
                if s.organization_id == organization_id and s.charge_point_id in points and s.cost is not None
                and s.stopped_at is not None and start <= s.stopped_at < end]

    async def credits(self, organization_id: str, location_ids: Sequence[str], start: datetime,
                      end: datetime) -> builtins.list[StatementAdjustment]:
        points = self._charge_points(organization_id, location_ids)
        ours = {s.id for s in self._sessions()
                if s.organization_id == organization_id and s.charge_point_id in points}
        out: list[StatementAdjustment] = []
        for note in self.tables["invoices"].values():
            if (note.organization_id != organization_id or note.kind is not InvoiceKind.CREDIT_NOTE
                    or note.finalized_at is None or not start <= note.finalized_at < end):
                continue
            out.extend(StatementAdjustment(note.id, line.session_id, note.finalized_at, line.net_amount,
                                           note.currency)
                       for line in note.lines if line.session_id in ours)
        return out
