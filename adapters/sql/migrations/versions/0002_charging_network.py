"""The charging network: locations, charge points and their connectors, drivers and their id tags,
charging sessions, their meter samples, and reservations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
EMAIL = 254
NAME = 200
ENUM = 16
CHARGE_POINT_ID = 48
ID_TAG = 36
WIRE_ID = 64


def _instant(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _decimal(name: str, nullable: bool = True) -> sa.Column:
    # ExactDecimal as it was at this revision: NUMERIC, but text on SQLite (which has no decimal type).
    return sa.Column(name, sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def _tenant_fk(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["organization_id", column], [f"{parent}.organization_id", f"{parent}.id"],
                                   name=f"fk_{table}_organization_id_{parent}")


def upgrade() -> None:
    op.create_table(
        "locations",
        _id("id"),
        _id("organization_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("city", sa.String(NAME), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        _decimal("latitude"),
        _decimal("longitude"),
        _id("site_owner_id", nullable=True),
        _id("project_id", nullable=True),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_locations"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_locations_organization_id_organizations"),
        sa.UniqueConstraint("organization_id", "id", name="uq_locations_organization_id_id"),
    )
    op.create_table(
        "charge_points",
        sa.Column("id", sa.String(CHARGE_POINT_ID), nullable=False),
        _id("organization_id"),
        _id("location_id"),
        _instant("created_at"),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("vendor", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("serial_number", sa.Text(), nullable=True),
        sa.Column("firmware_version", sa.Text(), nullable=True),
        sa.Column("ocpp_version", sa.String(ENUM), nullable=True),
        sa.Column("registration_status", sa.String(ENUM), nullable=False),
        sa.Column("validation_mode", sa.String(ENUM), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        _instant("last_heartbeat_at", nullable=True),
        _instant("last_boot_at", nullable=True),
        sa.Column("next_transaction_id", sa.Integer(), nullable=False),
        sa.Column("next_reservation_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_charge_points"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_charge_points_organization_id_organizations"),
        _tenant_fk("charge_points", "location_id", "locations"),
        sa.UniqueConstraint("organization_id", "id", name="uq_charge_points_organization_id_id"),
    )
    op.create_index("ix_charge_points_organization_id_location_id_id", "charge_points",
                    ["organization_id", "location_id", "id"])
    op.create_table(
        "connectors",
        _id("organization_id"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("error_code", sa.Text(), nullable=True),
        _instant("updated_at", nullable=True),
        sa.PrimaryKeyConstraint("organization_id", "charge_point_id", "evse_id", "connector_id",
                                name="pk_connectors"),
        _tenant_fk("connectors", "charge_point_id", "charge_points"),
    )
    op.create_table(
        "drivers",
        _id("id"),
        _id("organization_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("email", sa.String(EMAIL), nullable=True),
        _id("fleet_id", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_drivers"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_drivers_organization_id_organizations"),
        sa.UniqueConstraint("organization_id", "id", name="uq_drivers_organization_id_id"),
    )
    op.create_index("ix_drivers_organization_id_fleet_id", "drivers", ["organization_id", "fleet_id"])
    op.create_table(
        "driver_id_tags",
        _id("organization_id"),
        sa.Column("id_tag", sa.String(ID_TAG), nullable=False),
        _id("driver_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "id_tag", name="pk_driver_id_tags"),
        _tenant_fk("driver_id_tags", "driver_id", "drivers"),
    )
    op.create_index("ix_driver_id_tags_organization_id_driver_id", "driver_id_tags",
                    ["organization_id", "driver_id"])
    op.create_table(
        "sessions",
        _id("id"),
        _id("organization_id"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("transaction_id", sa.String(WIRE_ID), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("id_tag", sa.String(WIRE_ID), nullable=True),
        _id("driver_id", nullable=True),
        _instant("started_at", nullable=True),
        _instant("stopped_at", nullable=True),
        _decimal("meter_start_wh"),
        _decimal("meter_stop_wh"),
        _instant("first_reading_at", nullable=True),
        _decimal("first_reading_wh"),
        _instant("last_reading_at", nullable=True),
        _decimal("last_reading_wh"),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("seen_seq_nos", sa.JSON(), nullable=False),
        _instant("last_event_at", nullable=True),
        sa.Column("start_key", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        _tenant_fk("sessions", "charge_point_id", "charge_points"),
        _tenant_fk("sessions", "driver_id", "drivers"),
        sa.UniqueConstraint("organization_id", "id", name="uq_sessions_organization_id_id"),
        sa.UniqueConstraint("charge_point_id", "transaction_id", name="uq_sessions_charge_point_id_transaction_id"),
        sa.UniqueConstraint("charge_point_id", "start_key", name="uq_sessions_charge_point_id_start_key"),
    )
    op.create_index("ix_sessions_organization_id_charge_point_id_id", "sessions",
                    ["organization_id", "charge_point_id", "id"])
    op.create_index("ix_sessions_organization_id_driver_id_id", "sessions", ["organization_id", "driver_id", "id"])
    op.create_index("ix_sessions_organization_id_status_id", "sessions", ["organization_id", "status", "id"])
    op.create_index("ix_sessions_organization_id_started_at", "sessions", ["organization_id", "started_at"])
    op.create_table(
        "meter_samples",
        _id("organization_id"),
        _id("session_id"),
        _instant("timestamp"),
        sa.Column("measurand", sa.Text(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        _decimal("value", nullable=False),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("organization_id", "session_id", "timestamp", "measurand", "phase", "location",
                                name="pk_meter_samples"),
    )
    op.create_table(
        "reservations",
        _id("id"),
        _id("organization_id"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.String(ID_TAG), nullable=False),
        _instant("expires_at"),
        sa.Column("ocpp_reservation_id", sa.Integer(), nullable=False),
        _instant("created_at"),
        sa.Column("status", sa.String(ENUM), nullable=False),
        _instant("closed_at", nullable=True),
        _id("session_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reservations"),
        _tenant_fk("reservations", "charge_point_id", "charge_points"),
        _tenant_fk("reservations", "session_id", "sessions"),
        sa.UniqueConstraint("organization_id", "id", name="uq_reservations_organization_id_id"),
        sa.UniqueConstraint("charge_point_id", "ocpp_reservation_id",
                            name="uq_reservations_charge_point_id_ocpp_reservation_id"),
    )
    op.create_index("ix_reservations_charge_point_id_status", "reservations", ["charge_point_id", "status"])
    op.create_index("ix_reservations_status_expires_at", "reservations", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_table("reservations")
    op.drop_table("meter_samples")
    op.drop_table("sessions")
    op.drop_table("driver_id_tags")
    op.drop_table("drivers")
    op.drop_table("connectors")
    op.drop_table("charge_points")
    op.drop_table("locations")
