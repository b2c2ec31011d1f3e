"""Identity and tenancy: users, organizations, members, invitations, API keys, access tokens,
the mail outbox and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-05-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the sizes in adapters/sql/tables.py as they were at this revision.
ID = 40
EMAIL = 254
NAME = 200
ENUM = 16
HASH = 128


def _instant(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("email", sa.String(EMAIL), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("contact_email", sa.String(EMAIL), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("billing_email", sa.String(EMAIL), nullable=True),
        sa.Column("notifications", sa.JSON(), nullable=False),
        sa.Column("default_tariff_id", sa.String(ID), nullable=True),
        _instant("created_at"),
        _instant("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("organization_id", sa.String(ID), nullable=False),
        sa.Column("user_id", sa.String(ID), nullable=False),
        sa.Column("role", sa.String(ENUM), nullable=False),
        _instant("joined_at"),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_members_organization_id_organizations"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_members_user_id_users"),
        sa.UniqueConstraint("organization_id", "user_id", name="uq_members_organization_id_user_id"),
    )
    op.create_index("ix_members_organization_id_id", "members", ["organization_id", "id"])
    op.create_index("ix_members_user_id", "members", ["user_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("organization_id", sa.String(ID), nullable=False),
        sa.Column("email", sa.String(EMAIL), nullable=False),
        sa.Column("role", sa.String(ENUM), nullable=False),
        sa.Column("token_hash", sa.String(HASH), nullable=False),
        sa.Column("invited_by", sa.String(ID), nullable=True),
        _instant("created_at"),
        _instant("expires_at"),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("accepted_by", sa.String(ID), nullable=True),
        _instant("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_invitations_organization_id_organizations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
    )
    op.create_index("ix_invitations_organization_id_id", "invitations", ["organization_id", "id"])
    op.create_index("ix_invitations_organization_id_email", "invitations", ["organization_id", "email"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("organization_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("role", sa.String(ENUM), nullable=False),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(ID), nullable=True),
        _instant("created_at"),
        _instant("revoked_at", nullable=True),
        _instant("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_api_keys_organization_id_organizations"),
        sa.UniqueConstraint("secret_hash", name="uq_api_keys_secret_hash"),
    )
    op.create_index("ix_api_keys_organization_id_id", "api_keys", ["organization_id", "id"])
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("user_id", sa.String(ID), nullable=False),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        _instant("created_at"),
        _instant("expires_at"),
        sa.PrimaryKeyConstraint("id", name="pk_access_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_access_tokens_user_id_users"),
        sa.UniqueConstraint("secret_hash", name="uq_access_tokens_secret_hash"),
    )
    op.create_index("ix_access_tokens_user_id", "access_tokens", ["user_id"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("recipient", sa.String(EMAIL), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _instant("created_at"),
        sa.Column("status", sa.String(ENUM), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _instant("next_attempt_at", nullable=True),
        _instant("sent_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
    )
    op.create_index("ix_mail_outbox_status_next_attempt_at", "mail_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(HASH), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("response_content_type", sa.String(255), nullable=True),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("mail_outbox")
    op.drop_table("access_tokens")
    op.drop_table("api_keys")
    op.drop_table("invitations")
    op.drop_table("members")
    op.drop_table("organizations")
    op.drop_table("users")
