"""The ledger as operators and accountants read it: transactions with their entries, and the trial balance."""

from __future__ import annotations

from datetime import datetime

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.billing import TransactionFilter
from domain.billing.ledger import LedgerTransaction, TrialBalance
from domain.errors import InvalidInput


async def list_transactions(actor: Actor, organization_id: str, filters: TransactionFilter, page: PageRequest, *,
                            uow_factory: UnitOfWorkFactory) -> Page[LedgerTransaction]:
    if filters.posted_from is not None and filters.posted_to is not None and filters.posted_to <= filters.posted_from:
        raise InvalidInput.field("to", "must be later than `from`")
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.ledger.list(organization_id, filters, page)


async def trial_balance(actor: Actor, organization_id: str, at: datetime | None, *,
                        uow_factory: UnitOfWorkFactory) -> TrialBalance:
    """Per account and currency, Σ debits and Σ credits of what was posted at or before ``at`` (default: all)."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.ledger.trial_balance(organization_id, at)
