"""Outbound webhooks: endpoints (with their signing secrets), deliveries (one per endpoint and event), and the
log of every attempt.

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-24
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 40
ENUM = 16
NAME = 200


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        _id("id"), _id("organization_id"),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("secrets", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        _instant("failing_since", nullable=True),
        sa.Column("disabled_reason", sa.String(ENUM), nullable=True),
        _instant("created_at"), _instant("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_webhook_endpoints_organization_id_organizations"),
    )
    op.create_index("ix_webhook_endpoints_organization_id_status", "webhook_endpoints", ["organization_id", "status"])
    op.create_table(
        "webhook_deliveries",
        _id("id"), _id("organization_id"), _id("endpoint_id"), _id("event_id"),
        sa.Column("event_name", sa.String(NAME), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _instant("next_attempt_at", nullable=True), _instant("created_at"), _instant("delivered_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_id_event_id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_webhook_deliveries_organization_id_organizations"),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoints.id"], ondelete="CASCADE",
                                name="fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
    )
    op.create_index("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_organization_id_event_id", "webhook_deliveries",
                    ["organization_id", "event_id"])
    op.create_table(
        "webhook_attempts",
        _id("delivery_id"),
        sa.Column("number", sa.Integer(), nullable=False),
        _instant("attempted_at"),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("delivery_id", "number", name="pk_webhook_attempts"),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_deliveries.id"], ondelete="CASCADE",
                                name="fk_webhook_attempts_delivery_id_webhook_deliveries"),
    )


def downgrade() -> None:
    for table in ("webhook_attempts", "webhook_deliveries", "webhook_endpoints"):
        op.drop_table(table)
