"""Test databases: every test gets an empty, migrated SQLite or PostgreSQL database, cheaply.

* SQLite: migrated once per session into a template file; each test gets a copy (~0.1 ms).
* PostgreSQL: one database per session, ``charge_test_<random>``, migrated once and dropped at
  the end; each test starts by deleting every row (~12 ms, against ~50 ms for a
  ``CREATE DATABASE … TEMPLATE`` per test). Tests that need a database with no schema at all
  (the migration tests) ask for ``empty_database_url``, which creates and drops a real one.

The server is named by ``CHARGE_TEST_POSTGRES_URL``; when unset, a local server at
``DEFAULT_POSTGRES_URL`` is used if it answers, else the postgres tests are skipped with the reason
(CI sets the variable, so there a missing server fails instead of skipping).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from adapters.memory import InMemoryIdempotencyStore, InMemoryMeterSink, InMemoryStore
from adapters.sql.database import Database
from adapters.sql.idempotency import SqlIdempotencyStore
from adapters.sql.meter_sink import SqlMeterSink
from adapters.sql.migrate import upgrade
from adapters.sql.tables import metadata
from application.ports import IdempotencyStore, UnitOfWorkFactory
from application.ports.meter_sink import MeterSink

POSTGRES_ENV = "CHARGE_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT = 3
T = TypeVar("T")

SQL_BACKENDS = [pytest.param("sqlite", id="sqlite"),
                pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
ALL_BACKENDS = [pytest.param("memory", id="memory"), *SQL_BACKENDS]


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, in a thread with its own event loop.

    Session fixtures are sync; a thread keeps their loop apart from the one pytest-asyncio
    gives the test (asyncio.run on the main thread would also reset its current loop).
    """
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(make()))  # type: ignore[arg-type]
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="test-database-setup")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


class PostgresServer:
    """A PostgreSQL server on which the tests may create and drop their own databases."""

    def __init__(self, url: str) -> None:
        self.url = url

    def url_for(self, database: str) -> str:
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    @property
    def admin_url(self) -> str:
        return self.url_for("postgres")

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self.admin_url, timeout=CONNECT_TIMEOUT)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create_database(self) -> str:
        name = f"charge_test_{secrets.token_hex(6)}"
        await self._admin(f'CREATE DATABASE "{name}"')
        return name

    async def drop_database(self, name: str) -> None:
        # FORCE: a test that failed half-way may have left a connection behind.
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _resolve_postgres() -> tuple[PostgresServer | None, str]:
    url = os.environ.get(POSTGRES_ENV)
    explicit = bool(url)
    server = PostgresServer(url or DEFAULT_POSTGRES_URL)
    try:
        run_async(lambda: server._admin("SELECT 1"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        reason = f"no PostgreSQL server answers at {make_url(server.url)!r} ({type(exc).__name__}: {exc})"
        if explicit:
            raise RuntimeError(f"{POSTGRES_ENV} is set but {reason}") from exc
        return None, f"{reason}; set {POSTGRES_ENV} to run the postgres tests"
    return server, ""


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    server, reason = _resolve_postgres()
    if server is None:
        pytest.skip(reason)
    return server


@pytest.fixture(scope="session")
def _postgres_session_database(postgres_server: PostgresServer) -> Iterator[str]:
    name = run_async(postgres_server.create_database)
    url = postgres_server.url_for(name)
    try:
        run_async(lambda: upgrade(url))
        yield url
    finally:
        run_async(lambda: postgres_server.drop_database(name))


# Children before parents, so foreign keys never object; the schema's version table is kept.
# Append-only tables (the ledger) refuse DELETE by trigger; TRUNCATE fires no row trigger.
_DELETE_ALL = ";".join(f'TRUNCATE "{t.name}" CASCADE' if t.info.get("immutable") else f'DELETE FROM "{t.name}"'
                       for t in reversed(metadata.sorted_tables))


async def _empty_tables(url: str) -> None:
    connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    try:
        # A transaction some test leaked would make DELETE wait forever; fail loudly instead.
        await connection.execute("SET lock_timeout = '5s'")
        await connection.execute(_DELETE_ALL)
    finally:
        await connection.close()


@pytest.fixture
def postgres_database_url(_postgres_session_database: str) -> str:
    run_async(lambda: _empty_tables(_postgres_session_database))
    return _postgres_session_database


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "charge.db"
    run_async(lambda: upgrade(f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_database_url(tmp_path: Path, _sqlite_template: Path) -> str:
    # upgrade() disposed its engine, which checkpoints the WAL: the template file is complete.
    path = tmp_path / "charge.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty, migrated database: a SQLite file or a PostgreSQL database."""
    return request.getfixturevalue(f"{request.param}_database_url")


@pytest.fixture
def postgres_empty_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A PostgreSQL database of its own with no schema at all, dropped after the test."""
    name = run_async(postgres_server.create_database)
    try:
        yield postgres_server.url_for(name)
    finally:
        run_async(lambda: postgres_server.drop_database(name))


@pytest.fixture
def sqlite_empty_url(tmp_path: Path) -> str:
    """A SQLite URL whose file, and the directory it would be in, do not exist yet."""
    return f"sqlite:///{tmp_path / 'not-yet' / 'charge.db'}"


@pytest.fixture(params=SQL_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """A database with no schema at all (for the migration tests)."""
    return request.getfixturevalue(f"{request.param}_empty_url")


@pytest.fixture(params=ALL_BACKENDS)
def storage_url(request: pytest.FixtureRequest) -> str | None:
    """None for the in-memory fakes, else an empty migrated database's URL."""
    if request.param == "memory":
        return None
    return request.getfixturevalue(f"{request.param}_database_url")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def storage(storage_url: str | None) -> AsyncIterator[InMemoryStore | Database]:
    """The in-memory store, or a database handle: what units of work and the meter sink share."""
    if storage_url is None:
        yield InMemoryStore()
        return
    db = Database(storage_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def uow_factory(storage: InMemoryStore | Database) -> UnitOfWorkFactory:
    """A unit-of-work factory over the in-memory fakes, SQLite or PostgreSQL (the contract's three)."""
    return storage.unit_of_work


@pytest.fixture
async def meter_sink(storage: InMemoryStore | Database) -> AsyncIterator[MeterSink]:
    """The meter sink writing to ``storage``: the in-memory one, or group commit to SQL (closed after the test)."""
    if isinstance(storage, InMemoryStore):
        yield InMemoryMeterSink(storage)
        return
    sink = SqlMeterSink(database=storage)
    try:
        yield sink
    finally:
        await sink.close()


@pytest.fixture
async def idempotency_store(storage_url: str | None) -> AsyncIterator[IdempotencyStore]:
    if storage_url is None:
        yield InMemoryIdempotencyStore()
        return
    db = Database(storage_url)
    try:
        yield SqlIdempotencyStore(database=db)
    finally:
        await db.dispose()
