"""Ports of the driver portal and billing disputes: portal access (tokens, magic links), disputes and their
comments, the raw OCPP frames kept as evidence, and the receipt document."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.pagination import Page, PageRequest
from domain.network import Driver
from domain.portal import Dispute, DisputeComment, DisputeStatus, MagicLink, PortalToken
from domain.portal.receipts import Receipt


class PortalAccessRepository(Protocol):
    async def add_token(self, token: PortalToken) -> None: ...
    async def token_by_hash(self, secret_hash: str) -> PortalToken | None: ...
    async def get_token(self, organization_id: str, token_id: str) -> PortalToken | None: ...
    async def save_token(self, token: PortalToken) -> None: ...
    async def tokens_of(self, organization_id: str, driver_id: str, page: PageRequest) -> Page[PortalToken]:
        """Newest first."""
        ...
    async def add_link(self, link: MagicLink) -> None: ...
    async def link_by_hash(self, secret_hash: str, *, for_update: bool = False) -> MagicLink | None: ...
    async def save_link(self, link: MagicLink) -> None: ...
    async def drivers_with_email(self, email: str) -> builtins.list[Driver]:
        """The active drivers of every organization whose email this is (a magic link signs in as one)."""
        ...


@frozen
class DisputeFilter:
    status: DisputeStatus | None = None
    session_id: str | None = None
    driver_id: str | None = None
    created_before: datetime | None = None      # older than
    invoice_ids: tuple[str, ...] | None = None  # a driver's disputes of their invoices (chargebacks)


class DisputeRepository(Protocol):
    async def add(self, dispute: Dispute) -> None:
        """Raises ``Conflict`` when the session has a dispute that is not resolved or withdrawn, or the
        provider's dispute (a chargeback) was recorded already."""
        ...
    async def get(self, organization_id: str, dispute_id: str, *, for_update: bool = False) -> Dispute | None: ...
    async def save(self, dispute: Dispute) -> None: ...
    async def list(self, organization_id: str, filters: DisputeFilter, page: PageRequest) -> Page[Dispute]:
        """Newest first."""
        ...
    async def active_for_session(self, organization_id: str, session_id: str) -> Dispute | None: ...
    async def by_provider_id(self, organization_id: str, provider_dispute_id: str) -> Dispute | None: ...
    async def awaiting_invoice(self, organization_id: str, session_ids: Sequence[str]) -> builtins.list[Dispute]:
        """Resolved disputes of these sessions whose credit waits for the session's invoice."""
        ...
    async def add_comment(self, comment: DisputeComment) -> None: ...
    async def comments(self, organization_id: str, dispute_id: str, *,
                       public_only: bool) -> builtins.list[DisputeComment]:
        """Oldest first."""
        ...


@frozen
class OcppFrame:
    """One OCPP-J frame of a transaction as it crossed the wire (``in``: from the charge point)."""

    id: str
    organization_id: str
    charge_point_id: str
    transaction_id: str
    at: datetime
    direction: str
    action: str
    message: str


class FrameRepository(Protocol):
    async def add(self, frames: Sequence[OcppFrame]) -> None: ...
    async def of_transaction(self, organization_id: str, charge_point_id: str,
                             transaction_id: str) -> builtins.list[OcppFrame]:
        """In the order they were received (a call before its answer)."""
        ...


class EvidenceRetention(Protocol):
    async def windows(self) -> builtins.list[tuple[str, int]]:
        """Every organization with its dispute window in days."""
        ...
    async def prune(self, organization_id: str, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` frames received, and samples of sessions ended, before ``before`` (never those
        of a session with a dispute not resolved or withdrawn); how many rows went."""
        ...


class ReceiptDocuments(Protocol):
    def receipt(self, receipt: Receipt) -> bytes:
        """The receipt of one charging session as a PDF (CPU work: call it off the event loop)."""
        ...
