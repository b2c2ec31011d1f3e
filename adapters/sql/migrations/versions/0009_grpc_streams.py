"""The event feed's order: the storing transaction and a sequence on every domain event (gRPC live streams).

``txid`` is the id of the transaction that stored the event on PostgreSQL (its default), 0 on SQLite;
``seq`` from a sequence on PostgreSQL, given by the repository on SQLite (writers there are serial). Events
stored before this revision keep their order of storage on SQLite, of the table on PostgreSQL: they are
history, committed before any stream could read them.

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_domain_events_organization_id_txid_seq"
SEQUENCE = "domain_events_seq_seq"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("domain_events", sa.Column("txid", sa.BigInteger, nullable=False,
                                                 server_default=sa.text("(pg_current_xact_id()::text::bigint)")))
        # Existing rows take the sequence's first values. It is not OWNED BY the column (that would make it a
        # BIGSERIAL, whose default Alembic leaves out when it compares the schema with tables.py).
        op.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint")
        op.add_column("domain_events", sa.Column("seq", sa.BigInteger, nullable=False,
                                                 server_default=sa.text(f"nextval('{SEQUENCE}'::regclass)")))
    else:
        with op.batch_alter_table("domain_events") as batch:
            batch.add_column(sa.Column("txid", sa.BigInteger, nullable=False, server_default=sa.text("0")))
            batch.add_column(sa.Column("seq", sa.BigInteger, nullable=True))
        op.execute("UPDATE domain_events SET seq = rowid")
        with op.batch_alter_table("domain_events") as batch:
            # No default: the repository gives each event the next of its organization (writers are serial).
            batch.alter_column("seq", existing_type=sa.BigInteger, nullable=False, server_default=sa.text("NULL"))
    op.create_index(INDEX, "domain_events", ["organization_id", "txid", "seq"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="domain_events")
    with op.batch_alter_table("domain_events") as batch:
        batch.drop_column("seq")
        batch.drop_column("txid")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SEQUENCE {SEQUENCE}")
