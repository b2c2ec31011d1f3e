"""Billing: customers, charges and their details, invoices with their payments (a credit note with its lines),
document counters, the ledger (balanced and immutable, checked by the database), invoice runs; billing
settings; a driver's customer; mail attachments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

A charge keeps the invoice it went on: a trigger on both engines refuses to change ``charges.invoice_id`` once
set (with the primary key on ``charges.id``, a session is on one invoice, ever).

The ledger's checks, per engine:
- PostgreSQL: a constraint trigger on ``ledger_entries``, DEFERRABLE INITIALLY DEFERRED, checks at commit
  that each transaction touched has at least two entries and that its debits equal its credits in every
  currency; row triggers refuse UPDATE and DELETE on both ledger tables.
- SQLite has no deferred triggers: a transaction row declares its ``entry_count``, an entry beyond it is
  refused, and the insert of the last one checks the sums per currency. (A transaction left with fewer
  entries than declared is not caught there; the repository writes a transaction's entries in one call.)
  UPDATE and DELETE are refused by triggers too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
ENUM = 16
NAME = 200
EMAIL = 254


def _instant(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(ID), nullable=nullable)


def _decimal(name: str) -> sa.Column[Any]:
    # ExactDecimal: NUMERIC on PostgreSQL, the decimal's text on SQLite.
    return sa.Column(name, sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=False)


POSTGRES_CHECKS = ["""
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM ledger_entries
        WHERE organization_id = NEW.organization_id AND transaction_id = NEW.transaction_id) < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has fewer than two entries', NEW.transaction_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM ledger_entries
               WHERE organization_id = NEW.organization_id AND transaction_id = NEW.transaction_id
               GROUP BY currency HAVING sum(debit_minor) <> sum(credit_minor)) THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$""", """
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()""", """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$""", """
CREATE TRIGGER ledger_transactions_immutable BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""", """
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""", """
CREATE FUNCTION charges_keep_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'charge % is on invoice % already: a charge goes on one invoice, ever', OLD.id, OLD.invoice_id
        USING ERRCODE = 'unique_violation';
END $$""", """
CREATE TRIGGER charges_keep_invoice BEFORE UPDATE OF invoice_id ON charges
    FOR EACH ROW WHEN (OLD.invoice_id IS NOT NULL AND NEW.invoice_id IS DISTINCT FROM OLD.invoice_id)
    EXECUTE FUNCTION charges_keep_invoice()"""]

SQLITE_CHECKS = [
    """CREATE TRIGGER charges_keep_invoice BEFORE UPDATE OF invoice_id ON charges
       WHEN OLD.invoice_id IS NOT NULL AND NEW.invoice_id IS NOT OLD.invoice_id
       BEGIN SELECT RAISE(ABORT, 'a charge goes on one invoice, ever'); END""",
    """CREATE TRIGGER ledger_entries_counted BEFORE INSERT ON ledger_entries
       WHEN (SELECT count(*) FROM ledger_entries WHERE organization_id = NEW.organization_id
             AND transaction_id = NEW.transaction_id) >=
            (SELECT entry_count FROM ledger_transactions WHERE organization_id = NEW.organization_id
             AND id = NEW.transaction_id)
       BEGIN SELECT RAISE(ABORT, 'ledger transaction has more entries than it declares'); END""",
    """CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
       WHEN (SELECT count(*) FROM ledger_entries WHERE organization_id = NEW.organization_id
             AND transaction_id = NEW.transaction_id) =
            (SELECT entry_count FROM ledger_transactions WHERE organization_id = NEW.organization_id
             AND id = NEW.transaction_id)
        AND EXISTS (SELECT 1 FROM ledger_entries WHERE organization_id = NEW.organization_id
                    AND transaction_id = NEW.transaction_id GROUP BY currency
                    HAVING sum(debit_minor) <> sum(credit_minor))
       BEGIN SELECT RAISE(ABORT, 'ledger transaction does not balance'); END""",
    """CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
    """CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
    """CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
    """CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END""",
]


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("legal_name", sa.String(NAME), nullable=True))
        batch.add_column(sa.Column("billing_address", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("vat_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("iban", sa.String(34), nullable=True))
        batch.add_column(sa.Column("bic", sa.String(11), nullable=True))
        batch.add_column(sa.Column("invoice_number_prefix", sa.String(20), nullable=False, server_default="INV-"))
        batch.add_column(sa.Column("credit_note_number_prefix", sa.String(20), nullable=False,
                                   server_default="CN-"))
        batch.add_column(sa.Column("auto_finalize_invoices", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("invoice_day", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("payment_terms_days", sa.Integer(), nullable=False, server_default="14"))
        batch.add_column(sa.Column("vat_exemption_category", sa.String(2), nullable=False, server_default="E"))
        batch.add_column(sa.Column("vat_exemption_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("plan_fee_vat", sa.Numeric().with_variant(sa.Text(), "sqlite"),
                                   nullable=True))
    op.add_column("drivers", _id("customer_id", nullable=True))
    op.add_column("mail_outbox", sa.Column("attachments", sa.JSON(), nullable=True))

    op.create_table(
        "customers",
        _id("id"), _id("organization_id"),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("email", sa.String(EMAIL), nullable=False),
        sa.Column("billing_address", sa.JSON(), nullable=True),
        sa.Column("tax_id", sa.String(32), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("payment_terms_days", sa.Integer(), nullable=True),
        sa.Column("invoice_delivery", sa.String(ENUM), nullable=False),
        _id("driver_id", nullable=True),
        _instant("created_at"), _instant("updated_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("organization_id", "id", name="uq_customers_organization_id_id"),
        sa.UniqueConstraint("organization_id", "driver_id", name="uq_customers_organization_id_driver_id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_customers_organization_id_organizations"),
    )
    op.create_table(
        "charges",
        _id("id"), _id("organization_id"), _id("customer_id", nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        _instant("started_at"), _decimal("net_amount"), _id("invoice_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_charges"),
    )
    op.create_index("ix_charges_pending", "charges", ["organization_id", "customer_id", "currency", "started_at"],
                    sqlite_where=sa.text("invoice_id IS NULL"), postgresql_where=sa.text("invoice_id IS NULL"))
    op.create_index("ix_charges_invoice", "charges", ["organization_id", "invoice_id", "started_at", "id"],
                    sqlite_where=sa.text("invoice_id IS NOT NULL"),
                    postgresql_where=sa.text("invoice_id IS NOT NULL"))
    op.create_table(
        "charge_details",
        _id("charge_id"),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("session", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("charge_id", name="pk_charge_details"),
        sa.ForeignKeyConstraint(["charge_id"], ["charges.id"], name="fk_charge_details_charge_id_charges"),
    )
    op.create_table(
        "invoices",
        _id("id"), _id("organization_id"), _id("customer_id"),
        sa.Column("kind", sa.String(ENUM), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("run_key", sa.String(32), nullable=True),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("number", sa.String(40), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("seller", sa.JSON(), nullable=True),
        sa.Column("buyer", sa.JSON(), nullable=True),
        sa.Column("payment_reference", sa.String(40), nullable=True),
        _decimal("total_excl_vat"), _decimal("vat"), _decimal("total"), _decimal("credited"), _decimal("written_off"),
        _id("corrects", nullable=True),
        sa.Column("corrects_number", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _instant("created_at"), _instant("finalized_at", nullable=True), _instant("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.UniqueConstraint("organization_id", "id", name="uq_invoices_organization_id_id"),
        sa.UniqueConstraint("organization_id", "customer_id", "currency", "run_key",
                            name="uq_invoices_organization_id_customer_id_currency_run_key"),
        sa.UniqueConstraint("organization_id", "kind", "number", name="uq_invoices_organization_id_kind_number"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_invoices_organization_id_organizations"),
    )
    op.create_index("ix_invoices_organization_id_customer_id_id", "invoices", ["organization_id", "customer_id", "id"])
    op.create_index("ix_invoices_organization_id_status_id", "invoices", ["organization_id", "status", "id"])
    op.create_index("ix_invoices_organization_id_corrects", "invoices", ["organization_id", "corrects"])
    op.create_table(
        "invoice_lines",
        _id("organization_id"), _id("invoice_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "invoice_id", "position", name="pk_invoice_lines"),
        sa.ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"],
                                name="fk_invoice_lines_organization_id_invoices"),
    )
    op.create_table(
        "invoice_payments",
        _id("id"), _id("organization_id"), _id("invoice_id"), _decimal("amount"),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(140), nullable=True),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("provider_reference", sa.String(255), nullable=True),
        _instant("recorded_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_payments"),
        sa.ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"],
                                name="fk_invoice_payments_organization_id_invoices"),
    )
    op.create_index("ix_invoice_payments_organization_id_invoice_id", "invoice_payments",
                    ["organization_id", "invoice_id"])
    op.create_table(
        "document_counters",
        _id("organization_id"),
        sa.Column("series", sa.String(ENUM), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "series", name="pk_document_counters"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_document_counters_organization_id_organizations"),
    )
    op.create_table(
        "ledger_transactions",
        _id("id"), _id("organization_id"),
        sa.Column("source_kind", sa.String(ENUM), nullable=False),
        _id("source_id"), _instant("posted_at"),
        sa.Column("description", sa.Text(), nullable=False),
        _id("customer_id", nullable=True), _id("invoice_id", nullable=True), _id("session_id", nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_transactions"),
        sa.UniqueConstraint("organization_id", "source_kind", "source_id",
                            name="uq_ledger_transactions_organization_id_source_kind_source_id"),
        sa.UniqueConstraint("organization_id", "id", name="uq_ledger_transactions_organization_id_id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_ledger_transactions_organization_id_organizations"),
    )
    op.create_index("ix_ledger_transactions_organization_id_customer_id_id", "ledger_transactions",
                    ["organization_id", "customer_id", "id"])
    op.create_index("ix_ledger_transactions_organization_id_invoice_id", "ledger_transactions",
                    ["organization_id", "invoice_id"])
    op.create_index("ix_ledger_transactions_organization_id_session_id", "ledger_transactions",
                    ["organization_id", "session_id"])
    op.create_table(
        "ledger_entries",
        _id("organization_id"), _id("transaction_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("debit_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        _instant("posted_at"), _id("customer_id", nullable=True),
        sa.PrimaryKeyConstraint("organization_id", "transaction_id", "position", name="pk_ledger_entries"),
        sa.ForeignKeyConstraint(["organization_id", "transaction_id"],
                                ["ledger_transactions.organization_id", "ledger_transactions.id"],
                                name="fk_ledger_entries_organization_id_ledger_transactions"),
    )
    op.create_index("ix_ledger_entries_organization_id_account_posted_at", "ledger_entries",
                    ["organization_id", "account", "posted_at"])
    op.create_index("ix_ledger_entries_organization_id_customer_id_account", "ledger_entries",
                    ["organization_id", "customer_id", "account"])
    op.create_table(
        "invoice_runs",
        _id("id"), _id("organization_id"),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("finalize", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        _instant("created_at"), _instant("started_at", nullable=True), _instant("finished_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_runs"),
        sa.UniqueConstraint("organization_id", "id", name="uq_invoice_runs_organization_id_id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_invoice_runs_organization_id_organizations"),
    )
    op.create_index("ix_invoice_runs_organization_id_period_start_period_end", "invoice_runs",
                    ["organization_id", "period_start", "period_end"])
    op.create_index("ix_invoice_runs_status", "invoice_runs", ["status"])
    for statement in POSTGRES_CHECKS if op.get_bind().dialect.name == "postgresql" else SQLITE_CHECKS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_entries_balanced ON ledger_entries")
        op.execute("DROP TRIGGER ledger_entries_immutable ON ledger_entries")
        op.execute("DROP TRIGGER ledger_transactions_immutable ON ledger_transactions")
        op.execute("DROP FUNCTION ledger_check_balanced()")
        op.execute("DROP FUNCTION ledger_refuse_change()")
        op.execute("DROP TRIGGER charges_keep_invoice ON charges")
        op.execute("DROP FUNCTION charges_keep_invoice()")
    for table in ("invoice_runs", "ledger_entries", "ledger_transactions", "document_counters", "invoice_payments",
                  "invoice_lines", "invoices", "charge_details", "charges", "customers"):
        op.drop_table(table)
    op.drop_column("mail_outbox", "attachments")
    op.drop_column("drivers", "customer_id")
    with op.batch_alter_table("organizations") as batch:
        for column in ("plan_fee_vat", "vat_exemption_reason", "vat_exemption_category", "payment_terms_days",
                       "invoice_day", "auto_finalize_invoices", "credit_note_number_prefix", "invoice_number_prefix",
                       "bic", "iban", "vat_id", "billing_address", "legal_name"):
            batch.drop_column(column)
