"""Reports: completed sessions' facts with their local calendar; rollups per location and per connector by day
and by month, of sessions started per local hour, and of sessions' revenue per location and day of the books;
the ledger's revenue, VAT and refund accounts rolled up per quarter hour by a trigger.

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-04

The facts and the session rollups are written by the application (the SQL reports adapter, beside each fact)
because the local calendar needs each location's zone rules. The quarter-hour rollup of the ledger is kept by a
trigger on ``ledger_entries`` on both engines, so every posting (whatever writes it, COPY included) is counted;
its rows for the ledger as it stands are written here. Facts of sessions completed before this revision are
written by ``charge report rebuild``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
CHARGE_POINT_ID = 48
MEASURES = ("sessions", "energy_mwh", "duration_us", "charging_us", "idle_us", "occupied_us")
HOURS = tuple(f"h{hour:02d}" for hour in range(24))
ROLLED_UP = "account IN ('charging_revenue', 'fee_revenue', 'refunds') OR account LIKE 'vat_payable:%'"
NEW_ROLLED_UP = "NEW.account IN ('charging_revenue', 'fee_revenue', 'refunds') OR NEW.account LIKE 'vat_payable:%'"


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _measures() -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in MEASURES]


def _connector_key() -> list[sa.Column[Any]]:
    return [_id("organization_id"), _id("location_id"),
            sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
            sa.Column("evse_id", sa.Integer(), nullable=False), sa.Column("connector_id", sa.Integer(), nullable=False)]


CONNECTOR = ["organization_id", "location_id", "charge_point_id", "evse_id", "connector_id"]

POSTGRES_QUARTER = """
INSERT INTO ledger_quarter_hours (organization_id, currency, account, quarter_at, debit_minor, credit_minor)
VALUES (NEW.organization_id, NEW.currency, NEW.account,
        date_bin('15 minutes', NEW.posted_at, TIMESTAMPTZ 'epoch'),
        NEW.debit_minor, NEW.credit_minor)
ON CONFLICT (organization_id, quarter_at, currency, account) DO UPDATE
SET debit_minor = ledger_quarter_hours.debit_minor + EXCLUDED.debit_minor,
    credit_minor = ledger_quarter_hours.credit_minor + EXCLUDED.credit_minor;
"""

POSTGRES = [f"""
CREATE FUNCTION ledger_quarter_hours_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {POSTGRES_QUARTER}
    RETURN NULL;
END $$""", f"""
CREATE TRIGGER ledger_entries_quarter_hours AFTER INSERT ON ledger_entries
FOR EACH ROW WHEN ({NEW_ROLLED_UP})
EXECUTE FUNCTION ledger_quarter_hours_add()""", f"""
INSERT INTO ledger_quarter_hours (organization_id, currency, account, quarter_at, debit_minor, credit_minor)
SELECT organization_id, currency, account, date_bin('15 minutes', posted_at, TIMESTAMPTZ 'epoch'),
       sum(debit_minor), sum(credit_minor)
FROM ledger_entries WHERE {ROLLED_UP} GROUP BY 1, 2, 3, 4"""]

# SQLite keeps instants as fixed-width naive-UTC text ('YYYY-MM-DD HH:MM:SS.ffffff'): the quarter is its first
# 14 characters, the minutes floored to 0, 15, 30 or 45, and zero seconds, in the same form.
SQLITE_QUARTER = ("substr({t}, 1, 14) || printf('%02d', (CAST(substr({t}, 15, 2) AS INTEGER) / 15) * 15) "
                  "|| ':' || '00.000000'")

SQLITE = [f"""
CREATE TRIGGER ledger_entries_quarter_hours AFTER INSERT ON ledger_entries
FOR EACH ROW WHEN {NEW_ROLLED_UP}
BEGIN
    INSERT INTO ledger_quarter_hours (organization_id, currency, account, quarter_at, debit_minor, credit_minor)
    VALUES (NEW.organization_id, NEW.currency, NEW.account, {SQLITE_QUARTER.format(t="NEW.posted_at")},
            NEW.debit_minor, NEW.credit_minor)
    ON CONFLICT (organization_id, quarter_at, currency, account) DO UPDATE
    SET debit_minor = debit_minor + excluded.debit_minor, credit_minor = credit_minor + excluded.credit_minor;
END""", f"""
INSERT INTO ledger_quarter_hours (organization_id, currency, account, quarter_at, debit_minor, credit_minor)
SELECT organization_id, currency, account, {SQLITE_QUARTER.format(t="posted_at")}, sum(debit_minor),
       sum(credit_minor)
FROM ledger_entries WHERE {ROLLED_UP} GROUP BY 1, 2, 3, 4"""]


def upgrade() -> None:
    op.create_table(
        "session_facts",
        _id("organization_id"), _id("session_id"), _id("location_id"),
        sa.Column("charge_point_id", sa.String(CHARGE_POINT_ID), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False), sa.Column("connector_id", sa.Integer(), nullable=False),
        _id("driver_id", nullable=True), _id("tariff_id", nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        _instant("started_at"), _instant("stopped_at"),
        sa.Column("local_date", sa.Date(), nullable=False), sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("energy_mwh", sa.BigInteger(), nullable=False),
        sa.Column("duration_us", sa.BigInteger(), nullable=False),
        sa.Column("charging_us", sa.BigInteger(), nullable=False),
        sa.Column("idle_us", sa.BigInteger(), nullable=False),
        sa.Column("revenue_currency", sa.String(3), nullable=True),
        sa.Column("revenue_minor", sa.BigInteger(), nullable=True),
        _instant("revenue_posted_at", nullable=True),
        sa.PrimaryKeyConstraint("organization_id", "session_id", name="pk_session_facts"),
    )
    op.create_index("ix_session_facts_organization_id_local_date", "session_facts", ["organization_id", "local_date"])
    op.create_index("ix_session_facts_revenue",
                    "session_facts", ["organization_id", "revenue_posted_at", "location_id", "revenue_currency",
                                      "revenue_minor"])
    op.create_table(
        "report_location_days",
        _id("organization_id"), _id("location_id"), sa.Column("local_date", sa.Date(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint("organization_id", "location_id", "local_date", name="pk_report_location_days"),
    )
    op.create_index("ix_report_location_days_organization_id_local_date", "report_location_days",
                    ["organization_id", "local_date"])
    op.create_table(
        "report_location_months",
        _id("organization_id"), _id("location_id"), sa.Column("local_month", sa.Date(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint("organization_id", "location_id", "local_month", name="pk_report_location_months"),
    )
    op.create_table(
        "report_location_hours",
        _id("organization_id"), _id("location_id"), sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in HOURS),
        sa.PrimaryKeyConstraint("organization_id", "location_id", "local_date", name="pk_report_location_hours"),
    )
    op.create_index("ix_report_location_hours_organization_id_local_date", "report_location_hours",
                    ["organization_id", "local_date"])
    op.create_table(
        "report_connector_days",
        *_connector_key(), sa.Column("local_date", sa.Date(), nullable=False), *_measures(),
        sa.PrimaryKeyConstraint(*CONNECTOR, "local_date", name="pk_report_connector_days"),
    )
    op.create_index("ix_report_connector_days_organization_id_local_date", "report_connector_days",
                    ["organization_id", "local_date"])
    op.create_table(
        "report_connector_months",
        *_connector_key(), sa.Column("local_month", sa.Date(), nullable=False), *_measures(),
        sa.PrimaryKeyConstraint(*CONNECTOR, "local_month", name="pk_report_connector_months"),
    )
    op.create_index("ix_report_connector_months_organization_id_local_month", "report_connector_months",
                    ["organization_id", "local_month"])
    op.create_table(
        "report_revenue_days",
        _id("organization_id"), sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False), _id("location_id"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("revenue_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "timezone", "local_date", "location_id", "currency",
                                name="pk_report_revenue_days"),
    )
    op.create_table(
        "ledger_quarter_hours",
        _id("organization_id"), sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("account", sa.String(80), nullable=False), _instant("quarter_at"),
        sa.Column("debit_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "quarter_at", "currency", "account",
                                name="pk_ledger_quarter_hours"),
    )
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_entries_quarter_hours ON ledger_entries")
        op.execute("DROP FUNCTION ledger_quarter_hours_add()")
    else:
        op.execute("DROP TRIGGER ledger_entries_quarter_hours")
    for table in ("ledger_quarter_hours", "report_revenue_days", "report_connector_months", "report_connector_days",
                  "report_location_hours", "report_location_months", "report_location_days", "session_facts"):
        op.drop_table(table)
