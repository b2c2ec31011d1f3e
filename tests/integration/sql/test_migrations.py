"""Migrations: an empty database reaches head, again is a no-op, and the result is exactly tables.metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, MetaData, Table, inspect, select
from sqlalchemy.engine import Connection

from adapters.sql import migrate
from adapters.sql.database import Database
from adapters.sql.migrate import MIGRATIONS, current_revision, downgrade, head_revision, is_up_to_date, upgrade
from adapters.sql.tables import (
    charge_points,
    locations,
    metadata,
    organizations,
    report_fleet_months,
    session_facts,
    sessions,
)
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
    assert head_revision() == "0014"


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


def _row(table: Table, **given: Any) -> dict[str, Any]:
    """``given``, and a value of its type for every other column a row needs (not null, no default)."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        python = getattr(column.type, "impl", column.type)
        value: Any = ("x" if not isinstance(python, (Integer, Boolean, Date, DateTime, JSON))
                      else 0 if isinstance(python, Integer) and not isinstance(python, Boolean) else False
                      if isinstance(python, Boolean) else [] if isinstance(python, JSON)
                      else datetime(2026, 5, 1, tzinfo=UTC) if isinstance(python, DateTime) else date(2026, 5, 1))
        if column.type.__class__.__name__ == "ExactDecimal":
            value = Decimal(0)
        row[column.name] = value
    return row


async def test_0013_fills_existing_facts_with_their_sessions_fleet_and_vehicle_and_rolls_them_up(
        empty_database_url: str) -> None:
    await upgrade(empty_database_url)
    await downgrade(empty_database_url, "0012")
    assert "fleet_id" not in await _columns(empty_database_url, "session_facts")
    before = [c for c in session_facts.columns if c.name not in ("fleet_id", "vehicle_id")]
    facts_0012 = Table("session_facts", MetaData(), *(Column(c.name, c.type, nullable=c.nullable) for c in before))
    database = Database(empty_database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(organizations.insert().values(_row(organizations, id="org_1", timezone="UTC")))
            await connection.execute(locations.insert().values(_row(locations, id="loc_1", organization_id="org_1")))
            await connection.execute(charge_points.insert().values(_row(
                charge_points, id="CP1", organization_id="org_1", location_id="loc_1")))
            for session_id, fleet, vehicle in (("ses_a", "flt_1", "veh_1"), ("ses_b", None, None)):
                await connection.execute(sessions.insert().values(_row(
                    sessions, id=session_id, organization_id="org_1", charge_point_id="CP1",
                    transaction_id=session_id, fleet_id=fleet, vehicle_id=vehicle, seen_seq_nos=[])))
                await connection.execute(facts_0012.insert().values(_row(
                    facts_0012, organization_id="org_1", session_id=session_id, location_id="loc_1",
                    charge_point_id="CP1", timezone="UTC")))
    finally:
        await database.dispose()
    await upgrade(empty_database_url)
    database = Database(empty_database_url)
    try:
        async with database.engine.connect() as connection:
            f = session_facts.c
            found = (await connection.execute(select(f.session_id, f.fleet_id, f.vehicle_id)
                                              .order_by(f.session_id))).all()
            r = report_fleet_months.c
            rolled = (await connection.execute(select(r.local_month, r.fleet_id, r.vehicle_id, r.currency, r.sessions)
                                               .order_by(r.fleet_id))).all()
    finally:
        await database.dispose()
    assert [tuple(r) for r in found] == [("ses_a", "flt_1", "veh_1"), ("ses_b", None, None)]
    may = date(2026, 5, 1)
    assert [tuple(r) for r in rolled] == [(may, "", "", "", 1), (may, "flt_1", "veh_1", "", 1)]
