"""Site owners: the partners who host charge points, their invitations and tokens, their projects (groups of
locations with a revenue share) and the monthly statements issued to them.

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-10

A location belongs to one project at most: the primary key of project_locations. A project's month is
issued once: a unique key on statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
EMAIL = 254
NAME = 200
ENUM = 16
HASH = 128


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def _decimal(name: str, nullable: bool = False) -> sa.Column[Any]:
    # ExactDecimal: NUMERIC on PostgreSQL, the decimal's text on SQLite.
    return sa.Column(name, sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=nullable)


def _owned_by_site_owner(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["organization_id", "site_owner_id"],
                                   ["site_owners.organization_id", "site_owners.id"],
                                   name=f"fk_{table}_organization_id_site_owners")


def upgrade() -> None:
    op.create_table(
        "site_owners",
        _id("id"),
        _id("organization_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("email", sa.String(EMAIL), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("payout_account_holder", sa.String(NAME), nullable=True),
        sa.Column("payout_iban", sa.String(34), nullable=True),
        sa.Column("payout_bic", sa.String(11), nullable=True),
        sa.Column("agreement_version", sa.String(16), nullable=True),
        _instant("agreement_accepted_at", nullable=True),
        _instant("onboarded_at", nullable=True),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_site_owners"),
        sa.UniqueConstraint("organization_id", "id", name="uq_site_owners_organization_id_id"),
        sa.UniqueConstraint("organization_id", "email", name="uq_site_owners_organization_id_email"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_site_owners_organization_id_organizations"),
    )
    op.create_table(
        "site_owner_invitations",
        _id("id"),
        _id("organization_id"),
        _id("site_owner_id"),
        sa.Column("email", sa.String(EMAIL), nullable=False),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("accepted_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_site_owner_invitations"),
        sa.UniqueConstraint("secret_hash", name="uq_site_owner_invitations_secret_hash"),
        _owned_by_site_owner("site_owner_invitations"),
    )
    op.create_table(
        "site_owner_tokens",
        _id("id"),
        _id("organization_id"),
        _id("site_owner_id"),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_site_owner_tokens"),
        sa.UniqueConstraint("secret_hash", name="uq_site_owner_tokens_secret_hash"),
        _owned_by_site_owner("site_owner_tokens"),
    )
    op.create_index("ix_site_owner_tokens_organization_id_site_owner_id_id", "site_owner_tokens",
                    ["organization_id", "site_owner_id", "id"])
    op.create_table(
        "projects",
        _id("id"),
        _id("organization_id"),
        _id("site_owner_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        _decimal("revenue_share_percent"),
        sa.Column("share_basis", sa.String(ENUM), nullable=False),
        _decimal("energy_cost_per_kwh", nullable=True),
        _instant("created_at"),
        _instant("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("organization_id", "id", name="uq_projects_organization_id_id"),
        _owned_by_site_owner("projects"),
    )
    op.create_index("ix_projects_organization_id_site_owner_id_id", "projects",
                    ["organization_id", "site_owner_id", "id"])
    op.create_table(
        "project_locations",
        _id("organization_id"),
        _id("location_id"),
        _id("project_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "location_id", name="pk_project_locations"),
        sa.ForeignKeyConstraint(["organization_id", "project_id"], ["projects.organization_id", "projects.id"],
                                name="fk_project_locations_organization_id_projects"),
    )
    op.create_index("ix_project_locations_organization_id_project_id_position", "project_locations",
                    ["organization_id", "project_id", "position"])
    op.create_table(
        "statements",
        _id("id"),
        _id("organization_id"),
        _id("project_id"),
        _id("site_owner_id"),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _decimal("revenue_share_percent"),
        sa.Column("share_basis", sa.String(ENUM), nullable=False),
        _decimal("energy_cost_per_kwh", nullable=True),
        _decimal("energy_kwh"),
        _decimal("revenue"),
        _decimal("credited"),
        _decimal("energy_cost"),
        _decimal("basis_amount"),
        _decimal("share"),
        sa.Column("sessions", sa.JSON(), nullable=False),
        sa.Column("adjustments", sa.JSON(), nullable=False),
        _instant("issued_at"),
        _id("ledger_transaction_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.UniqueConstraint("organization_id", "project_id", "period",
                            name="uq_statements_organization_id_project_id_period"),
        sa.ForeignKeyConstraint(["organization_id", "project_id"], ["projects.organization_id", "projects.id"],
                                name="fk_statements_organization_id_projects"),
    )


def downgrade() -> None:
    for table in ("statements", "project_locations", "projects", "site_owner_tokens", "site_owner_invitations",
                  "site_owners"):
        op.drop_table(table)
