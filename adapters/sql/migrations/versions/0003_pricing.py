"""Pricing: versioned tariffs, membership plans, subscriptions; tariff assignments on locations and
charge points; each session's frozen tariff version, plan and cost.

Revision ID: 0003
Revises: 0002
Create Date: 2026-05-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
NAME = 200

_SESSION_COLUMNS = ("tariff_id", "tariff_version", "plan_id", "cost_currency", "cost_total_excl_vat", "cost_vat",
                    "cost_total", "cost_breakdown")


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
        "tariffs",
        _id("id"),
        _id("organization_id"),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_tariffs"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_tariffs_organization_id_organizations"),
        sa.UniqueConstraint("organization_id", "id", name="uq_tariffs_organization_id_id"),
    )
    op.create_table(
        "tariff_versions",
        _id("organization_id"),
        _id("tariff_id"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        _instant("valid_from"),
        sa.PrimaryKeyConstraint("organization_id", "tariff_id", "version", name="pk_tariff_versions"),
        _tenant_fk("tariff_versions", "tariff_id", "tariffs"),
    )
    op.create_table(
        "membership_plans",
        _id("id"),
        _id("organization_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        _decimal("monthly_fee_amount", nullable=False),
        sa.Column("monthly_fee_currency", sa.String(3), nullable=False),
        _instant("created_at"),
        _id("tariff_id", nullable=True),
        _decimal("discount_percent"),
        sa.PrimaryKeyConstraint("id", name="pk_membership_plans"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_membership_plans_organization_id_organizations"),
        sa.UniqueConstraint("organization_id", "id", name="uq_membership_plans_organization_id_id"),
    )
    op.create_table(
        "subscriptions",
        _id("id"),
        _id("organization_id"),
        _id("plan_id"),
        _id("driver_id"),
        _instant("starts_at"),
        _instant("ends_at", nullable=True),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        _tenant_fk("subscriptions", "plan_id", "membership_plans"),
        _tenant_fk("subscriptions", "driver_id", "drivers"),
        sa.UniqueConstraint("organization_id", "id", name="uq_subscriptions_organization_id_id"),
    )
    op.create_index("ix_subscriptions_organization_id_driver_id_starts_at", "subscriptions",
                    ["organization_id", "driver_id", "starts_at"])
    op.create_index("ix_subscriptions_organization_id_plan_id_id", "subscriptions",
                    ["organization_id", "plan_id", "id"])
    # Plain ALTERs: nullable columns with no constraint, which SQLite (3.35+) adds and drops in place too.
    op.add_column("locations", _id("tariff_id", nullable=True))
    op.add_column("charge_points", _id("tariff_id", nullable=True))
    op.add_column("sessions", _id("tariff_id", nullable=True))
    op.add_column("sessions", sa.Column("tariff_version", sa.Integer(), nullable=True))
    op.add_column("sessions", _id("plan_id", nullable=True))
    op.add_column("sessions", sa.Column("cost_currency", sa.String(3), nullable=True))
    op.add_column("sessions", _decimal("cost_total_excl_vat"))
    op.add_column("sessions", _decimal("cost_vat"))
    op.add_column("sessions", _decimal("cost_total"))
    op.add_column("sessions", sa.Column("cost_breakdown", sa.JSON(), nullable=True))


def downgrade() -> None:
    for name in reversed(_SESSION_COLUMNS):
        op.drop_column("sessions", name)
    op.drop_column("charge_points", "tariff_id")
    op.drop_column("locations", "tariff_id")
    op.drop_table("subscriptions")
    op.drop_table("membership_plans")
    op.drop_table("tariff_versions")
    op.drop_table("tariffs")
