"""Odometer readings of vehicles (in metres), so fleet costs can show a cost per 100 km: indexed by organization,
vehicle and instant read, which a report's window is bracketed through.

Revision ID: 0014
Revises: 0013
Create Date: 2027-02-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 40          # a frozen copy of the size in adapters/sql/tables.py at this revision
TABLE = "vehicle_odometer_readings"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("organization_id", sa.String(ID), nullable=False),
        sa.Column("vehicle_id", sa.String(ID), nullable=False),
        sa.Column("odometer_m", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
        sa.ForeignKeyConstraint(["organization_id", "vehicle_id"], ["vehicles.organization_id", "vehicles.id"],
                                name=f"fk_{TABLE}_organization_id_vehicles"),
    )
    op.create_index(f"ix_{TABLE}_organization_id_vehicle_id_read_at", TABLE,
                    ["organization_id", "vehicle_id", "read_at"])


def downgrade() -> None:
    op.drop_table(TABLE)
