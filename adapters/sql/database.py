"""The database handle the composition root holds: an async engine, made on first use, and its units of work.

Constructing a ``Database`` does no I/O, so building the container (or importing this module)
never touches the disk or the network.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from adapters.sql.unit_of_work import READ_ONLY, SqlUnitOfWork
from adapters.sql.url import is_memory_sqlite, is_sqlite, to_sqlalchemy_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self._sqlalchemy_url = to_sqlalchemy_url(url)  # a bad URL fails here, clearly, not at first request
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = _create_engine(self.url, self._sqlalchemy_url)
        return self._engine

    def unit_of_work(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only)

    async def ping(self) -> None:
        """Raises unless the database answers (for readiness probes)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection; the engine is made again if the database is used afterwards."""
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()


def _create_engine(url: str, sqlalchemy_url: str) -> AsyncEngine:
    # hide_parameters: statement parameters carry secrets (token hashes, password hashes, mail bodies);
    # they never reach a log line or an exception message, whatever the log level.
    if not is_sqlite(url):
        # pre_ping survives a PostgreSQL restart or a proxy closing idle connections; recycle keeps
        # connections younger than typical idle timeouts of load balancers.
        return create_async_engine(sqlalchemy_url, pool_size=10, max_overflow=10, pool_timeout=30,
                                   pool_pre_ping=True, pool_recycle=1800, hide_parameters=True)
    options: dict[str, Any] = {"hide_parameters": True}
    if is_memory_sqlite(url):
        # One connection is the whole database; units of work queue for it instead of sharing
        # its single transaction (the default StaticPool would interleave them).
        options |= {"poolclass": AsyncAdaptedQueuePool, "pool_size": 1, "max_overflow": 0}
    else:
        options |= {"pool_size": 5, "max_overflow": 5}
    engine = create_async_engine(sqlalchemy_url, **options)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


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
