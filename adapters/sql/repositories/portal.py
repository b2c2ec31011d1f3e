"""The driver portal in SQL: portal tokens and magic links, disputes with their comments, the OCPP frames kept
as evidence, and their pruning."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_many, insert_or_conflict, upsert
from adapters.sql.repositories.drivers import driver_from_row
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import (
    dispute_comments,
    disputes,
    drivers,
    meter_samples,
    ocpp_frames,
    organizations,
    portal_magic_links,
    portal_tokens,
    sessions,
)
from application.pagination import Page, PageRequest
from application.ports.portal import DisputeFilter, OcppFrame
from domain.money import Money
from domain.network import Driver
from domain.portal import (
    Dispute,
    DisputeComment,
    DisputeOutcome,
    DisputeSource,
    DisputeStatus,
    MagicLink,
    PortalToken,
    PortalTokenSource,
    Settlement,
    SettlementStatus,
)
from domain.portal.disputes import Visibility

ACTIVE = (DisputeStatus.OPEN.value, DisputeStatus.UNDER_REVIEW.value)


def _token_from_row(row: Row[Any]) -> PortalToken:
    return PortalToken(id=row.id, organization_id=row.organization_id, driver_id=row.driver_id,
                       secret_hash=row.secret_hash, source=PortalTokenSource(row.source), created_at=row.created_at,
                       expires_at=row.expires_at, revoked_at=row.revoked_at)


def _link_from_row(row: Row[Any]) -> MagicLink:
    return MagicLink(id=row.id, organization_id=row.organization_id, driver_id=row.driver_id,
                     secret_hash=row.secret_hash, created_at=row.created_at, expires_at=row.expires_at,
                     used_at=row.used_at)


class SqlPortalAccess:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_token(self, token: PortalToken) -> None:
        await insert_or_conflict(self._connection, portal_tokens, _token_row(token), "portal token exists")

    async def token_by_hash(self, secret_hash: str) -> PortalToken | None:
        row = (await self._connection.execute(select(portal_tokens).where(
            portal_tokens.c.secret_hash == secret_hash))).first()
        return _token_from_row(row) if row is not None else None

    async def get_token(self, organization_id: str, token_id: str) -> PortalToken | None:
        t = portal_tokens
        row = (await self._connection.execute(select(t).where(t.c.organization_id == organization_id,
                                                              t.c.id == token_id))).first()
        return _token_from_row(row) if row is not None else None

    async def save_token(self, token: PortalToken) -> None:
        await upsert(self._connection, portal_tokens, _token_row(token), {"id": token.id}, "portal token exists")

    async def tokens_of(self, organization_id: str, driver_id: str, page: PageRequest) -> Page[PortalToken]:
        t = portal_tokens
        statement = select(t).where(t.c.organization_id == organization_id, t.c.driver_id == driver_id)
        return await fetch_page(self._connection, statement, t.c.id, page, _token_from_row, lambda x: x.id,
                                newest_first=True)

    async def add_link(self, link: MagicLink) -> None:
        await insert_or_conflict(self._connection, portal_magic_links, _link_row(link), "sign-in link exists")

    async def link_by_hash(self, secret_hash: str, *, for_update: bool = False) -> MagicLink | None:
        statement = select(portal_magic_links).where(portal_magic_links.c.secret_hash == secret_hash)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _link_from_row(row) if row is not None else None

    async def save_link(self, link: MagicLink) -> None:
        await upsert(self._connection, portal_magic_links, _link_row(link), {"id": link.id}, "sign-in link exists")

    async def drivers_with_email(self, email: str) -> builtins.list[Driver]:
        rows = await self._connection.execute(select(drivers).where(drivers.c.email == email, drivers.c.active)
                                              .order_by(drivers.c.id))
        return [driver_from_row(row, []) for row in rows]


def _token_row(token: PortalToken) -> dict[str, Any]:
    return {"id": token.id, "organization_id": token.organization_id, "driver_id": token.driver_id,
            "secret_hash": token.secret_hash, "source": token.source.value, "created_at": token.created_at,
            "expires_at": token.expires_at, "revoked_at": token.revoked_at}


def _link_row(link: MagicLink) -> dict[str, Any]:
    return {"id": link.id, "organization_id": link.organization_id, "driver_id": link.driver_id,
            "secret_hash": link.secret_hash, "created_at": link.created_at, "expires_at": link.expires_at,
            "used_at": link.used_at}


# ---------------------------------------------------------------------------------------------- disputes


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def settlement_to_json(s: Settlement) -> dict[str, Any]:
    return {"status": s.status.value, "credit_note_id": s.credit_note_id, "credit_note_number": s.credit_note_number,
            "credited": _decimal(s.credited), "refund_amount": _decimal(s.refund_amount), "refund_id": s.refund_id,
            "refund_provider": s.refund_provider, "refund_reference": s.refund_reference,
            "refund_instructions": s.refund_instructions, "error": s.error}


def settlement_from_json(data: dict[str, Any]) -> Settlement:
    def amount(key: str) -> Decimal | None:
        return None if data.get(key) is None else Decimal(data[key])

    return Settlement(status=SettlementStatus(data["status"]), credit_note_id=data.get("credit_note_id"),
                      credit_note_number=data.get("credit_note_number"), credited=amount("credited"),
                      refund_amount=amount("refund_amount"), refund_id=data.get("refund_id"),
                      refund_provider=data.get("refund_provider"), refund_reference=data.get("refund_reference"),
                      refund_instructions=data.get("refund_instructions"), error=data.get("error"))


def _dispute_row(d: Dispute) -> dict[str, Any]:
    return {"id": d.id, "organization_id": d.organization_id, "source": d.source.value, "status": d.status.value,
            "outcome": d.outcome.value if d.outcome else None, "description": d.description,
            "expected_amount": d.expected_cost.amount if d.expected_cost else None,
            "expected_currency": d.expected_cost.currency if d.expected_cost else None,
            "billed_amount": d.billed.amount if d.billed else None,
            "billed_currency": d.billed.currency if d.billed else None, "session_id": d.session_id,
            "driver_id": d.driver_id, "invoice_id": d.invoice_id, "refund_amount": d.refund_amount,
            "resolution_note": d.resolution_note, "assignee_id": d.assignee_id,
            "provider_dispute_id": d.provider_dispute_id, "settlement": settlement_to_json(d.settlement),
            "settlement_status": d.settlement.status.value, "created_at": d.created_at, "updated_at": d.updated_at,
            "resolved_at": d.resolved_at}


def _dispute_from_row(row: Row[Any]) -> Dispute:
    return Dispute(
        id=row.id, organization_id=row.organization_id, source=DisputeSource(row.source),
        description=row.description,
        expected_cost=Money(row.expected_amount, row.expected_currency) if row.expected_currency else None,
        billed=Money(row.billed_amount, row.billed_currency) if row.billed_currency else None,
        created_at=row.created_at, updated_at=row.updated_at, session_id=row.session_id, driver_id=row.driver_id,
        invoice_id=row.invoice_id, status=DisputeStatus(row.status),
        outcome=DisputeOutcome(row.outcome) if row.outcome else None, refund_amount=row.refund_amount,
        resolution_note=row.resolution_note, assignee_id=row.assignee_id, resolved_at=row.resolved_at,
        provider_dispute_id=row.provider_dispute_id, settlement=settlement_from_json(row.settlement))


def _comment_from_row(row: Row[Any]) -> DisputeComment:
    return DisputeComment(id=row.id, organization_id=row.organization_id, dispute_id=row.dispute_id,
                          author_id=row.author_id, visibility=Visibility(row.visibility), body=row.body,
                          created_at=row.created_at)


class SqlDisputes:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events

    async def add(self, dispute: Dispute) -> None:
        await insert_or_conflict(self._connection, disputes, _dispute_row(dispute),
                                 "this session has an open dispute already, or the chargeback was recorded")
        await self._events.add(dispute.pull_events())

    async def get(self, organization_id: str, dispute_id: str, *, for_update: bool = False) -> Dispute | None:
        statement = select(disputes).where(disputes.c.organization_id == organization_id,
                                           disputes.c.id == dispute_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _dispute_from_row(row) if row is not None else None

    async def save(self, dispute: Dispute) -> None:
        await upsert(self._connection, disputes, _dispute_row(dispute), {"id": dispute.id},
                     "this session has an open dispute already")
        await self._events.add(dispute.pull_events())

    async def list(self, organization_id: str, filters: DisputeFilter, page: PageRequest) -> Page[Dispute]:
        t = disputes
        statement = select(t).where(t.c.organization_id == organization_id)
        if filters.status is not None:
            statement = statement.where(t.c.status == filters.status.value)
        if filters.session_id is not None:
            statement = statement.where(t.c.session_id == filters.session_id)
        if filters.driver_id is not None:
            statement = statement.where(t.c.driver_id == filters.driver_id)
        if filters.created_before is not None:
            statement = statement.where(t.c.created_at < filters.created_before)
        return await fetch_page(self._connection, statement, t.c.id, page, _dispute_from_row, lambda d: d.id,
                                newest_first=True)

    async def active_for_session(self, organization_id: str, session_id: str) -> Dispute | None:
        t = disputes
        row = (await self._connection.execute(select(t).where(
            t.c.organization_id == organization_id, t.c.session_id == session_id, t.c.status.in_(ACTIVE)))).first()
        return _dispute_from_row(row) if row is not None else None

    async def by_provider_id(self, organization_id: str, provider_dispute_id: str) -> Dispute | None:
        t = disputes
        row = (await self._connection.execute(select(t).where(
            t.c.organization_id == organization_id, t.c.provider_dispute_id == provider_dispute_id))).first()
        return _dispute_from_row(row) if row is not None else None

    async def awaiting_invoice(self, organization_id: str, session_ids: Sequence[str]) -> builtins.list[Dispute]:
        if not session_ids:
            return []
        t = disputes
        rows = await self._connection.execute(select(t).where(
            t.c.organization_id == organization_id, t.c.session_id.in_(list(session_ids)),
            t.c.settlement_status == SettlementStatus.AWAITING_INVOICE.value).order_by(t.c.id).with_for_update())
        return [_dispute_from_row(row) for row in rows]

    async def add_comment(self, comment: DisputeComment) -> None:
        await insert_or_conflict(self._connection, dispute_comments, {
            "id": comment.id, "organization_id": comment.organization_id, "dispute_id": comment.dispute_id,
            "author_id": comment.author_id, "visibility": comment.visibility.value, "body": comment.body,
            "created_at": comment.created_at}, "comment exists")

    async def comments(self, organization_id: str, dispute_id: str, *,
                       public_only: bool) -> builtins.list[DisputeComment]:
        t = dispute_comments
        statement = select(t).where(t.c.organization_id == organization_id, t.c.dispute_id == dispute_id)
        if public_only:
            statement = statement.where(t.c.visibility == Visibility.PUBLIC.value)
        return [_comment_from_row(row) for row in await self._connection.execute(statement.order_by(t.c.id))]


# ---------------------------------------------------------------------------------------------- evidence


def _frame_from_row(row: Row[Any]) -> OcppFrame:
    return OcppFrame(id=row.id, organization_id=row.organization_id, charge_point_id=row.charge_point_id,
                     transaction_id=row.transaction_id, at=row.at, direction=row.direction, action=row.action,
                     message=row.message)


class SqlFrames:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, frames: Sequence[OcppFrame]) -> None:
        await insert_many(self._connection, ocpp_frames, [
            {"id": f.id, "organization_id": f.organization_id, "charge_point_id": f.charge_point_id,
             "transaction_id": f.transaction_id, "at": f.at, "direction": f.direction, "action": f.action,
             "message": f.message} for f in frames], lambda insert: insert.on_conflict_do_nothing())

    async def of_transaction(self, organization_id: str, charge_point_id: str,
                             transaction_id: str) -> builtins.list[OcppFrame]:
        t = ocpp_frames
        rows = await self._connection.execute(select(t).where(
            t.c.organization_id == organization_id, t.c.charge_point_id == charge_point_id,
            t.c.transaction_id == transaction_id).order_by(t.c.at, t.c.direction, t.c.id))
        return [_frame_from_row(row) for row in rows]


class SqlEvidenceRetention:
    """Prunes evidence in bounded batches, sparing every session under a dispute not resolved or withdrawn."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def windows(self) -> builtins.list[tuple[str, int]]:
        rows = await self._connection.execute(select(organizations.c.id, organizations.c.dispute_window_days)
                                              .order_by(organizations.c.id))
        return [(row.id, row.dispute_window_days) for row in rows]

    async def prune(self, organization_id: str, before: datetime, limit: int) -> int:
        f, s, d, m = ocpp_frames, sessions, disputes, meter_samples
        disputed = exists().where(d.c.organization_id == organization_id, d.c.session_id == s.c.id,
                                  d.c.status.in_(ACTIVE))
        held = select(s.c.charge_point_id, s.c.transaction_id).where(s.c.organization_id == organization_id,
                                                                     disputed)
        held_pairs = {(row.charge_point_id, row.transaction_id) for row in await self._connection.execute(held)}
        doomed = (await self._connection.execute(
            select(f.c.id, f.c.charge_point_id, f.c.transaction_id)
            .where(f.c.organization_id == organization_id, f.c.at < before).order_by(f.c.id).limit(limit))).all()
        frame_ids = [row.id for row in doomed if (row.charge_point_id, row.transaction_id) not in held_pairs]
        removed = 0
        if frame_ids:
            removed += (await self._connection.execute(delete(f).where(f.c.organization_id == organization_id,
                                                                       f.c.id.in_(frame_ids)))).rowcount
        ended = (await self._connection.execute(
            select(s.c.id).where(s.c.organization_id == organization_id, s.c.stopped_at < before, ~disputed,
                                 exists().where(m.c.organization_id == organization_id, m.c.session_id == s.c.id))
            .limit(max(1, limit // 100)))).scalars().all()
        if ended:
            removed += (await self._connection.execute(delete(m).where(
                and_(m.c.organization_id == organization_id, m.c.session_id.in_(list(ended)))))).rowcount
        return removed
