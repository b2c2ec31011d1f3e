"""The event feed: a place for every domain event in the order live streams read them (gRPC WatchSessions).

``domain_events.seq`` is null until the feed's sequencer numbers the event, after its commit and one
sequencer at a time (so no number can appear behind one a reader has passed); on PostgreSQL the numbers
come from a sequence. Events stored before this revision are numbered here in the order they were
recorded: they are history, committed before any stream could read them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCE = "domain_events_seq_seq"
BY_ORGANIZATION = "ix_domain_events_organization_id_seq"
UNSEQUENCED = "ix_domain_events_unsequenced"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint")
        op.add_column("domain_events", sa.Column("seq", sa.BigInteger, nullable=True))
        op.execute(f"UPDATE domain_events SET seq = numbered.seq FROM (SELECT id, nextval('{SEQUENCE}') AS seq "
                   "FROM (SELECT id FROM domain_events ORDER BY recorded_at, id) AS ordered) AS numbered "
                   "WHERE domain_events.id = numbered.id")
    else:
        with op.batch_alter_table("domain_events") as batch:
            batch.add_column(sa.Column("seq", sa.BigInteger, nullable=True))
        op.execute("UPDATE domain_events SET seq = numbered.seq FROM (SELECT id, row_number() OVER "
                   "(ORDER BY recorded_at, id) AS seq FROM domain_events) AS numbered "
                   "WHERE domain_events.id = numbered.id")
    op.create_index(BY_ORGANIZATION, "domain_events", ["organization_id", "seq"])
    op.create_index(UNSEQUENCED, "domain_events", ["recorded_at", "id"], postgresql_where=sa.text("seq IS NULL"),
                    sqlite_where=sa.text("seq IS NULL"))


def downgrade() -> None:
    op.drop_index(UNSEQUENCED, table_name="domain_events")
    op.drop_index(BY_ORGANIZATION, table_name="domain_events")
    with op.batch_alter_table("domain_events") as batch:
        batch.drop_column("seq")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SEQUENCE {SEQUENCE}")
