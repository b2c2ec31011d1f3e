"""The database handle the composition root holds: async engines, made on first use, and their units of work.

Constructing a ``Database`` does no I/O, so building the container (or importing this module)
never touches the disk or the network.

Two pools: ``engine`` for units of work that may write (a transaction each), ``reader`` for
read-only ones. A reader runs each statement on its own (autocommit: no BEGIN, no ROLLBACK, one
round trip per read) on connections that cannot write (PostgreSQL's default_transaction_read_only,
SQLite's query_only). On PostgreSQL at READ COMMITTED, the default, every statement sees its own
snapshot inside a transaction too, so reads lose nothing by it; on SQLite the reads of one unit of
work may now see a writer's commit between them, as they would on PostgreSQL. An in-memory SQLite
database is one connection, so there reads share the writers' pool (in a deferred transaction).

No pre-ping (it cost a round trip per checkout): connections are recycled after half an hour, a
connection found dead invalidates the pool, and the request that found it is retried once
(``dropped_connection`` tells which errors those are).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from adapters.sql.unit_of_work import READ_ONLY, CommitOutcomeUnknown, SqlUnitOfWork
from adapters.sql.url import is_memory_sqlite, is_sqlite, to_sqlalchemy_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self._sqlalchemy_url = to_sqlalchemy_url(url)  # a bad URL fails here, clearly, not at first request
        self._engine: AsyncEngine | None = None
        self._reader: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = _create_engine(self.url, self._sqlalchemy_url)
        return self._engine

    @property
    def reader(self) -> AsyncEngine:
        """The pool of read-only units of work (the writers' own for an in-memory SQLite database)."""
        if is_memory_sqlite(self.url):
            return self.engine
        if self._reader is None:
            self._reader = _create_reader(self.url, self._sqlalchemy_url)
        return self._reader

    def unit_of_work(self, *, read_only: bool = False) -> SqlUnitOfWork:
        if read_only:
            return SqlUnitOfWork(self.reader, read_only=True)
        return SqlUnitOfWork(self.engine)

    async def ping(self) -> None:
        """Raises unless the database answers (for readiness probes); on a reader, so never behind a writer."""
        async with self.reader.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection; the engine is made again if the database is used afterwards."""
        engine, self._engine = self._engine, None
        reader, self._reader = self._reader, None
        for pool in (engine, reader):
            if pool is not None:
                await pool.dispose()


def dropped_connection(error: BaseException) -> bool:
    """Whether ``error`` is a connection found dead before anything was committed on it: the pool has
    dropped it (and every connection older than it), so running the unit of work again is safe."""
    while error is not None:
        if isinstance(error, CommitOutcomeUnknown):
            return False   # it may have committed: running it again could do it twice
        if isinstance(error, DBAPIError):
            return bool(error.connection_invalidated)
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return False


def _create_engine(url: str, sqlalchemy_url: str) -> AsyncEngine:
    # hide_parameters: statement parameters carry secrets (token hashes, password hashes, mail bodies);
    # they never reach a log line or an exception message, whatever the log level.
    if not is_sqlite(url):
        # recycle keeps connections younger than typical idle timeouts of load balancers; a dead one is
        # found by the statement that uses it (see dropped_connection), not by a ping before every use.
        # A fixed set, no overflow (see _create_reader): under a burst of writers (thousands of charge
        # points booting at once) they queue for a connection instead of opening and closing them.
        return create_async_engine(sqlalchemy_url, pool_size=20, max_overflow=0, pool_timeout=60,
                                   pool_recycle=1800, hide_parameters=True)
    options: dict[str, Any] = {"hide_parameters": True}
    if is_memory_sqlite(url):
        # One connection is the whole database; units of work queue for it instead of sharing
        # its single transaction (the default StaticPool would interleave them).
        options |= {"poolclass": AsyncAdaptedQueuePool, "pool_size": 1, "max_overflow": 0}
    else:
        # SQLite writes one transaction at a time whatever the pool: with one connection, writers queue
        # in order for it, instead of polling the file lock for up to the busy timeout (which under a
        # burst of writers, such as thousands of charge points booting at once, times some out).
        options |= {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
    engine = create_async_engine(sqlalchemy_url, **options)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _create_reader(url: str, sqlalchemy_url: str) -> AsyncEngine:
    if not is_sqlite(url):
        # Readers are most requests: a fixed set kept open, no overflow. Overflow connections are closed as
        # they come back, so a busy node would connect and disconnect at every burst (a new PostgreSQL
        # connection costs more CPU than many queries); a reader waits for a free one instead.
        return create_async_engine(sqlalchemy_url, pool_size=20, max_overflow=0, pool_timeout=60,
                                   pool_recycle=1800, hide_parameters=True, isolation_level="AUTOCOMMIT",
                                   connect_args={"server_settings": {"default_transaction_read_only": "on"}})
    engine = create_async_engine(sqlalchemy_url, hide_parameters=True, isolation_level="AUTOCOMMIT",
                                 pool_size=8, max_overflow=0, pool_timeout=60)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_reader)
    return engine


def _configure_sqlite_reader(dbapi_connection: Any, record: Any) -> None:
    _configure_sqlite_connection(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA query_only=ON")   # a write through a reader fails instead of committing
    finally:
        cursor.close()


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module (which skips BEGIN before SELECTs),
    # so that _begin_immediate decides when and how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers proceed while one writer writes; foreign keys are off by default in SQLite;
        # the busy timeout makes a second writer wait for the lock instead of failing at once.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # A deferred transaction that reads, then writes, fails with SQLITE_BUSY if another writer
    # committed in between; taking the write lock up front makes every unit of work serialisable
    # (and get_for_update truly exclusive) at the cost of serialising writers, which SQLite does anyway.
    # A read-only unit of work needs no lock: in WAL mode it reads a snapshot beside the one writer.
    connection.exec_driver_sql("BEGIN" if connection.info.get(READ_ONLY) else "BEGIN IMMEDIATE")
