"""Site owners in SQL: the owners with their invitations and tokens, projects with their locations, issued
statements, and the activity a statement is computed from (sessions joined to their charge point's location,
credit-note lines naming those sessions)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import dialect_insert, fetch_page, insert_or_conflict, upsert
from adapters.sql.repositories.billing import line_from
from adapters.sql.tables import (
    charge_points,
    invoice_lines,
    invoices,
    project_locations,
    projects,
    sessions,
    site_owner_invitations,
    site_owner_tokens,
    site_owners,
    statements,
)
from application.pagination import Page, PageRequest
from domain.billing.invoices import InvoiceKind
from domain.billing.periods import BillingPeriod
from domain.site_owners import (
    PayoutDetails,
    Project,
    ShareBasis,
    SiteOwner,
    SiteOwnerInvitation,
    SiteOwnerProfile,
    SiteOwnerStatus,
    SiteOwnerToken,
    Statement,
    StatementAdjustment,
    StatementSession,
)
from domain.site_owners.statements import StatementStatus

_PROFILE_FIELDS = (*SiteOwnerProfile.REQUIRED, "vat_id")


def _owner_row(o: SiteOwner) -> dict[str, Any]:
    payout = o.payout
    return {"id": o.id, "organization_id": o.organization_id, "name": o.name, "email": o.email,
            "status": o.status.value, "profile": {name: getattr(o.profile, name) for name in _PROFILE_FIELDS},
            "payout_account_holder": payout.account_holder if payout else None,
            "payout_iban": payout.iban if payout else None, "payout_bic": payout.bic if payout else None,
            "agreement_version": o.agreement_version, "agreement_accepted_at": o.agreement_accepted_at,
            "onboarded_at": o.onboarded_at, "created_at": o.created_at}


def _owner_from(row: Row[Any]) -> SiteOwner:
    payout = (PayoutDetails(row.payout_account_holder, row.payout_iban, row.payout_bic)
              if row.payout_iban is not None else None)
    return SiteOwner(id=row.id, organization_id=row.organization_id, name=row.name, email=row.email,
                     created_at=row.created_at, status=SiteOwnerStatus(row.status),
                     profile=SiteOwnerProfile(**{k: v for k, v in row.profile.items() if k in _PROFILE_FIELDS}),
                     payout=payout, agreement_version=row.agreement_version,
                     agreement_accepted_at=row.agreement_accepted_at, onboarded_at=row.onboarded_at)


def _invitation_row(i: SiteOwnerInvitation) -> dict[str, Any]:
    return {"id": i.id, "organization_id": i.organization_id, "site_owner_id": i.site_owner_id, "email": i.email,
            "secret_hash": i.secret_hash, "created_at": i.created_at, "expires_at": i.expires_at,
            "accepted_at": i.accepted_at}


def _invitation_from(row: Row[Any]) -> SiteOwnerInvitation:
    return SiteOwnerInvitation(id=row.id, organization_id=row.organization_id, site_owner_id=row.site_owner_id,
                               email=row.email, secret_hash=row.secret_hash, created_at=row.created_at,
                               expires_at=row.expires_at, accepted_at=row.accepted_at)


def _token_row(t: SiteOwnerToken) -> dict[str, Any]:
    return {"id": t.id, "organization_id": t.organization_id, "site_owner_id": t.site_owner_id,
            "secret_hash": t.secret_hash, "created_at": t.created_at, "expires_at": t.expires_at,
            "revoked_at": t.revoked_at}


def _token_from(row: Row[Any]) -> SiteOwnerToken:
    return SiteOwnerToken(id=row.id, organization_id=row.organization_id, site_owner_id=row.site_owner_id,
                          secret_hash=row.secret_hash, created_at=row.created_at, expires_at=row.expires_at,
                          revoked_at=row.revoked_at)


class SqlSiteOwners:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, owner: SiteOwner) -> None:
        await insert_or_conflict(self._connection, site_owners, _owner_row(owner),
                                 "a site owner with this email exists already")

    async def get(self, organization_id: str, site_owner_id: str, *, for_update: bool = False) -> SiteOwner | None:
        statement = select(site_owners).where(site_owners.c.organization_id == organization_id,
                                              site_owners.c.id == site_owner_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _owner_from(row) if row is not None else None

    async def by_email(self, organization_id: str, email: str) -> SiteOwner | None:
        row = (await self._connection.execute(select(site_owners).where(
            site_owners.c.organization_id == organization_id, site_owners.c.email == email))).first()
        return _owner_from(row) if row is not None else None

    async def save(self, owner: SiteOwner) -> None:
        await upsert(self._connection, site_owners, _owner_row(owner),
                     {"organization_id": owner.organization_id, "id": owner.id},
                     "a site owner with this email exists already")

    async def list(self, organization_id: str, page: PageRequest) -> Page[SiteOwner]:
        statement = select(site_owners).where(site_owners.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, site_owners.c.id, page, _owner_from, lambda o: o.id)

    async def add_invitation(self, invitation: SiteOwnerInvitation) -> None:
        await insert_or_conflict(self._connection, site_owner_invitations, _invitation_row(invitation),
                                 "invitation exists")

    async def invitation_by_hash(self, secret_hash: str, *, for_update: bool = False) -> SiteOwnerInvitation | None:
        statement = select(site_owner_invitations).where(site_owner_invitations.c.secret_hash == secret_hash)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _invitation_from(row) if row is not None else None

    async def save_invitation(self, invitation: SiteOwnerInvitation) -> None:
        await upsert(self._connection, site_owner_invitations, _invitation_row(invitation), {"id": invitation.id},
                     "invitation exists")

    async def add_token(self, token: SiteOwnerToken) -> None:
        await insert_or_conflict(self._connection, site_owner_tokens, _token_row(token), "site-owner token exists")

    async def token_by_hash(self, secret_hash: str) -> SiteOwnerToken | None:
        row = (await self._connection.execute(select(site_owner_tokens).where(
            site_owner_tokens.c.secret_hash == secret_hash))).first()
        return _token_from(row) if row is not None else None

    async def get_token(self, organization_id: str, token_id: str) -> SiteOwnerToken | None:
        t = site_owner_tokens
        row = (await self._connection.execute(select(t).where(t.c.organization_id == organization_id,
                                                              t.c.id == token_id))).first()
        return _token_from(row) if row is not None else None

    async def save_token(self, token: SiteOwnerToken) -> None:
        await upsert(self._connection, site_owner_tokens, _token_row(token), {"id": token.id},
                     "site-owner token exists")


# ---------------------------------------------------------------------------------------------- projects


def _project_row(p: Project) -> dict[str, Any]:
    return {"id": p.id, "organization_id": p.organization_id, "site_owner_id": p.site_owner_id, "name": p.name,
            "revenue_share_percent": p.revenue_share_percent, "share_basis": p.share_basis.value,
            "energy_cost_per_kwh": p.energy_cost_per_kwh, "created_at": p.created_at, "updated_at": p.updated_at}


class SqlProjects:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _locations(self, organization_id: str, project_ids: Sequence[str]) -> dict[str, list[str]]:
        pl = project_locations
        rows = await self._connection.execute(
            select(pl.c.project_id, pl.c.location_id).where(pl.c.organization_id == organization_id,
                                                            pl.c.project_id.in_(project_ids))
            .order_by(pl.c.project_id, pl.c.position))
        out: dict[str, list[str]] = {}
        for row in rows:
            out.setdefault(row.project_id, []).append(row.location_id)
        return out

    def _from(self, row: Row[Any], locations: Sequence[str]) -> Project:
        return Project(id=row.id, organization_id=row.organization_id, site_owner_id=row.site_owner_id,
                       name=row.name, location_ids=tuple(locations),
                       revenue_share_percent=row.revenue_share_percent, share_basis=ShareBasis(row.share_basis),
                       created_at=row.created_at, updated_at=row.updated_at,
                       energy_cost_per_kwh=row.energy_cost_per_kwh)

    async def _write_locations(self, project: Project) -> None:
        pl = project_locations
        await self._connection.execute(delete(pl).where(pl.c.organization_id == project.organization_id,
                                                        pl.c.project_id == project.id))
        for position, location_id in enumerate(project.location_ids):
            await insert_or_conflict(self._connection, pl, {
                "organization_id": project.organization_id, "location_id": location_id, "project_id": project.id,
                "position": position}, f"location {location_id} belongs to another project")

    async def add(self, project: Project) -> None:
        await insert_or_conflict(self._connection, projects, _project_row(project), "project exists")
        await self._write_locations(project)

    async def get(self, organization_id: str, project_id: str, *, for_update: bool = False) -> Project | None:
        statement = select(projects).where(projects.c.organization_id == organization_id,
                                           projects.c.id == project_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return None
        return self._from(row, (await self._locations(organization_id, [project_id])).get(project_id, []))

    async def save(self, project: Project) -> None:
        await upsert(self._connection, projects, _project_row(project),
                     {"organization_id": project.organization_id, "id": project.id}, "project exists")
        await self._write_locations(project)

    async def list(self, organization_id: str, page: PageRequest, *,
                   site_owner_id: str | None = None) -> Page[Project]:
        statement = select(projects).where(projects.c.organization_id == organization_id)
        if site_owner_id is not None:
            statement = statement.where(projects.c.site_owner_id == site_owner_id)
        found = await fetch_page(self._connection, statement, projects.c.id, page, lambda row: row, lambda r: r.id)
        locations = await self._locations(organization_id, [row.id for row in found.items])
        return Page([self._from(row, locations.get(row.id, [])) for row in found.items], found.next_cursor)

    async def owning(self, organization_id: str, location_ids: Sequence[str]) -> builtins.dict[str, str]:
        if not location_ids:
            return {}
        pl = project_locations
        rows = await self._connection.execute(select(pl.c.location_id, pl.c.project_id).where(
            pl.c.organization_id == organization_id, pl.c.location_id.in_(list(location_ids))))
        return {row.location_id: row.project_id for row in rows}


# -------------------------------------------------------------------------------------------- statements


def _d(value: Decimal) -> str:
    return format(value, "f")


def _session_json(s: StatementSession) -> list[Any]:
    return [s.session_id, s.location_id, s.stopped_at.isoformat(), _d(s.energy_kwh), _d(s.revenue), s.currency]


def _session_from(v: list[Any]) -> StatementSession:
    return StatementSession(v[0], v[1], datetime.fromisoformat(v[2]), Decimal(v[3]), Decimal(v[4]), v[5])


def _adjustment_json(a: StatementAdjustment) -> list[Any]:
    return [a.credit_note_id, a.session_id, a.issued_at.isoformat(), _d(a.amount), a.currency]


def _adjustment_from(v: list[Any]) -> StatementAdjustment:
    return StatementAdjustment(v[0], v[1], datetime.fromisoformat(v[2]), Decimal(v[3]), v[4])


def _statement_row(s: Statement) -> dict[str, Any]:
    return {"id": s.id, "organization_id": s.organization_id, "project_id": s.project_id,
            "site_owner_id": s.site_owner_id, "period": s.period.label, "currency": s.currency,
            "revenue_share_percent": s.revenue_share_percent, "share_basis": s.share_basis.value,
            "energy_cost_per_kwh": s.energy_cost_per_kwh, "energy_kwh": s.energy_kwh, "revenue": s.revenue,
            "credited": s.credited, "energy_cost": s.energy_cost, "basis_amount": s.basis_amount, "share": s.share,
            "sessions": [_session_json(x) for x in s.sessions],
            "adjustments": [_adjustment_json(x) for x in s.adjustments], "issued_at": s.issued_at,
            "ledger_transaction_id": s.ledger_transaction_id}


def _statement_from(row: Row[Any]) -> Statement:
    return Statement(row.organization_id, row.project_id, row.site_owner_id, BillingPeriod.month(row.period),
                     row.currency, row.revenue_share_percent, ShareBasis(row.share_basis), row.energy_cost_per_kwh,
                     [_session_from(x) for x in row.sessions], [_adjustment_from(x) for x in row.adjustments],
                     row.energy_kwh, row.revenue, row.credited, row.energy_cost, row.basis_amount, row.share,
                     StatementStatus.ISSUED, row.id, row.issued_at, row.ledger_transaction_id)


class SqlStatements:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, statement: Statement) -> bool:
        insert = dialect_insert(self._connection, statements)
        result = await self._connection.execute(insert.values(_statement_row(statement)).on_conflict_do_nothing())
        return bool(result.rowcount)

    async def get(self, organization_id: str, project_id: str, period: str) -> Statement | None:
        s = statements
        row = (await self._connection.execute(select(s).where(
            s.c.organization_id == organization_id, s.c.project_id == project_id, s.c.period == period))).first()
        return _statement_from(row) if row is not None else None

    async def list(self, organization_id: str, project_id: str) -> builtins.list[Statement]:
        s = statements
        rows = await self._connection.execute(select(s).where(
            s.c.organization_id == organization_id, s.c.project_id == project_id).order_by(s.c.period))
        return [_statement_from(row) for row in rows]


# ------------------------------------------------------------------------------------------------ activity


class SqlProjectActivity:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    def _sessions_at(self, organization_id: str, location_ids: Sequence[str]) -> Any:
        s, cp = sessions, charge_points
        return (select(s.c.id, s.c.stopped_at, s.c.cost_breakdown, s.c.cost_total_excl_vat, s.c.cost_currency,
                       cp.c.location_id)
                .join(cp, cp.c.id == s.c.charge_point_id)
                .where(s.c.organization_id == organization_id, cp.c.organization_id == organization_id,
                       cp.c.location_id.in_(list(location_ids))))

    async def sessions(self, organization_id: str, location_ids: Sequence[str], start: datetime,
                       end: datetime) -> builtins.list[StatementSession]:
        if not location_ids:
            return []
        s = sessions
        rows = await self._connection.execute(self._sessions_at(organization_id, location_ids).where(
            s.c.cost_total_excl_vat.is_not(None), s.c.stopped_at >= start, s.c.stopped_at < end))
        return [StatementSession(row.id, row.location_id, row.stopped_at,
                                 Decimal(row.cost_breakdown["energy_kwh"]), row.cost_total_excl_vat,
                                 row.cost_currency) for row in rows]

    async def credits(self, organization_id: str, location_ids: Sequence[str], start: datetime,
                      end: datetime) -> builtins.list[StatementAdjustment]:
        """Credit notes finalized in the window; their lines are JSON, so those naming one of the project's
        sessions are picked here rather than in SQL (a month has few credit notes)."""
        if not location_ids:
            return []
        i, il = invoices, invoice_lines
        rows = (await self._connection.execute(
            select(i.c.id, i.c.finalized_at, i.c.currency, il.c.line)
            .join(il, (il.c.organization_id == i.c.organization_id) & (il.c.invoice_id == i.c.id))
            .where(i.c.organization_id == organization_id, i.c.kind == InvoiceKind.CREDIT_NOTE.value,
                   i.c.finalized_at >= start, i.c.finalized_at < end)
            .order_by(i.c.id, il.c.position))).all()
        named = {line.session_id for line in (line_from(row.line) for row in rows) if line.session_id}
        if not named:
            return []
        ours = {row.id for row in await self._connection.execute(
            self._sessions_at(organization_id, location_ids).where(sessions.c.id.in_(named)))}
        out: builtins.list[StatementAdjustment] = []
        for row in rows:
            line = line_from(row.line)
            if line.session_id is not None and line.session_id in ours:
                out.append(StatementAdjustment(row.id, line.session_id, row.finalized_at, line.net_amount,
                                               row.currency))
        return out
