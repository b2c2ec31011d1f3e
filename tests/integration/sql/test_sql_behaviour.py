"""What only the SQL adapter can get wrong: locking, leasing under concurrency, UTC, decimals, pragmas, laziness."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest
from attrs import evolve
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from adapters.sql.database import Database
from adapters.sql.idempotency import SqlIdempotencyStore
from adapters.sql.migrate import upgrade_database
from adapters.sql.tables import users
from domain.errors import Conflict
from domain.network import ChargePoint
from tests.integration.sql.builders import (
    LATER,
    NOW,
    a_charge_point,
    a_location,
    a_session,
    a_user,
    an_email,
    an_organization,
)

# How long a blocked coroutine is given to (wrongly) get through before we conclude it is waiting.
BLOCKED = 0.3


async def test_ping(database: Database) -> None:
    await database.ping()


def test_making_a_database_does_no_io(tmp_path) -> None:
    path = tmp_path / "missing" / "charge.db"
    Database(f"sqlite:///{path}").unit_of_work()
    Database("postgresql://nobody@127.0.0.1:1/none").unit_of_work()
    assert not path.parent.exists()


def test_a_bad_url_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme 'mysql'"):
        Database("mysql://root@db/charge")


async def test_get_for_update_serialises_units_of_work(database: Database) -> None:
    organization = an_organization()
    async with database.unit_of_work() as uow:
        await uow.organizations.add(organization)
        await uow.commit()

    async def second_writer() -> str:
        async with database.unit_of_work() as uow:
            loaded = await uow.organizations.get_for_update(organization.id)
            assert loaded is not None
            return loaded.name

    async with database.unit_of_work() as first:
        locked = await first.organizations.get_for_update(organization.id)
        assert locked is not None
        waiting = asyncio.create_task(second_writer())
        await asyncio.sleep(BLOCKED)
        assert not waiting.done(), "the second unit of work got the row while the first held it"
        locked.replace_details(name="Renamed", country="DE", contact_email="ops@example.com", now=LATER)
        await first.organizations.save(locked)
        await first.commit()
    assert await asyncio.wait_for(waiting, 10) == "Renamed"  # it read after the first committed


async def test_concurrent_relays_claim_disjoint_emails(database: Database) -> None:
    emails = [an_email() for _ in range(5)]
    async with database.unit_of_work() as uow:
        for email in emails:
            await uow.outbox.add(email)
        await uow.commit()
    lease = NOW + timedelta(minutes=2)

    async def other_relay() -> list[str]:
        async with database.unit_of_work() as uow:
            claimed = await uow.outbox.claim_due(NOW, 10, lease)
            await uow.commit()
        return [e.id for e in claimed]

    async with database.unit_of_work() as first:
        mine = [e.id for e in await first.outbox.claim_due(NOW, 2, lease)]
        other = asyncio.create_task(other_relay())
        # PostgreSQL skips the locked rows at once; SQLite waits for the write lock. Either way
        # the other relay must not get the two emails this one holds.
        await asyncio.sleep(BLOCKED)
        await first.commit()
    theirs = await asyncio.wait_for(other, 10)
    assert len(mine) == 2 and not set(mine) & set(theirs)
    assert sorted(mine + theirs) == sorted(e.id for e in emails)


async def test_instants_come_back_aware_utc(database: Database) -> None:
    user = a_user()
    user.created_at = LATER  # stored from +02:00
    async with database.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.commit()
    async with database.unit_of_work() as uow:
        loaded = await uow.users.get(user.id)
    assert loaded is not None and loaded.created_at == LATER
    assert loaded.created_at.tzinfo is UTC


async def test_naive_instants_are_refused(database: Database) -> None:
    user = a_user()
    user.created_at = datetime(2026, 5, 9, 12, 0)
    async with database.unit_of_work() as uow:
        with pytest.raises(StatementError, match="timezone-aware"):
            await uow.users.add(user)


async def test_time_order_is_kept_in_storage(database: Database) -> None:
    # On SQLite instants are text; the relay's "due by now" comparison relies on text order being time order.
    early, late = a_user(), a_user()
    early.created_at = datetime(2026, 1, 1, 9, 59, 59, 999999, tzinfo=UTC)
    late.created_at = datetime(2026, 1, 1, 10, 0, 0, 0, tzinfo=UTC)
    async with database.unit_of_work() as uow:
        await uow.users.add(early)
        await uow.users.add(late)
        await uow.commit()
    async with database.engine.connect() as connection:
        boundary = datetime(2026, 1, 1, 11, 0, tzinfo=timezone(timedelta(hours=1)))  # 10:00 UTC
        found = (await connection.execute(select(users.c.id).where(users.c.created_at < boundary))).scalars().all()
    assert found == [early.id]


async def test_sqlite_connections_use_wal_and_foreign_keys(sqlite_database_url: str) -> None:
    database = Database(sqlite_database_url)
    try:
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000
    finally:
        await database.dispose()


async def test_an_in_memory_sqlite_database_is_one_shared_database() -> None:
    database = Database("sqlite:///:memory:")
    try:
        await upgrade_database(database)
        user = a_user()

        async def add_slowly() -> None:
            async with database.unit_of_work() as uow:
                await uow.users.add(user)
                await asyncio.sleep(0.05)
                await uow.commit()

        async def roll_back() -> None:
            async with database.unit_of_work() as uow:
                await uow.users.add(a_user())

        # Units of work queue for the single connection instead of sharing (and undoing) one transaction.
        await asyncio.gather(add_slowly(), roll_back())
        async with database.unit_of_work() as uow:
            assert await uow.users.get(user.id) == user
    finally:
        await database.dispose()


async def test_idempotency_records_can_be_purged(database: Database) -> None:
    store = SqlIdempotencyStore(database=database)
    await store.begin("scope", "old", "fp", NOW - timedelta(days=2))
    await store.begin("scope", "new", "fp", NOW)
    assert await store.purge_older_than(NOW - timedelta(days=1)) == 1
    assert await store.begin("scope", "old", "fp", NOW) is None  # forgotten: a fresh request
    with pytest.raises(Conflict, match="in progress"):
        await store.begin("scope", "new", "fp", NOW)


async def test_simultaneous_requests_with_one_key_let_exactly_one_through(database: Database) -> None:
    store = SqlIdempotencyStore(database=database)
    outcomes = await asyncio.gather(*(store.begin("scope", "same", "fp", NOW) for _ in range(4)),
                                    return_exceptions=True)
    assert outcomes.count(None) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if o is not None)


async def _a_charge_point(database: Database) -> ChargePoint:
    organization = an_organization()
    location = a_location(organization)
    charge_point = a_charge_point(location)
    async with database.unit_of_work() as uow:
        await uow.organizations.add(organization)
        await uow.locations.add(location)
        await uow.charge_points.add(charge_point)
        await uow.commit()
    return charge_point


async def test_find_for_update_serialises_transaction_ids(database: Database) -> None:
    charge_point = await _a_charge_point(database)

    async def second_start() -> int:
        async with database.unit_of_work() as uow:
            locked = await uow.charge_points.find_for_update(charge_point.id)
            allocated = locked.allocate_transaction_id()
            await uow.charge_points.save(locked)
            await uow.commit()
            return allocated

    async with database.unit_of_work() as first:
        locked = await first.charge_points.find_for_update(charge_point.id)
        waiting = asyncio.create_task(second_start())
        await asyncio.sleep(BLOCKED)
        assert not waiting.done(), "the second unit of work got the charge point while the first held it"
        mine = locked.allocate_transaction_id()
        await first.charge_points.save(locked)
        await first.commit()
    assert (mine, await asyncio.wait_for(waiting, 10)) == (42, 43)


async def test_a_locked_charge_point_still_takes_sessions(postgres_database_url: str) -> None:
    # FOR NO KEY UPDATE: a heartbeat holding the charge point does not hold up the foreign-key
    # check of a session another message opens on it (SQLite serialises all writers anyway).
    database = Database(postgres_database_url)
    try:
        charge_point = await _a_charge_point(database)

        async def open_session() -> None:
            async with database.unit_of_work() as uow:
                await uow.sessions.add(a_session(charge_point))
                await uow.commit()

        async with database.unit_of_work() as heartbeat:
            await heartbeat.charge_points.find_for_update(charge_point.id)
            await asyncio.wait_for(open_session(), BLOCKED * 10)
            await heartbeat.commit()
    finally:
        await database.dispose()


async def test_decimals_refuse_floats(database: Database) -> None:
    organization = an_organization()
    location = evolve(a_location(organization), latitude=51.45, longitude=-2.59)
    async with database.unit_of_work() as uow:
        await uow.organizations.add(organization)
        with pytest.raises(StatementError, match="finite Decimal"):
            await uow.locations.add(location)


async def test_a_heartbeat_writes_the_charge_points_row_alone(database: Database) -> None:
    charge_point = await _a_charge_point(database)
    statements: list[str] = []

    def seen(_connection, _cursor, statement: str, *_args) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with database.unit_of_work() as uow:
            locked = await uow.charge_points.find_for_update(charge_point.id)
            locked.heartbeat(LATER)
            await uow.charge_points.save(locked)
            locked.status_changed(evse_id=1, connector_id=1, status="Occupied", error_code=None, timestamp=LATER)
            await uow.charge_points.save(locked)
            await uow.commit()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    # Read, heartbeat (one UPDATE), status report (one UPDATE and one upsert of the connector that changed).
    assert [s for s in statements if s in ("SELECT", "UPDATE", "INSERT", "DELETE")] == [
        "SELECT", "UPDATE", "UPDATE", "INSERT"]


async def test_statement_parameters_never_reach_a_log_or_an_error_message(database: Database, caplog) -> None:
    secret = "argon2id$SECRET-PARAMETER-7f3a"
    user = evolve(a_user(), password_hash=secret)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        async with database.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.commit()
        with pytest.raises(IntegrityError) as failed:
            async with database.engine.begin() as connection:
                await connection.execute(insert(users).values(id=user.id, email="twin@example.com", name="Twin",
                                                              password_hash=secret, created_at=NOW))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO users" in caplog.text         # statements are logged at this level, their values not
    assert secret not in caplog.text
    assert secret not in str(failed.value) and "hidden" in str(failed.value)


async def test_a_read_only_unit_of_work_reads_beside_a_writer_and_cannot_write(database: Database) -> None:
    organization = an_organization()
    async with database.unit_of_work() as uow:
        await uow.organizations.add(organization)
        await uow.commit()

    async def reader() -> str | None:
        async with database.unit_of_work(read_only=True) as uow:
            found = await uow.organizations.get(organization.id)
            return found.name if found else None

    async with database.unit_of_work() as writer:   # holds the write lock (SQLite) and the row (PostgreSQL)
        locked = await writer.organizations.get_for_update(organization.id)
        assert locked is not None
        locked.replace_details(name="Renamed", country="DE", contact_email="ops@example.com", now=LATER)
        await writer.organizations.save(locked)
        # Not blocked by the writer: it reads the last committed state.
        assert await asyncio.wait_for(reader(), BLOCKED * 10) == organization.name
        await writer.commit()
    assert await reader() == "Renamed"
    user = a_user()
    with pytest.raises(Exception, match=r"(?i)read.only|readonly"):
        async with database.unit_of_work(read_only=True) as uow:
            await uow.users.add(user)
            await uow.commit()
    async with database.unit_of_work(read_only=True) as uow:
        assert await uow.users.get(user.id) is None
