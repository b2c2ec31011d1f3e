"""The driver portal and billing disputes: portal tokens and magic links, disputes and their comments, the raw
OCPP frames of each transaction (evidence), and the organization's dispute window.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20

A session has at most one dispute that is not resolved or withdrawn: a partial unique index, which both
engines support.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
ENUM = 16
HASH = 128
CHARGE_POINT_ID = 48
WIRE_ID = 64


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False, **kwargs: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable, **kwargs)


def _decimal(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=True)


ACTIVE = "status IN ('open', 'under_review')"


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("dispute_window_days", sa.Integer(), nullable=False, server_default="90"))
    op.create_table(
        "portal_tokens",
        _id("id"),
        _id("organization_id"),
        _id("driver_id"),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        sa.Column("source", sa.String(ENUM), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portal_tokens"),
        sa.UniqueConstraint("secret_hash", name="uq_portal_tokens_secret_hash"),
        sa.ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"],
                                name="fk_portal_tokens_organization_id_drivers"),
    )
    op.create_index("ix_portal_tokens_organization_id_driver_id_id", "portal_tokens",
                    ["organization_id", "driver_id", "id"])
    op.create_table(
        "portal_magic_links",
        _id("id"),
        _id("organization_id"),
        _id("driver_id"),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portal_magic_links"),
        sa.UniqueConstraint("secret_hash", name="uq_portal_magic_links_secret_hash"),
        sa.ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"],
                                name="fk_portal_magic_links_organization_id_drivers"),
    )
    op.create_table(
        "disputes",
        _id("id"),
        _id("organization_id"),
        sa.Column("source", sa.String(ENUM), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        _decimal("expected_amount"),
        sa.Column("expected_currency", sa.String(3), nullable=True),
        _decimal("billed_amount"),
        sa.Column("billed_currency", sa.String(3), nullable=True),
        _id("session_id", nullable=True),
        _id("driver_id", nullable=True),
        _id("invoice_id", nullable=True),
        _decimal("refund_amount"),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.String(ID), nullable=True),
        sa.Column("provider_dispute_id", sa.String(255), nullable=True),
        sa.Column("settlement", sa.JSON(), nullable=False),
        sa.Column("settlement_status", sa.String(ENUM), nullable=False),
        _instant("created_at"),
        _instant("updated_at"),
        _instant("resolved_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_disputes"),
        sa.UniqueConstraint("organization_id", "provider_dispute_id",
                            name="uq_disputes_organization_id_provider_dispute_id"),
    )
    op.create_index("ix_disputes_organization_id_status_id", "disputes", ["organization_id", "status", "id"])
    op.create_index("ix_disputes_organization_id_driver_id_id", "disputes", ["organization_id", "driver_id", "id"])
    op.create_index("ix_disputes_organization_id_session_id", "disputes", ["organization_id", "session_id"])
    op.create_index("uq_disputes_active_session", "disputes", ["organization_id", "session_id"], unique=True,
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.create_table(
        "dispute_comments",
        _id("id"),
        _id("organization_id"),
        _id("dispute_id"),
        sa.Column("author_id", sa.String(ID), nullable=True),
        sa.Column("visibility", sa.String(ENUM), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_dispute_comments"),
        sa.ForeignKeyConstraint(["dispute_id"], ["disputes.id"], name="fk_dispute_comments_dispute_id_disputes"),
    )
    op.create_index("ix_dispute_comments_organization_id_dispute_id_id", "dispute_comments",
                    ["organization_id", "dispute_id", "id"])
    op.create_table(
        "ocpp_frames",
        _id("id"),
        _id("organization_id"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("transaction_id", sa.String(WIRE_ID), nullable=False),
        _instant("at"),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ocpp_frames"),
    )
    op.create_index("ix_ocpp_frames_transaction", "ocpp_frames",
                    ["organization_id", "charge_point_id", "transaction_id", "at"])
    op.create_index("ix_ocpp_frames_organization_id_at", "ocpp_frames", ["organization_id", "at"])


def downgrade() -> None:
    for table in ("ocpp_frames", "dispute_comments", "disputes", "portal_magic_links", "portal_tokens"):
        op.drop_table(table)
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("dispute_window_days")
