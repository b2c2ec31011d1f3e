"""Dict-backed repositories of the driver portal, matching the SQL adapter's semantics."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.memory.events import InMemoryEvents
from adapters.memory.repositories import _newest_first, _Table
from application.pagination import Page, PageRequest
from application.ports.portal import DisputeFilter, OcppFrame
from domain.errors import Conflict
from domain.network import Driver
from domain.portal import Dispute, DisputeComment, MagicLink, PortalToken, SettlementStatus
from domain.portal.disputes import Visibility


class InMemoryPortalAccess:
    def __init__(self, tokens: dict[str, Any], links: dict[str, Any], drivers: dict[str, Any]) -> None:
        self.tokens, self.links, self.drivers = tokens, links, drivers

    async def add_token(self, token: PortalToken) -> None:
        self.tokens[token.id] = copy.deepcopy(token)

    async def token_by_hash(self, secret_hash: str) -> PortalToken | None:
        return next((copy.deepcopy(t) for t in self.tokens.values() if t.secret_hash == secret_hash), None)

    async def get_token(self, organization_id: str, token_id: str) -> PortalToken | None:
        found = self.tokens.get(token_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save_token(self, token: PortalToken) -> None:
        self.tokens[token.id] = copy.deepcopy(token)

    async def tokens_of(self, organization_id: str, driver_id: str, page: PageRequest) -> Page[PortalToken]:
        return _newest_first([t for t in self.tokens.values()
                              if t.organization_id == organization_id and t.driver_id == driver_id], page,
                             lambda t: t.id)

    async def add_link(self, link: MagicLink) -> None:
        self.links[link.id] = copy.deepcopy(link)

    async def link_by_hash(self, secret_hash: str, *, for_update: bool = False) -> MagicLink | None:
        return next((copy.deepcopy(x) for x in self.links.values() if x.secret_hash == secret_hash), None)

    async def save_link(self, link: MagicLink) -> None:
        self.links[link.id] = copy.deepcopy(link)

    async def drivers_with_email(self, email: str) -> builtins.list[Driver]:
        return [copy.deepcopy(d) for d in sorted(self.drivers.values(), key=lambda d: d.id)
                if d.email == email and d.active]


class InMemoryDisputes(_Table):
    def __init__(self, data: dict[str, Any], comments: dict[str, Any], events: InMemoryEvents) -> None:
        super().__init__(data)
        self.comment_data = comments
        self.events = events

    def _check_unique(self, dispute: Dispute) -> None:
        for other in self.data.values():
            if other.id == dispute.id or other.organization_id != dispute.organization_id:
                continue
            if (dispute.session_id is not None and other.session_id == dispute.session_id
                    and not other.status.terminal and not dispute.status.terminal):
                raise Conflict("this session has an open dispute already")
            if dispute.provider_dispute_id is not None and other.provider_dispute_id == dispute.provider_dispute_id:
                raise Conflict("the chargeback was recorded already")

    async def add(self, dispute: Dispute) -> None:
        if dispute.id in self.data:
            raise Conflict("dispute exists")
        self._check_unique(dispute)
        await self.events.add(dispute.pull_events())
        self._put(dispute.id, dispute)

    async def get(self, organization_id: str, dispute_id: str, *, for_update: bool = False) -> Dispute | None:
        found = self.data.get(dispute_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def save(self, dispute: Dispute) -> None:
        self._check_unique(dispute)
        await self.events.add(dispute.pull_events())
        self._put(dispute.id, dispute)

    async def list(self, organization_id: str, filters: DisputeFilter, page: PageRequest) -> Page[Dispute]:
        def keep(d: Dispute) -> bool:
            return (d.organization_id == organization_id
                    and (filters.status is None or d.status is filters.status)
                    and (filters.session_id is None or d.session_id == filters.session_id)
                    and (filters.driver_id is None or d.driver_id == filters.driver_id)
                    and (filters.created_before is None or d.created_at < filters.created_before))

        return _newest_first([d for d in self.data.values() if keep(d)], page, lambda d: d.id)

    async def active_for_session(self, organization_id: str, session_id: str) -> Dispute | None:
        return next((copy.deepcopy(d) for d in self.data.values() if d.organization_id == organization_id
                     and d.session_id == session_id and not d.status.terminal), None)

    async def by_provider_id(self, organization_id: str, provider_dispute_id: str) -> Dispute | None:
        return next((copy.deepcopy(d) for d in self.data.values() if d.organization_id == organization_id
                     and d.provider_dispute_id == provider_dispute_id), None)

    async def awaiting_invoice(self, organization_id: str, session_ids: Sequence[str]) -> builtins.list[Dispute]:
        wanted = set(session_ids)
        return [copy.deepcopy(d) for d in sorted(self.data.values(), key=lambda d: d.id)
                if d.organization_id == organization_id and d.session_id in wanted
                and d.settlement.status is SettlementStatus.AWAITING_INVOICE]

    async def add_comment(self, comment: DisputeComment) -> None:
        self.comment_data[comment.id] = comment

    async def comments(self, organization_id: str, dispute_id: str, *,
                       public_only: bool) -> builtins.list[DisputeComment]:
        return sorted((c for c in self.comment_data.values() if c.organization_id == organization_id
                       and c.dispute_id == dispute_id and (not public_only or c.visibility is Visibility.PUBLIC)),
                      key=lambda c: c.id)


class InMemoryFrames:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    async def add(self, frames: Sequence[OcppFrame]) -> None:
        for frame in frames:
            self.data.setdefault(frame.id, frame)

    async def of_transaction(self, organization_id: str, charge_point_id: str,
                             transaction_id: str) -> builtins.list[OcppFrame]:
        return sorted((f for f in self.data.values() if f.organization_id == organization_id
                       and f.charge_point_id == charge_point_id and f.transaction_id == transaction_id),
                      key=lambda f: (f.at, f.direction, f.id))   # a call ("in") before its answer ("out")


class InMemoryEvidenceRetention:
    def __init__(self, tables: dict[str, dict[Any, Any]]) -> None:
        self.tables = tables

    async def windows(self) -> builtins.list[tuple[str, int]]:
        return [(o.id, o.settings.billing.dispute_window_days)
                for o in sorted(self.tables["organizations"].values(), key=lambda o: o.id)]

    async def prune(self, organization_id: str, before: datetime, limit: int) -> int:
        t = self.tables
        held = {d.session_id for d in t["disputes"].values()
                if d.organization_id == organization_id and not d.status.terminal}
        held_pairs = {(s.charge_point_id, s.transaction_id) for s in t["sessions"].values() if s.id in held}
        removed = 0
        for frame in sorted(t["ocpp_frames"].values(), key=lambda f: f.id):
            if removed >= limit:
                break
            if (frame.organization_id == organization_id and frame.at < before
                    and (frame.charge_point_id, frame.transaction_id) not in held_pairs):
                del t["ocpp_frames"][frame.id]
                removed += 1
        for session in t["sessions"].values():
            if (session.organization_id == organization_id and session.stopped_at is not None
                    and session.stopped_at < before and session.id not in held and t["samples"].get(session.id)):
                removed += len(t["samples"].pop(session.id))
        return removed
