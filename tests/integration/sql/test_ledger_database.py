"""What the database itself guarantees about billing: a ledger transaction that does not balance is refused at
commit, the ledger is append-only, a source posts once; and on PostgreSQL, 20 concurrent finalizations take
numbers 1…20, and a finalization that fails midway gives its number back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from adapters.sql.database import Database
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


@pytest.mark.postgres
async def test_twenty_concurrent_finalizations_take_numbers_one_to_twenty(postgres_database_url: str):
    database = Database(postgres_database_url)
    try:
        world = build(storage=database)
        drivers = await setup(world, drivers=20)
        for driver in drivers:
            await priced_session(world, driver, datetime(2026, 1, 5, 8, tzinfo=UTC), Decimal(3))
        await world.run_period(ORG, BillingPeriod.month("2026-01"))
        async with database.unit_of_work(read_only=True) as uow:
            drafts = (await uow.invoices.list(ORG, InvoiceFilter(), PageRequest(limit=100))).items
        assert len(drafts) == 20
        # One finalization fails midway (after its number was drawn, before the commit): nothing of it stays.
        failing = Database(postgres_database_url)

        class Boom(Exception):
            pass

        async def fail_midway() -> None:
            async with failing.unit_of_work() as uow:
                assert await uow.counters.next(ORG, "invoice") == 1
                raise Boom()

        with pytest.raises(Boom):
            await fail_midway()
        await failing.dispose()
        finalized = await asyncio.gather(*(world.finalize(d.id, ACTOR, ORG) for d in drafts))
        numbers = sorted(int(f.invoice.number.removeprefix("INV-")) for f in finalized)
        assert numbers == list(range(1, 21))
    finally:
        await database.dispose()
