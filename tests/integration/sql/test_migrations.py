"""Migrations: an empty database reaches head, again is a no-op, and the result is exactly tables.metadata."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.engine import Connection

from adapters.sql import migrate
from adapters.sql.database import Database
from adapters.sql.migrate import MIGRATIONS, current_revision, downgrade, head_revision, is_up_to_date, upgrade
from adapters.sql.tables import metadata
from adapters.sql.url import sqlite_path


async def _diff(url: str, target: MetaData) -> list:
    def compare(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True})
        return compare_metadata(context, target)

    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await database.dispose()


async def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await database.dispose()


async def _columns(url: str, table: str) -> set[str]:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return {c["name"] for c in await connection.run_sync(lambda c: inspect(c).get_columns(table))}
    finally:
        await database.dispose()


def test_the_migrations_ship_inside_the_package() -> None:
    assert Path(migrate.__file__).parent / "migrations" == MIGRATIONS
    assert (MIGRATIONS / "env.py").is_file() and (MIGRATIONS / "script.py.mako").is_file()
    assert head_revision() == "0011"


async def test_upgrade_an_empty_database_to_head(empty_database_url: str) -> None:
    assert await current_revision(empty_database_url) is None
    assert not await is_up_to_date(empty_database_url)
    path = sqlite_path(empty_database_url)
    assert path is None or not path.exists()  # asking must not create the SQLite file

    await upgrade(empty_database_url)

    assert await current_revision(empty_database_url) == head_revision()
    assert await is_up_to_date(empty_database_url)
    assert await _tables(empty_database_url) == {t.name for t in metadata.sorted_tables} | {"alembic_version"}


async def test_upgrading_twice_is_a_no_op(empty_database_url: str) -> None:
    await upgrade(empty_database_url)
    await upgrade(empty_database_url)
    assert await current_revision(empty_database_url) == head_revision()
    assert await _diff(empty_database_url, metadata) == []


async def test_the_migrated_schema_is_exactly_the_tables_module(empty_database_url: str) -> None:
    await upgrade(empty_database_url)
    assert await _diff(empty_database_url, metadata) == []


NETWORK_TABLES = {"locations", "charge_points", "connectors", "drivers", "driver_id_tags", "sessions", "meter_samples",
                  "reservations"}
PRICING_SESSION_COLUMNS = {"tariff_id", "tariff_version", "plan_id", "cost_currency", "cost_total_excl_vat",
                           "cost_vat", "cost_total", "cost_breakdown"}
IDENTITY_TABLES = {"users", "organizations", "members", "invitations", "api_keys", "access_tokens", "mail_outbox",
                   "idempotency_keys"}


async def test_downgrade_step_by_step_and_up_again(empty_database_url: str) -> None:
    await upgrade(empty_database_url)
    await downgrade(empty_database_url, "0002")
    assert await current_revision(empty_database_url) == "0002"
    assert await _tables(empty_database_url) == (IDENTITY_TABLES | NETWORK_TABLES | {"alembic_version"})
    assert not await _columns(empty_database_url, "sessions") & PRICING_SESSION_COLUMNS
    assert "tariff_id" not in await _columns(empty_database_url, "charge_points")
    assert "tariff_id" not in await _columns(empty_database_url, "locations")
    await downgrade(empty_database_url, "0001")
    assert await current_revision(empty_database_url) == "0001"
    assert await _tables(empty_database_url) == IDENTITY_TABLES | {"alembic_version"}
    await downgrade(empty_database_url, "base")
    assert await current_revision(empty_database_url) is None
    assert await _tables(empty_database_url) == {"alembic_version"}
    await upgrade(empty_database_url)
    assert await current_revision(empty_database_url) == head_revision()
    assert await _diff(empty_database_url, metadata) == []


async def test_the_comparison_would_see_a_difference(empty_database_url: str) -> None:
    # Guards the test above against passing vacuously (a comparison that sees nothing).
    await upgrade(empty_database_url)
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    Table("not_migrated", changed, Column("id", Integer, primary_key=True))
    diffs = await _diff(empty_database_url, changed)
    assert [d[0] for d in diffs] == ["add_table"]


def test_tenant_tables_are_indexed_by_organization() -> None:
    for table in metadata.sorted_tables:
        if "organization_id" not in table.c:
            continue
        leading = [next(iter(i.columns)).name for i in table.indexes]
        leading += [next(iter(c.columns)).name for c in table.constraints if hasattr(c, "columns") and c.columns]
        assert "organization_id" in leading, f"{table.name} has no index led by organization_id"
