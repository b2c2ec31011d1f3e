"""What the database itself guarantees about billing: a ledger transaction that does not balance is refused at
commit, the ledger is append-only, a source posts once, a charge keeps its invoice; and on PostgreSQL, 20
concurrent finalizations take numbers 1…20 while one that fails midway gives its number back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from adapters.sql.database import Database
from application.invoices import finalize_invoice
from application.pagination import PageRequest
from application.ports.billing import InvoiceFilter
from domain.billing.ledger import Entry, LedgerTransaction, Source, SourceKind
from domain.billing.periods import BillingPeriod
from tests.unit.billing.world import ACTOR, ORG, build, priced_session, setup

NOW = datetime(2026, 2, 1, tzinfo=UTC)


def transaction(source_id: str = "ses_1") -> LedgerTransaction:
    return LedgerTransaction.balanced(
        id=f"txn_{source_id}", organization_id=ORG, source=Source(SourceKind.SESSION, source_id), posted_at=NOW,
        description="x", entries=[Entry("unbilled_receivable", "EUR", debit=Decimal("1.50")),
                                  Entry("charging_revenue", "EUR", credit=Decimal("1.50"))])


async def test_the_database_refuses_an_unbalanced_or_changed_ledger(database: Database):
    world = build(storage=database)
    await setup(world, drivers=0)
    async with database.unit_of_work() as uow:
        assert await uow.ledger.post(transaction()) is True
        assert await uow.ledger.post(transaction()) is False           # a source posts once
        await uow.commit()
    with pytest.raises((IntegrityError, DBAPIError)):
        async with database.engine.begin() as connection:               # bypassing the domain's own check
            await connection.execute(text(
                "INSERT INTO ledger_transactions (id, organization_id, source_kind, source_id, posted_at, "
                "description, entry_count) VALUES ('txn_bad', :org, 'session', 'ses_2', :at, 'bad', 2)"),
                {"org": ORG, "at": NOW})
            for position, (debit, credit) in enumerate(((150, 0), (0, 149))):
                await connection.execute(text(
                    "INSERT INTO ledger_entries (organization_id, transaction_id, position, account, currency, "
                    "debit_minor, credit_minor, posted_at) VALUES (:org, 'txn_bad', :p, 'bank', 'EUR', :d, :c, :at)"),
                    {"org": ORG, "p": position, "d": debit, "c": credit, "at": NOW})
    for statement in ("UPDATE ledger_entries SET debit_minor = 999", "DELETE FROM ledger_entries",
                      "UPDATE ledger_transactions SET description = 'edited'", "DELETE FROM ledger_transactions"):
        with pytest.raises((IntegrityError, DBAPIError)):
            async with database.engine.begin() as connection:
                await connection.execute(text(statement))
    async with database.unit_of_work(read_only=True) as uow:
        balance = await uow.ledger.trial_balance(ORG, None)
    assert [(r.account, r.debits, r.credits) for r in balance.accounts] == [
        ("charging_revenue", 0, Decimal("1.50")), ("unbilled_receivable", Decimal("1.50"), 0)]


async def test_the_database_keeps_a_charge_on_the_invoice_it_went_on(database: Database):
    world = build(storage=database)
    [dana] = await setup(world, drivers=1)
    await priced_session(world, dana, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(3))
    await world.run_period(ORG, BillingPeriod.month("2026-01"))
    for statement in ("UPDATE charges SET invoice_id = 'invc_01JD0000000000000000000000'",
                      "UPDATE charges SET invoice_id = NULL"):
        with pytest.raises((IntegrityError, DBAPIError)):
            async with database.engine.begin() as connection:
                await connection.execute(text(statement))
    async with database.engine.begin() as connection:      # what else a charge holds may still be set
        await connection.execute(text("UPDATE charges SET invoice_id = invoice_id, currency = currency"))


class Boom(Exception):
    """Storage failing in the middle of a finalization."""


class _SaveFails:
    """The invoice repository of a unit of work, failing to save one invoice: its finalization breaks after its
    number was drawn from the counter row (the number it had is kept in ``drawn``)."""

    def __init__(self, inner: Any, invoice_id: str, drawn: list[str | None]) -> None:
        self._inner, self._invoice_id, self._drawn = inner, invoice_id, drawn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def save(self, invoice: Any, **options: Any) -> None:
        if invoice.id == self._invoice_id:
            self._drawn.append(invoice.number)
            raise Boom(invoice.number)
        await self._inner.save(invoice, **options)


def failing_for(uow_factory: Any, invoice_id: str, drawn: list[str | None]) -> Any:
    @contextlib.asynccontextmanager
    async def factory(**options: Any) -> AsyncIterator[Any]:
        async with uow_factory(**options) as uow:
            uow.invoices = _SaveFails(uow.invoices, invoice_id, drawn)
            yield uow
    return factory


@pytest.mark.postgres
async def test_concurrent_finalizations_number_one_to_twenty_and_one_failing_midway_leaves_no_gap(
        postgres_database_url: str):
    """21 drafts finalized at once by the finalize use case; one of them fails after drawing its number (its
    invoice cannot be saved). The 20 others take 1…20, no gap and no duplicate; the failed one is still a
    draft, unnumbered, with no email queued and nothing posted; finalized again, it takes 21."""
    database = Database(postgres_database_url)
    try:
        world = build(storage=database)
        drivers = await setup(world, drivers=21)
        for driver in drivers:
            await priced_session(world, driver, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(3))
        await world.run_period(ORG, BillingPeriod.month("2026-01"))
        async with database.unit_of_work(read_only=True) as uow:
            drafts = (await uow.invoices.list(ORG, InvoiceFilter(), PageRequest(limit=100))).items
        assert len(drafts) == 21
        doomed, others = drafts[10], drafts[:10] + drafts[11:]
        drawn: list[str | None] = []
        failing = finalize_invoice(doomed.id, ACTOR, ORG, uow_factory=failing_for(world.uow, doomed.id, drawn),
                                   clock=world.clock)
        results = await asyncio.gather(failing, *(world.finalize(d.id, ACTOR, ORG) for d in others),
                                       return_exceptions=True)
        assert isinstance(results[0], Boom) and drawn[0] is not None and drawn[0].startswith("INV-")
        numbers = sorted(int(r.invoice.number.removeprefix("INV-")) for r in results[1:])
        assert numbers == list(range(1, 21))
        async with database.unit_of_work(read_only=True) as uow:
            left = await uow.invoices.get(ORG, doomed.id)
            posted = await uow.ledger.find_by_source(ORG, Source(SourceKind.INVOICE, doomed.id))
        async with database.engine.connect() as connection:
            queued = (await connection.execute(text("SELECT count(*) FROM mail_outbox"))).scalar_one()
        assert (left.status.value, left.number, posted) == ("draft", None, None)
        assert queued == 20                                  # one email per finalized invoice, none for it
        assert (await world.finalize(doomed.id, ACTOR, ORG)).invoice.number == "INV-000021"
    finally:
        await database.dispose()
