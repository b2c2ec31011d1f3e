"""Reports by fleet, vehicle and driver: a completed session's fact records the fleet and vehicle its session
recorded at its start (the driver it had already), backfilled from the sessions, with an index for a fleet's
facts over a window of local dates; and a monthly rollup of sessions by who charged them (and the currency the
ledger booked them in), filled from the facts.

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
MEASURES = ("sessions", "energy_mwh", "duration_us", "charging_us", "idle_us", "cost_minor")
KEY = ("fleet_id", "vehicle_id", "driver_id")


def upgrade() -> None:
    op.add_column("session_facts", sa.Column("fleet_id", sa.String(ID), nullable=True))
    op.add_column("session_facts", sa.Column("vehicle_id", sa.String(ID), nullable=True))
    # The facts written before: what their sessions recorded (a correlated subquery: both engines run it).
    for column in ("fleet_id", "vehicle_id"):
        op.execute(f"UPDATE session_facts SET {column} = (SELECT s.{column} FROM sessions s "
                   "WHERE s.organization_id = session_facts.organization_id AND s.id = session_facts.session_id)")
    op.create_index(INDEX, "session_facts", ["organization_id", "fleet_id", "local_date"])
    op.create_table(
        "report_fleet_months",
        sa.Column("organization_id", sa.String(ID), nullable=False),
        sa.Column("local_month", sa.Date(), nullable=False),
        *(sa.Column(name, sa.String(ID), nullable=False) for name in KEY),
        sa.Column("currency", sa.String(3), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in MEASURES),
        sa.PrimaryKeyConstraint("organization_id", "local_month", *KEY, "currency", name="pk_report_fleet_months"),
    )
    op.create_index("ix_report_fleet_months_organization_id_fleet_id_local_month", "report_fleet_months",
                    ["organization_id", "fleet_id", "local_month"])
    month = ("CAST(date_trunc('month', local_date) AS DATE)" if op.get_bind().dialect.name == "postgresql"
             else "date(local_date, 'start of month')")
    op.execute(
        "INSERT INTO report_fleet_months (organization_id, local_month, fleet_id, vehicle_id, driver_id, currency, "
        "sessions, energy_mwh, duration_us, charging_us, idle_us, cost_minor) "
        f"SELECT organization_id, {month}, COALESCE(fleet_id, ''), COALESCE(vehicle_id, ''), "
        "COALESCE(driver_id, ''), COALESCE(revenue_currency, ''), COUNT(*), SUM(energy_mwh), SUM(duration_us), "
        "SUM(charging_us), SUM(idle_us), SUM(COALESCE(revenue_minor, 0)) FROM session_facts "
        f"GROUP BY organization_id, {month}, COALESCE(fleet_id, ''), COALESCE(vehicle_id, ''), "
        "COALESCE(driver_id, ''), COALESCE(revenue_currency, '')")


def downgrade() -> None:
    op.drop_table("report_fleet_months")
    op.drop_index(INDEX, "session_facts")
    op.drop_column("session_facts", "vehicle_id")
    op.drop_column("session_facts", "fleet_id")
