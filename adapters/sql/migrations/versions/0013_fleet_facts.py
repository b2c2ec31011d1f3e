"""Reports by fleet, vehicle and driver: a completed session's fact records the fleet and vehicle its session
recorded at its start (the driver it had already), backfilled from the sessions, and an index for a fleet's
facts over a window of local dates.

Revision ID: 0013
Revises: 0012
Create Date: 2027-02-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 40
INDEX = "ix_session_facts_organization_id_fleet_id_local_date"


def upgrade() -> None:
    op.add_column("session_facts", sa.Column("fleet_id", sa.String(ID), nullable=True))
    op.add_column("session_facts", sa.Column("vehicle_id", sa.String(ID), nullable=True))
    # The facts written before: what their sessions recorded (a correlated subquery: both engines run it).
    for column in ("fleet_id", "vehicle_id"):
        op.execute(f"UPDATE session_facts SET {column} = (SELECT s.{column} FROM sessions s "
                   "WHERE s.organization_id = session_facts.organization_id AND s.id = session_facts.session_id)")
    op.create_index(INDEX, "session_facts", ["organization_id", "fleet_id", "local_date"])


def downgrade() -> None:
    op.drop_index(INDEX, "session_facts")
    op.drop_column("session_facts", "vehicle_id")
    op.drop_column("session_facts", "fleet_id")
