"""Schema migrations for the running application: Alembic driven from code, no alembic.ini needed.

Alembic is the only way the schema changes; ``charge migrate`` calls ``upgrade``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from adapters.sql.database import Database
from adapters.sql.url import sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Several nodes may run ``charge migrate`` as they start; on PostgreSQL one migrates, the others wait.
_MIGRATION_LOCK = 0x63686172_6765  # "charge"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


async def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the head revision (a no-op when it is there already)."""
    ensure_sqlite_directory(url)
    database = Database(url)
    try:
        await upgrade_database(database)
    finally:
        await database.dispose()


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its directory (``sqlite:///./data/charge.db`` on a fresh checkout)."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


async def upgrade_database(database: Database) -> None:
    """As ``upgrade``, on an existing handle: the only way to migrate a ``sqlite:///:memory:`` database."""
    async with database.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Released at commit; the whole upgrade is one transaction (PostgreSQL DDL is transactional).
            await connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
        await connection.run_sync(_upgrade_on)
        await connection.commit()


def _upgrade_on(connection: Connection) -> None:
    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` ("base" for nothing): for rolling a release back."""
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            await connection.run_sync(lambda sync: _downgrade_on(sync, revision))
            await connection.commit()
    finally:
        await database.dispose()


def _downgrade_on(connection: Connection, revision: str) -> None:
    config = _config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def current_revision(url: str) -> str | None:
    """The revision the database is at; None for an empty database (or a SQLite file not made yet)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None  # connecting would create the file; asking must not change anything
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await database.dispose()


async def is_up_to_date(url: str) -> bool:
    return await current_revision(url) == head_revision()
