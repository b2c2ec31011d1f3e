"""Fleets: fleets with their charging policy, vehicles, vehicle assignments, the authorization log; drivers'
own policy and current vehicle; sessions' fleet, vehicle, energy cap and stop request; a fleet's own
customer; connectors' types.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10

Sessions of drivers in a fleet before this revision get that fleet (the session list filtered by fleet
used to go through the driver; it now reads the fleet a session recorded when it started).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
ENUM = 16
NAME = 200
CHARGE_POINT_ID = 48
CONNECTOR_TYPE = 32


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def _decimal(name: str, nullable: bool = False) -> sa.Column[Any]:
    # ExactDecimal: NUMERIC on PostgreSQL, the decimal's text on SQLite.
    return sa.Column(name, sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=nullable)


_CURRENT = "ended_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "fleets",
        _id("id"), _id("organization_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        _id("customer_id", nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        _instant("created_at"), _instant("updated_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_fleets"),
        sa.UniqueConstraint("organization_id", "id", name="uq_fleets_organization_id_id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_fleets_organization_id_organizations"),
    )
    op.create_table(
        "vehicles",
        _id("id"), _id("organization_id"), _id("fleet_id"),
        sa.Column("vin", sa.String(17), nullable=False),
        sa.Column("make", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        _decimal("battery_kwh"),
        sa.Column("connector_types", sa.JSON(), nullable=False),
        sa.Column("licence_plate", sa.String(20), nullable=True),
        _instant("created_at"), _instant("updated_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vehicles"),
        sa.UniqueConstraint("organization_id", "id", name="uq_vehicles_organization_id_id"),
        sa.UniqueConstraint("organization_id", "vin", name="uq_vehicles_organization_id_vin"),
        sa.ForeignKeyConstraint(["organization_id", "fleet_id"], ["fleets.organization_id", "fleets.id"],
                                name="fk_vehicles_organization_id_fleets"),
    )
    op.create_index("ix_vehicles_organization_id_fleet_id_id", "vehicles", ["organization_id", "fleet_id", "id"])
    op.create_table(
        "vehicle_assignments",
        _id("id"), _id("organization_id"), _id("driver_id"), _id("vehicle_id"),
        _instant("assigned_at"), _instant("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vehicle_assignments"),
        sa.UniqueConstraint("organization_id", "id", name="uq_vehicle_assignments_organization_id_id"),
        sa.ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"],
                                name="fk_vehicle_assignments_organization_id_drivers"),
    )
    op.create_index("ix_vehicle_assignments_organization_id_driver_id_id", "vehicle_assignments",
                    ["organization_id", "driver_id", "id"])
    for name, column in (("uq_vehicle_assignments_current_driver", "driver_id"),
                         ("uq_vehicle_assignments_current_vehicle", "vehicle_id")):
        op.create_index(name, "vehicle_assignments", ["organization_id", column], unique=True,
                        sqlite_where=sa.text(_CURRENT), postgresql_where=sa.text(_CURRENT))
    op.create_table(
        "authorization_log",
        _id("id"), _id("organization_id"), _instant("at"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("id_tag", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("result", sa.String(ENUM), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        _id("driver_id", nullable=True), _id("fleet_id", nullable=True), _id("vehicle_id", nullable=True),
        _id("location_id", nullable=True),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_authorization_log"),
        sa.UniqueConstraint("organization_id", "id", name="uq_authorization_log_organization_id_id"),
    )
    for columns in (["organization_id", "driver_id", "id"], ["organization_id", "fleet_id", "id"],
                    ["organization_id", "result", "id"]):
        op.create_index("ix_authorization_log_" + "_".join(columns), "authorization_log", columns)

    op.add_column("drivers", sa.Column("policy", sa.JSON(), nullable=True))
    op.add_column("drivers", _id("vehicle_id", nullable=True))
    op.add_column("connectors", sa.Column("type", sa.String(CONNECTOR_TYPE), nullable=True))
    op.add_column("customers", _id("fleet_id", nullable=True))
    op.create_index("uq_customers_organization_id_fleet_id", "customers", ["organization_id", "fleet_id"], unique=True)
    session_columns: list[sa.Column[Any]] = [
        _id("fleet_id", nullable=True), _id("vehicle_id", nullable=True), _decimal("energy_cap_wh", nullable=True),
        sa.Column("energy_cap_reason", sa.String(32), nullable=True), _instant("stop_requested_at", nullable=True),
        sa.Column("stop_requested_reason", sa.String(32), nullable=True),
        sa.Column("stop_request_answer", sa.String(32), nullable=True)]
    for added in session_columns:
        op.add_column("sessions", added)
    op.execute("UPDATE sessions SET fleet_id = (SELECT drivers.fleet_id FROM drivers "
               "WHERE drivers.organization_id = sessions.organization_id AND drivers.id = sessions.driver_id) "
               "WHERE driver_id IS NOT NULL")
    op.create_index("ix_sessions_organization_id_fleet_id_id", "sessions", ["organization_id", "fleet_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_organization_id_fleet_id_id", "sessions")
    for name in ("stop_request_answer", "stop_requested_reason", "stop_requested_at", "energy_cap_reason",
                 "energy_cap_wh", "vehicle_id", "fleet_id"):
        op.drop_column("sessions", name)
    op.drop_index("uq_customers_organization_id_fleet_id", "customers")
    op.drop_column("customers", "fleet_id")
    op.drop_column("connectors", "type")
    op.drop_column("drivers", "vehicle_id")
    op.drop_column("drivers", "policy")
    op.drop_table("authorization_log")
    op.drop_table("vehicle_assignments")
    op.drop_table("vehicles")
    op.drop_table("fleets")
