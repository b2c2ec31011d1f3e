"""The domain-event outbox; orphan transactions; readings a session refused to count, and its flag.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
ENUM = 16
CHARGE_POINT_ID = 48
WIRE_ID = 64


def _instant(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "domain_events",
        _id("id"),
        _id("organization_id"),
        sa.Column("name", sa.String(64), nullable=False),
        _instant("occurred_at"),
        _instant("recorded_at"),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _instant("next_attempt_at", nullable=True),
        _instant("handled_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_domain_events"),
        sa.UniqueConstraint("organization_id", "id", name="uq_domain_events_organization_id_id"),
    )
    op.create_index("ix_domain_events_status_next_attempt_at", "domain_events", ["status", "next_attempt_at"])
    op.create_table(
        "orphan_transactions",
        _id("id"),
        _id("organization_id"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("transaction_id", sa.String(WIRE_ID), nullable=False),
        _instant("first_seen_at"),
        _instant("last_seen_at"),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        _id("adopted_by", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orphan_transactions"),
        sa.UniqueConstraint("organization_id", "id", name="uq_orphan_transactions_organization_id_id"),
        sa.ForeignKeyConstraint(["organization_id", "charge_point_id"],
                                ["charge_points.organization_id", "charge_points.id"],
                                name="fk_orphan_transactions_organization_id_charge_points"),
    )
    op.create_index("ix_orphan_transactions_charge_point_id_transaction_id", "orphan_transactions",
                    ["charge_point_id", "transaction_id"])
    op.create_index("ix_orphan_transactions_organization_id_charge_point_id_id", "orphan_transactions",
                    ["organization_id", "charge_point_id", "id"])
    op.create_table(
        "session_anomalies",
        _id("organization_id"),
        _id("session_id"),
        _instant("at"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "session_id", "at", "kind", name="pk_session_anomalies"),
    )
    # A NOT NULL column with a default: both engines add it in place, filling existing rows.
    op.add_column("sessions", sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("sessions", "flagged")
    op.drop_table("session_anomalies")
    op.drop_index("ix_orphan_transactions_organization_id_charge_point_id_id", "orphan_transactions")
    op.drop_index("ix_orphan_transactions_charge_point_id_transaction_id", "orphan_transactions")
    op.drop_table("orphan_transactions")
    op.drop_index("ix_domain_events_status_next_attempt_at", "domain_events")
    op.drop_table("domain_events")
