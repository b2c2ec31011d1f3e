"""Payments: saved payment methods, customers at a provider, provider events applied once, refunds,
chargebacks, bank statement lines; collection state on invoices (attempts, last failure, next attempt); the
organizations' collection settings (provider, Stripe Connect account, retry schedule).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

A provider's payment (a PaymentIntent) and refund (a ``re_…``) are unique per method: an invoice is never paid
twice by one attempt, whether its webhook or the attempt itself records it first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
ENUM = 16
NOT_NULL = sa.text("provider_reference IS NOT NULL")


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def _decimal(name: str) -> sa.Column[Any]:
    # ExactDecimal: NUMERIC on PostgreSQL, the decimal's text on SQLite.
    return sa.Column(name, sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("payment_provider", sa.String(ENUM), nullable=False,
                                   server_default="bank_transfer"))
        batch.add_column(sa.Column("stripe_account", sa.String(255), nullable=True))
        batch.add_column(sa.Column("payment_retry_days", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("uncollectible_after_retries", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("payment_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_payment_error", sa.String(255), nullable=True))
        batch.add_column(_instant("next_payment_attempt_at", nullable=True))
    op.create_index("ux_invoice_payments_provider", "invoice_payments", ["method", "provider_reference"],
                    unique=True, sqlite_where=NOT_NULL, postgresql_where=NOT_NULL)
    op.create_table(
        "invoice_refunds",
        _id("id"), _id("organization_id"), _id("invoice_id"), _id("payment_id"), _decimal("amount"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("provider_reference", sa.String(255), nullable=True),
        _instant("created_at"),
        _id("credit_note_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_refunds"),
        sa.ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"],
                                name="fk_invoice_refunds_organization_id_invoices"),
    )
    op.create_index("ix_invoice_refunds_organization_id_invoice_id", "invoice_refunds",
                    ["organization_id", "invoice_id"])
    op.create_index("ux_invoice_refunds_provider", "invoice_refunds", ["method", "provider_reference"],
                    unique=True, sqlite_where=NOT_NULL, postgresql_where=NOT_NULL)
    op.create_table(
        "payment_methods",
        _id("id"), _id("organization_id"), _id("customer_id"),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(ENUM), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("provider_reference", sa.String(255), nullable=True),
        sa.Column("setup_reference", sa.String(255), nullable=True),
        sa.Column("client_secret", sa.String(255), nullable=True),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("brand", sa.String(32), nullable=True),
        sa.Column("last4", sa.String(4), nullable=True),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        _instant("created_at"), _instant("updated_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_methods"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_payment_methods_organization_id_organizations"),
        sa.ForeignKeyConstraint(["organization_id", "customer_id"], ["customers.organization_id", "customers.id"],
                                name="fk_payment_methods_organization_id_customers"),
    )
    op.create_index("ix_payment_methods_organization_id_customer_id", "payment_methods",
                    ["organization_id", "customer_id"])
    op.create_index("ix_payment_methods_organization_id_setup_reference", "payment_methods",
                    ["organization_id", "setup_reference"])
    op.create_table(
        "provider_customers",
        _id("organization_id"), _id("customer_id"),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "customer_id", "provider", name="pk_provider_customers"),
        sa.ForeignKeyConstraint(["organization_id", "customer_id"], ["customers.organization_id", "customers.id"],
                                name="fk_provider_customers_organization_id_customers"),
    )
    op.create_table(
        "provider_events",
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(120), nullable=False),
        _id("organization_id", nullable=True),
        _instant("received_at"),
        sa.PrimaryKeyConstraint("provider", "event_id", name="pk_provider_events"),
    )
    op.create_index("ix_provider_events_organization_id_received_at", "provider_events",
                    ["organization_id", "received_at"])
    op.create_table(
        "chargebacks",
        _id("id"), _id("organization_id"), _id("invoice_id"), _id("customer_id"), _id("payment_id"),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("provider_reference", sa.String(255), nullable=False),
        _decimal("amount"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(120), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        _instant("opened_at"), _instant("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_chargebacks"),
        sa.UniqueConstraint("provider", "provider_reference", name="uq_chargebacks_provider_provider_reference"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_chargebacks_organization_id_organizations"),
        sa.ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"],
                                name="fk_chargebacks_organization_id_invoices"),
    )
    op.create_index("ix_chargebacks_organization_id_opened_at", "chargebacks", ["organization_id", "opened_at"])
    op.create_table(
        "statement_lines",
        _id("id"), _id("organization_id"),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        _decimal("amount"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(140), nullable=True),
        sa.Column("counterparty", sa.String(140), nullable=True),
        sa.Column("status", sa.String(ENUM), nullable=False),
        _instant("imported_at"),
        _id("invoice_id", nullable=True), _id("payment_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_statement_lines"),
        sa.UniqueConstraint("organization_id", "key", name="uq_statement_lines_organization_id_key"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_statement_lines_organization_id_organizations"),
    )
    op.create_index("ix_statement_lines_organization_id_booked_on", "statement_lines", ["organization_id", "booked_on"])


def downgrade() -> None:
    for table in ("statement_lines", "chargebacks", "provider_events", "provider_customers", "payment_methods",
                  "invoice_refunds"):
        op.drop_table(table)
    op.drop_index("ux_invoice_payments_provider", "invoice_payments")
    with op.batch_alter_table("invoices") as batch:
        for column in ("next_payment_attempt_at", "last_payment_error", "payment_attempts"):
            batch.drop_column(column)
    with op.batch_alter_table("organizations") as batch:
        for column in ("uncollectible_after_retries", "payment_retry_days", "stripe_account", "payment_provider"):
            batch.drop_column(column)
