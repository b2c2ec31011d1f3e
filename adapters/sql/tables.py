"""The schema as SQLAlchemy Core tables: what the repositories query and what migrations must produce.

No ORM classes: repositories convert rows to domain objects explicitly. Ids are the domain's
prefixed ULIDs (``org_…``), enums are stored as their string values, instants as ``UtcDateTime``.
Every tenant-owned table carries ``organization_id`` and an index led by it, so each tenant
query is an index range scan and the schema stays shardable by organization.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from adapters.sql.utc_datetime import UtcDateTime

# Deterministic constraint names, so migrations can name (and later drop) exactly what exists.
metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

ID = 40
EMAIL = 254
NAME = 200
ENUM = 16
HASH = 128


def _id(name: str = "id", *, primary_key: bool = False, nullable: bool = False) -> Column:
    return Column(name, String(ID), primary_key=primary_key, nullable=nullable)


users = Table(
    "users", metadata,
    _id(primary_key=True),
    Column("email", String(EMAIL), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

organizations = Table(
    "organizations", metadata,
    _id(primary_key=True),
    Column("name", String(NAME), nullable=False),
    Column("country", String(2), nullable=False),
    Column("contact_email", String(EMAIL), nullable=False),
    # Settings are columns, not a blob: reports and billing filter on currency and timezone.
    Column("currency", String(3), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("billing_email", String(EMAIL), nullable=True),
    Column("notifications", JSON, nullable=False),
    Column("default_tariff_id", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

members = Table(
    "members", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("role", String(ENUM), nullable=False),
    Column("joined_at", UtcDateTime, nullable=False),
    UniqueConstraint("organization_id", "user_id"),
    Index(None, "organization_id", "id"),
    Index(None, "user_id"),
)

invitations = Table(
    "invitations", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("email", String(EMAIL), nullable=False),
    Column("role", String(ENUM), nullable=False),
    Column("token_hash", String(HASH), nullable=False, unique=True),
    _id("invited_by", nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("status", String(ENUM), nullable=False),
    _id("accepted_by", nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Index(None, "organization_id", "id"),
    Index(None, "organization_id", "email"),
)

api_keys = Table(
    "api_keys", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("role", String(ENUM), nullable=False),
    Column("secret_hash", String(HASH), nullable=False, unique=True),
    Column("prefix", String(32), nullable=False),
    # A user or another API key created it; either id fits, so no foreign key.
    _id("created_by", nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
    Index(None, "organization_id", "id"),
)

access_tokens = Table(
    "access_tokens", metadata,
    _id(primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("secret_hash", String(HASH), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index(None, "user_id"),
)

mail_outbox = Table(
    "mail_outbox", metadata,
    _id(primary_key=True),
    Column("recipient", String(EMAIL), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    # The relay's question, "what is pending and due", answered from the index alone.
    Index(None, "status", "next_attempt_at"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("scope", Text, nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(HASH), nullable=False),
    # NULL while the first request is in flight.
    Column("response_status", Integer, nullable=True),
    Column("response_body", LargeBinary, nullable=True),
    Column("response_content_type", String(255), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("scope", "key"),
    Index(None, "created_at"),
)
