"""The schema as SQLAlchemy Core tables: what the repositories query and what migrations must produce.

No ORM classes: repositories convert rows to domain objects explicitly. Ids are the domain's
prefixed ULIDs (``org_…``), enums are stored as their string values, instants as ``UtcDateTime``.
Every tenant-owned table carries ``organization_id`` and an index led by it, so each tenant
query is an index range scan and the schema stays shardable by organization.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from adapters.sql.exact_decimal import ExactDecimal
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
CHARGE_POINT_ID = 48   # the OCPP identity, at most 48 characters (OCPP 2.0.1)
ID_TAG = 36            # OCPP 2.0.1 IdToken; the domain refuses longer driver tags
WIRE_ID = 64           # identifiers charge points choose (transaction ids, presented tags): room for lenient ones
CONNECTOR_TYPE = 32    # an OCPI connector type (the longest is 21 characters)


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
    # Billing settings (the seller on its invoices, numbering, runs): NULL until set.
    Column("legal_name", String(NAME), nullable=True),
    Column("billing_address", JSON, nullable=True),
    Column("vat_id", String(32), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("invoice_number_prefix", String(20), nullable=False, server_default="INV-"),
    Column("credit_note_number_prefix", String(20), nullable=False, server_default="CN-"),
    Column("auto_finalize_invoices", Boolean, nullable=False, server_default=false()),
    Column("invoice_day", Integer, nullable=False, server_default="1"),
    Column("payment_terms_days", Integer, nullable=False, server_default="14"),
    Column("vat_exemption_category", String(2), nullable=False, server_default="E"),
    Column("vat_exemption_reason", Text, nullable=True),
    Column("plan_fee_vat", ExactDecimal, nullable=True),
    # Collection (migration 0006): the provider, a Stripe Connect account, the retry schedule.
    Column("payment_provider", String(ENUM), nullable=False, server_default="bank_transfer"),
    Column("stripe_account", String(255), nullable=True),
    Column("payment_retry_days", JSON, nullable=True),          # NULL: the default schedule (1, 3, 7 days)
    Column("uncollectible_after_retries", Boolean, nullable=False, server_default=false()),
    Column("dispute_window_days", Integer, nullable=False, server_default="90"),
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
    # Attachments it names, rendered when sent (``AttachmentRef``): a JSON array, never the bytes.
    Column("attachments", JSON, nullable=True),
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

# The charging network. Children name their parent by (organization_id, parent id): the foreign key
# then also proves the child belongs to its parent's tenant, and it is the co-located form a
# sharded (Citus) schema requires. Each parent's UNIQUE (organization_id, id) is that key's target
# and the index its tenant lists page through. Strings a charge point sends (vendor, statuses,
# measurands) are Text: the OCPP door checks them, and a lenient charger must not make storage fail.

locations = Table(
    "locations", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("address", String(300), nullable=False),
    Column("city", String(NAME), nullable=False),
    Column("country", String(2), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("latitude", ExactDecimal, nullable=True),
    Column("longitude", ExactDecimal, nullable=True),
    _id("site_owner_id", nullable=True),
    _id("project_id", nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # The assigned tariff, if any. No foreign key: like organizations.default_tariff_id it names a
    # tariff that pricing looks up (and does without when it is gone).
    _id("tariff_id", nullable=True),
    UniqueConstraint("organization_id", "id"),
)

charge_points = Table(
    "charge_points", metadata,
    # The OCPP identity is the key: unique across tenants, since it alone names a connecting charger.
    Column("id", String(CHARGE_POINT_ID), primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    _id("location_id"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("vendor", Text, nullable=True),
    Column("model", Text, nullable=True),
    Column("serial_number", Text, nullable=True),
    Column("firmware_version", Text, nullable=True),
    Column("ocpp_version", String(ENUM), nullable=True),
    Column("registration_status", String(ENUM), nullable=False),
    Column("validation_mode", String(ENUM), nullable=False),
    Column("online", Boolean, nullable=False),
    Column("last_heartbeat_at", UtcDateTime, nullable=True),
    Column("last_boot_at", UtcDateTime, nullable=True),
    Column("next_transaction_id", Integer, nullable=False),
    Column("next_reservation_id", Integer, nullable=False),
    _id("tariff_id", nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "location_id", "id"),
    ForeignKeyConstraint(["organization_id", "location_id"], ["locations.organization_id", "locations.id"]),
)

# Rows, not a JSON column on charge_points: a status report rewrites one small row instead of the
# charge point's whole list, and availability ("which connectors of this site are free") is a query.
connectors = Table(
    "connectors", metadata,
    Column("organization_id", String(ID), nullable=False),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    # The charge point's list order, which registration takes from the request as given.
    Column("position", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("error_code", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    # Its plug (an OCPI connector type) when the operator said so at registration.
    Column("type", String(CONNECTOR_TYPE), nullable=True),
    PrimaryKeyConstraint("organization_id", "charge_point_id", "evse_id", "connector_id"),
    ForeignKeyConstraint(["organization_id", "charge_point_id"],
                         ["charge_points.organization_id", "charge_points.id"]),
)

drivers = Table(
    "drivers", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("email", String(EMAIL), nullable=True),
    # No foreign key: drivers made before fleets were stored may name a fleet that never existed.
    _id("fleet_id", nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Who pays for its sessions (NULL: its fleet's customer, else a customer of its own made when first billed).
    _id("customer_id", nullable=True),
    # Its own charging policy (``ChargingPolicy.to_json``), replacing its fleet's; NULL: the fleet's.
    Column("policy", JSON, nullable=True),
    # The vehicle it drives now; vehicle_assignments keeps the history.
    _id("vehicle_id", nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "fleet_id"),
)

# The key is the rule: within an organization a tag names one driver; other tenants may reuse it.
driver_id_tags = Table(
    "driver_id_tags", metadata,
    Column("organization_id", String(ID), nullable=False),
    Column("id_tag", String(ID_TAG), nullable=False),
    _id("driver_id"),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("organization_id", "id_tag"),
    Index(None, "organization_id", "driver_id"),
    ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"]),
)

sessions = Table(
    "sessions", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("transaction_id", String(WIRE_ID), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("connector_id", Integer, nullable=True),
    Column("evse_id", Integer, nullable=True),
    Column("id_tag", String(WIRE_ID), nullable=True),
    _id("driver_id", nullable=True),
    Column("started_at", UtcDateTime, nullable=True),
    Column("stopped_at", UtcDateTime, nullable=True),
    # Energy in Wh as reported (kWh registers are converted, so up to 3 decimals and more digits
    # than a float holds on a long-lived meter).
    Column("meter_start_wh", ExactDecimal, nullable=True),
    Column("meter_stop_wh", ExactDecimal, nullable=True),
    Column("first_reading_at", UtcDateTime, nullable=True),
    Column("first_reading_wh", ExactDecimal, nullable=True),
    Column("last_reading_at", UtcDateTime, nullable=True),
    Column("last_reading_wh", ExactDecimal, nullable=True),
    Column("stop_reason", Text, nullable=True),
    Column("offline", Boolean, nullable=False),
    # A sorted JSON array: read and written whole with the session, never queried into.
    Column("seen_seq_nos", JSON, nullable=False),
    Column("last_event_at", UtcDateTime, nullable=True),
    # The start message's own fields, so a retried StartTransaction finds its session. NULLs are
    # distinct in a UNIQUE constraint on both engines: sessions opened otherwise have none.
    Column("start_key", Text, nullable=True),
    # Pricing, frozen when the session opens (all NULL when unpriced): the tariff version and plan.
    # No foreign keys, as for the charge point's tariff_id: a session outlives what priced it.
    _id("tariff_id", nullable=True),
    Column("tariff_version", Integer, nullable=True),
    _id("plan_id", nullable=True),
    # The cost, written once when the session completes: NULL columns until then.
    Column("cost_currency", String(3), nullable=True),
    Column("cost_total_excl_vat", ExactDecimal, nullable=True),
    Column("cost_vat", ExactDecimal, nullable=True),
    Column("cost_total", ExactDecimal, nullable=True),
    Column("cost_breakdown", JSON, nullable=True),
    # Some reading was not counted (its reasons are in session_anomalies); only ever set, never cleared.
    Column("flagged", Boolean, nullable=False, server_default=false()),
    # Who charged as they were at the start (the fleet pays), no foreign keys: a session outlives both.
    _id("fleet_id", nullable=True),
    _id("vehicle_id", nullable=True),
    # The energy cap its driver's policy set at the start, and the central system's request to stop there.
    Column("energy_cap_wh", ExactDecimal, nullable=True),
    Column("energy_cap_reason", String(32), nullable=True),
    Column("stop_requested_at", UtcDateTime, nullable=True),
    Column("stop_requested_reason", String(32), nullable=True),
    Column("stop_request_answer", String(32), nullable=True),
    UniqueConstraint("organization_id", "id"),
    UniqueConstraint("charge_point_id", "transaction_id"),
    UniqueConstraint("charge_point_id", "start_key"),
    # The session list is newest first by id, within a tenant, under each filter it offers.
    Index(None, "organization_id", "charge_point_id", "id"),
    Index(None, "organization_id", "driver_id", "id"),
    Index(None, "organization_id", "status", "id"),
    Index(None, "organization_id", "started_at"),
    Index(None, "organization_id", "fleet_id", "id"),
    ForeignKeyConstraint(["organization_id", "charge_point_id"],
                         ["charge_points.organization_id", "charge_points.id"]),
    ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"]),
)

# One row per reading, the busiest table. The key is what makes two samples the same reading
# (MeterSample.key), led by the tenant and the session: dedupe, the per-session read in time order
# and sharding all use it, and no other index is kept. phase and location are '' for "none"
# (converted back to None on read): NULLs are never equal in a key, so replays would be stored
# twice. timestamp in the key leaves room to partition by time. No foreign key to sessions: samples
# are only written beside their session's row (the meter sink upserts it in the same transaction),
# and the check (an index probe and a row lock per sample) cost a third of the insert rate.
meter_samples = Table(
    "meter_samples", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("session_id"),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("measurand", Text, nullable=False),
    Column("phase", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("value", ExactDecimal, nullable=False),
    Column("unit", Text, nullable=True),
    Column("context", Text, nullable=True),
    PrimaryKeyConstraint("organization_id", "session_id", "timestamp", "measurand", "phase", "location"),
)

# Readings a session refused to count (a register that ran backwards, or jumped beyond what a
# charger can deliver), each kept once per instant and kind: written beside the samples.
session_anomalies = Table(
    "session_anomalies", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("session_id"),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    PrimaryKeyConstraint("organization_id", "session_id", "at", "kind"),
)

# Transactions a charge point reported without their start: its messages kept (as JSON, for the
# operator and for adoption by a late 2.0.1 Started), never billed.
orphan_transactions = Table(
    "orphan_transactions", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("transaction_id", String(WIRE_ID), nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("messages", JSON, nullable=False),
    Column("received", Integer, nullable=False),
    _id("adopted_by", nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "charge_point_id", "transaction_id"),
    Index(None, "organization_id", "charge_point_id", "id"),
    ForeignKeyConstraint(["organization_id", "charge_point_id"],
                         ["charge_points.organization_id", "charge_points.id"]),
)

reservations = Table(
    "reservations", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("id_tag", String(ID_TAG), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ocpp_reservation_id", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    _id("session_id", nullable=True),
    UniqueConstraint("organization_id", "id"),
    UniqueConstraint("charge_point_id", "ocpp_reservation_id"),
    # "Active on this charge point" at every authorization; "active and past expiry" for the expiry job.
    Index(None, "charge_point_id", "status"),
    Index(None, "status", "expires_at"),
    ForeignKeyConstraint(["organization_id", "charge_point_id"],
                         ["charge_points.organization_id", "charge_points.id"]),
    ForeignKeyConstraint(["organization_id", "session_id"], ["sessions.organization_id", "sessions.id"]),
)

# Pricing. A tariff is its versions: every update adds one and a stored version never changes, so a
# session keeps pricing by the version in force when it started. A version is stored as the tariff's
# JSON document (``tariff_to_json``), read back with ``parse_tariff``: only the REST shape is kept.

tariffs = Table(
    "tariffs", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("organization_id", "id"),
)

tariff_versions = Table(
    "tariff_versions", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("tariff_id"),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("organization_id", "tariff_id", "version"),
    ForeignKeyConstraint(["organization_id", "tariff_id"], ["tariffs.organization_id", "tariffs.id"]),
)

membership_plans = Table(
    "membership_plans", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("monthly_fee_amount", ExactDecimal, nullable=False),
    Column("monthly_fee_currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Either the plan's own tariff (no foreign key, as elsewhere) or a discount percentage.
    _id("tariff_id", nullable=True),
    Column("discount_percent", ExactDecimal, nullable=True),
    UniqueConstraint("organization_id", "id"),
)

subscriptions = Table(
    "subscriptions", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("plan_id"),
    _id("driver_id"),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("organization_id", "id"),
    # "The driver's subscription in force at this instant", asked as every session opens.
    Index(None, "organization_id", "driver_id", "starts_at"),
    Index(None, "organization_id", "plan_id", "id"),
    ForeignKeyConstraint(["organization_id", "plan_id"], ["membership_plans.organization_id", "membership_plans.id"]),
    ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"]),
)



FEED_SEQUENCE = "domain_events_seq_seq"   # PostgreSQL: where the feed's numbers come from (migration 0009)


# The event outbox: every domain event, stored in the transaction of the change that raised it, then
# handed to its handlers after the commit (application/events.py). ``next_attempt_at`` is when a
# pending event is due; while a dispatcher holds it, the end of its lease. ``seq`` is the event's place in
# the feed live streams resume from: null until the feed's sequencer numbers it, after its commit, one
# sequencer at a time (application/event_feed.py, adapters/sql/repositories/events.py).
domain_events = Table(
    "domain_events", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("name", String(64), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("handled_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("seq", BigInteger, nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "organization_id", "seq"),
    # The events still to number: few at any time, found without reading the others.
    Index("ix_domain_events_unsequenced", "recorded_at", "id", postgresql_where=text("seq IS NULL"),
          sqlite_where=text("seq IS NULL")),
)

# Billing. Money the ledger sums is integer minor units (exact on both engines, and SQL can add it);
# invoice amounts are ExactDecimal, summed in Python. Rows of the ledger are never updated or deleted
# (triggers refuse it, see migration 0005); ``info={"immutable": True}`` tells the tests' cleanup.

customers = Table(
    "customers", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("email", String(EMAIL), nullable=False),
    Column("billing_address", JSON, nullable=True),
    Column("tax_id", String(32), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("payment_terms_days", Integer, nullable=True),
    Column("invoice_delivery", String(ENUM), nullable=False),
    _id("driver_id", nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
    _id("fleet_id", nullable=True),
    UniqueConstraint("organization_id", "id"),
    # A driver is billed as at most one customer of its own (NULLs are distinct: operators' customers).
    UniqueConstraint("organization_id", "driver_id"),
    # A fleet likewise (a unique index: SQLite adds one without rebuilding the table).
    Index("uq_customers_organization_id_fleet_id", "organization_id", "fleet_id", unique=True),
)

# What invoices bill (``domain.billing.invoices.Charge``): a priced session (``id`` is the session's) or a plan
# fee (``sub_…/YYYY-MM``), its customer, and the invoice it went on (NULL: waiting), which it keeps forever.
# Narrow on purpose: a run sets ``invoice_id`` on a million of them; their lines and their row of the
# sessions table never change, and are in ``charge_details``. A run walks the partial index of waiting
# charges by customer; an invoice reads its charges through the other.
charges = Table(
    "charges", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("customer_id", nullable=True),
    Column("currency", String(3), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("net_amount", ExactDecimal, nullable=False),
    _id("invoice_id", nullable=True),
    Index("ix_charges_pending", "organization_id", "customer_id", "currency", "started_at",
          sqlite_where=text("invoice_id IS NULL"), postgresql_where=text("invoice_id IS NULL")),
    Index("ix_charges_invoice", "organization_id", "invoice_id", "started_at", "id",
          sqlite_where=text("invoice_id IS NOT NULL"), postgresql_where=text("invoice_id IS NOT NULL")),
)

charge_details = Table(
    "charge_details", metadata,
    _id("charge_id", primary_key=True),
    Column("lines", JSON, nullable=False),
    Column("session", JSON, nullable=True),
    ForeignKeyConstraint(["charge_id"], ["charges.id"]),
)

invoices = Table(
    "invoices", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    _id("customer_id"),
    Column("kind", String(ENUM), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    # "YYYY-MM-DD/YYYY-MM-DD" on invoices, NULL on credit notes: one invoice per customer, period and currency.
    Column("run_key", String(32), nullable=True),
    Column("status", String(ENUM), nullable=False),
    Column("number", String(40), nullable=True),
    Column("issue_date", Date, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("seller", JSON, nullable=True),
    Column("buyer", JSON, nullable=True),
    Column("payment_reference", String(40), nullable=True),
    Column("total_excl_vat", ExactDecimal, nullable=False),
    Column("vat", ExactDecimal, nullable=False),
    Column("total", ExactDecimal, nullable=False),
    Column("credited", ExactDecimal, nullable=False),
    Column("written_off", ExactDecimal, nullable=False),
    _id("corrects", nullable=True),
    Column("corrects_number", String(40), nullable=True),
    Column("reason", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finalized_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    # Collection by a card provider (migration 0006): attempts made, the last one's failure, the next one's time.
    Column("payment_attempts", Integer, nullable=False, server_default="0"),
    Column("last_payment_error", String(255), nullable=True),
    Column("next_payment_attempt_at", UtcDateTime, nullable=True),
    UniqueConstraint("organization_id", "id"),
    UniqueConstraint("organization_id", "customer_id", "currency", "run_key"),
    UniqueConstraint("organization_id", "kind", "number"),
    Index(None, "organization_id", "customer_id", "id"),
    Index(None, "organization_id", "status", "id"),
    Index(None, "organization_id", "corrects"),
)

# A credit note's own lines, in order (an invoice's lines are its charges').
invoice_lines = Table(
    "invoice_lines", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("invoice_id"),
    Column("position", Integer, nullable=False),
    Column("line", JSON, nullable=False),
    PrimaryKeyConstraint("organization_id", "invoice_id", "position"),
    ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"]),
)

invoice_payments = Table(
    "invoice_payments", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("invoice_id"),
    Column("amount", ExactDecimal, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("reference", String(140), nullable=True),
    Column("method", String(32), nullable=False),
    Column("provider_reference", String(255), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=True),
    Index(None, "organization_id", "invoice_id"),
    ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"]),
    # A provider's payment (a PaymentIntent) is recorded once, on one invoice: never paid twice (0006).
    Index("ux_invoice_payments_provider", "method", "provider_reference", unique=True,
          sqlite_where=text("provider_reference IS NOT NULL"), postgresql_where=text("provider_reference IS NOT NULL")),
)

# Collection (migration 0006). Refunds of invoices' payments, each once (a provider's re_… is unique).
invoice_refunds = Table(
    "invoice_refunds", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("invoice_id"),
    _id("payment_id"),
    Column("amount", ExactDecimal, nullable=False),
    Column("reason", Text, nullable=False),
    Column("method", String(32), nullable=False),
    Column("provider_reference", String(255), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    _id("credit_note_id", nullable=True),
    Index(None, "organization_id", "invoice_id"),
    Index("ux_invoice_refunds_provider", "method", "provider_reference", unique=True,
          sqlite_where=text("provider_reference IS NOT NULL"), postgresql_where=text("provider_reference IS NOT NULL")),
    ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"]),
)

payment_methods = Table(
    "payment_methods", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    _id("customer_id"),
    Column("provider", String(32), nullable=False),
    Column("kind", String(ENUM), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("provider_reference", String(255), nullable=True),
    Column("setup_reference", String(255), nullable=True),
    Column("client_secret", String(255), nullable=True),
    Column("label", String(120), nullable=False),
    Column("brand", String(32), nullable=True),
    Column("last4", String(4), nullable=True),
    Column("exp_month", Integer, nullable=True),
    Column("exp_year", Integer, nullable=True),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
    Index(None, "organization_id", "customer_id"),
    Index(None, "organization_id", "setup_reference"),
    ForeignKeyConstraint(["organization_id", "customer_id"], ["customers.organization_id", "customers.id"]),
)

# A customer's id at a provider (Stripe's cus_…), made on demand.
provider_customers = Table(
    "provider_customers", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("customer_id"),
    Column("provider", String(32), nullable=False),
    Column("reference", String(255), nullable=False),
    PrimaryKeyConstraint("organization_id", "customer_id", "provider"),
    ForeignKeyConstraint(["organization_id", "customer_id"], ["customers.organization_id", "customers.id"]),
)

# Each provider event applied once: its id is stored by the transaction that applies it.
provider_events = Table(
    "provider_events", metadata,
    Column("provider", String(32), nullable=False),
    Column("event_id", String(255), nullable=False),
    Column("type", String(120), nullable=False),
    Column("organization_id", String(ID), nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("provider", "event_id"),
    Index(None, "organization_id", "received_at"),
)

chargebacks = Table(
    "chargebacks", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    _id("invoice_id"),
    _id("customer_id"),
    _id("payment_id"),
    Column("provider", String(32), nullable=False),
    Column("provider_reference", String(255), nullable=False),
    Column("amount", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(120), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    UniqueConstraint("provider", "provider_reference"),
    Index(None, "organization_id", "opened_at"),
    ForeignKeyConstraint(["organization_id", "invoice_id"], ["invoices.organization_id", "invoices.id"]),
)

# Credits read from imported bank statements; ``key`` (the bank's reference of the entry) once per organization.
statement_lines = Table(
    "statement_lines", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("key", String(255), nullable=False),
    Column("booked_on", Date, nullable=False),
    Column("amount", ExactDecimal, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reference", String(140), nullable=True),
    Column("counterparty", String(140), nullable=True),
    Column("status", String(ENUM), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    _id("invoice_id", nullable=True),
    _id("payment_id", nullable=True),
    UniqueConstraint("organization_id", "key"),
    Index(None, "organization_id", "booked_on"),
)

# The gap-free numbers: one row per organization and series, locked by the finalizing transaction.
document_counters = Table(
    "document_counters", metadata,
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("series", String(ENUM), nullable=False),
    Column("last_value", Integer, nullable=False),
    PrimaryKeyConstraint("organization_id", "series"),
)

ledger_transactions = Table(
    "ledger_transactions", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("source_kind", String(ENUM), nullable=False),
    _id("source_id"),
    Column("posted_at", UtcDateTime, nullable=False),
    Column("description", Text, nullable=False),
    _id("customer_id", nullable=True),
    _id("invoice_id", nullable=True),
    _id("session_id", nullable=True),
    # How many entries it has: SQLite, which has no deferred triggers, checks the sums when the last arrives.
    Column("entry_count", Integer, nullable=False),
    UniqueConstraint("organization_id", "source_kind", "source_id"),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "customer_id", "id"),
    Index(None, "organization_id", "invoice_id"),
    Index(None, "organization_id", "session_id"),
    info={"immutable": True},
)

ledger_entries = Table(
    "ledger_entries", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("transaction_id"),
    Column("position", Integer, nullable=False),
    Column("account", String(80), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("debit_minor", BigInteger, nullable=False),
    Column("credit_minor", BigInteger, nullable=False),
    # Copied from the transaction so the trial balance and balances are one scan of the entries.
    Column("posted_at", UtcDateTime, nullable=False),
    _id("customer_id", nullable=True),
    PrimaryKeyConstraint("organization_id", "transaction_id", "position"),
    Index(None, "organization_id", "account", "posted_at"),
    Index(None, "organization_id", "customer_id", "account"),
    ForeignKeyConstraint(["organization_id", "transaction_id"],
                         ["ledger_transactions.organization_id", "ledger_transactions.id"]),
    info={"immutable": True},
)

invoice_runs = Table(
    "invoice_runs", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("finalize", Boolean, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("error", Text, nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "period_start", "period_end"),
    Index(None, "status"),
)

# Reports (docs/reports.md). A completed session's fact, with the local calendar of its location, and rollups
# the SQL reports adapter keeps beside it in the same transaction (per location and per connector, by day and
# by month; sessions started per local hour), so that a report over a year adds thousands of rows, not a
# million. The ledger's revenue, VAT and refund accounts are rolled up by a trigger per quarter hour (UTC):
# every zone's local midnight falls on one, so a report buckets them into any zone's days exactly.

_COUNTS = ("sessions", "energy_mwh", "duration_us", "charging_us", "idle_us", "occupied_us")
HOURS = tuple(f"h{hour:02d}" for hour in range(24))


FLEET_MEASURES = ("sessions", "energy_mwh", "duration_us", "charging_us", "idle_us", "cost_minor")


def _measures() -> list[Column]:
    return [Column(name, BigInteger, nullable=False) for name in _COUNTS]


session_facts = Table(
    "session_facts", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("session_id"),
    _id("location_id"),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    _id("driver_id", nullable=True),
    _id("tariff_id", nullable=True),
    Column("timezone", String(64), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("stopped_at", UtcDateTime, nullable=False),
    Column("local_date", Date, nullable=False),
    Column("local_hour", Integer, nullable=False),
    Column("energy_mwh", BigInteger, nullable=False),
    Column("duration_us", BigInteger, nullable=False),
    Column("charging_us", BigInteger, nullable=False),
    Column("idle_us", BigInteger, nullable=False),
    # The session's posting in the ledger (net credited to charging revenue), once booked.
    Column("revenue_currency", String(3), nullable=True),
    Column("revenue_minor", BigInteger, nullable=True),
    Column("revenue_posted_at", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("organization_id", "session_id"),
    Index(None, "organization_id", "local_date"),
    # Revenue by location: the postings of a window, with what they are grouped by, from the index alone.
    Index("ix_session_facts_revenue", "organization_id", "revenue_posted_at", "location_id", "revenue_currency",
          "revenue_minor"),
    # The fleet and vehicle the session recorded at its start (migration 0013): fleet costs, usage by fleet.
    _id("fleet_id", nullable=True),
    _id("vehicle_id", nullable=True),
    Index(None, "organization_id", "fleet_id", "local_date"),
)

# Sessions per local month (of their location) and who charged them: fleet, vehicle and driver as the session
# recorded them ('' for none: a key column, never NULL) and the currency the ledger booked them in ('' until it
# did), with what it booked (migration 0013). Fleet costs and usage by fleet, vehicle or driver add these rows
# for the months a window covers whole.
report_fleet_months = Table(
    "report_fleet_months", metadata,
    Column("organization_id", String(ID), nullable=False),
    Column("local_month", Date, nullable=False),
    _id("fleet_id"),
    _id("vehicle_id"),
    _id("driver_id"),
    Column("currency", String(3), nullable=False),
    *(Column(name, BigInteger, nullable=False) for name in FLEET_MEASURES),
    PrimaryKeyConstraint("organization_id", "local_month", "fleet_id", "vehicle_id", "driver_id", "currency"),
    Index(None, "organization_id", "fleet_id", "local_month"),
)

report_location_days = Table(
    "report_location_days", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("location_id"),
    Column("local_date", Date, nullable=False),
    *_measures(),
    PrimaryKeyConstraint("organization_id", "location_id", "local_date"),
    Index(None, "organization_id", "local_date"),
)

report_location_months = Table(
    "report_location_months", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("location_id"),
    Column("local_month", Date, nullable=False),      # the month's first day
    *_measures(),
    PrimaryKeyConstraint("organization_id", "location_id", "local_month"),
)

# Sessions started in each local hour of a location's day (peak hours), apart from the day's figures so that
# usage reads narrow rows.
report_location_hours = Table(
    "report_location_hours", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("location_id"),
    Column("local_date", Date, nullable=False),
    Column("weekday", Integer, nullable=False),      # ISO: 1 is Monday
    *(Column(name, Integer, nullable=False) for name in HOURS),
    PrimaryKeyConstraint("organization_id", "location_id", "local_date"),
    Index(None, "organization_id", "local_date"),
)

_CONNECTOR = ("organization_id", "location_id", "charge_point_id", "evse_id", "connector_id")


def _connector_key() -> list[Column]:
    return [Column("organization_id", String(ID), nullable=False), _id("location_id"),
            Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
            Column("evse_id", Integer, nullable=False), Column("connector_id", Integer, nullable=False)]


report_connector_days = Table(
    "report_connector_days", metadata,
    *_connector_key(),
    Column("local_date", Date, nullable=False),
    *_measures(),
    PrimaryKeyConstraint(*_CONNECTOR, "local_date"),
    Index(None, "organization_id", "local_date"),
)

report_connector_months = Table(
    "report_connector_months", metadata,
    *_connector_key(),
    Column("local_month", Date, nullable=False),      # the month's first day
    *_measures(),
    PrimaryKeyConstraint(*_CONNECTOR, "local_month"),
    Index(None, "organization_id", "local_month"),
)

# Revenue the ledger booked for sessions, per location and local date of the organization's zone (the books'
# days), under the zone it was written in: after the organization changes zone, reads fall back to the facts
# until ``charge report rebuild`` writes it again.
report_revenue_days = Table(
    "report_revenue_days", metadata,
    Column("organization_id", String(ID), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("local_date", Date, nullable=False),
    _id("location_id"),
    Column("currency", String(3), nullable=False),
    Column("revenue_minor", BigInteger, nullable=False),
    PrimaryKeyConstraint("organization_id", "timezone", "local_date", "location_id", "currency"),
)

ledger_quarter_hours = Table(
    "ledger_quarter_hours", metadata,
    Column("organization_id", String(ID), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("account", String(80), nullable=False),
    Column("quarter_at", UtcDateTime, nullable=False),
    Column("debit_minor", BigInteger, nullable=False),
    Column("credit_minor", BigInteger, nullable=False),
    PrimaryKeyConstraint("organization_id", "quarter_at", "currency", "account"),
)

# Fleets (issue 13): a fleet's policy is its JSON form (``ChargingPolicy.to_json``, read back with
# ``parse_policy``); its customer is the one it names (NULL: its own, made when first billed).

fleets = Table(
    "fleets", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    _id("customer_id", nullable=True),
    Column("policy", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
    UniqueConstraint("organization_id", "id"),
)

vehicles = Table(
    "vehicles", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("fleet_id"),
    Column("vin", String(17), nullable=False),
    Column("make", String(100), nullable=False),
    Column("model", String(100), nullable=False),
    Column("battery_kwh", ExactDecimal, nullable=False),
    Column("connector_types", JSON, nullable=False),
    Column("licence_plate", String(20), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
    UniqueConstraint("organization_id", "id"),
    UniqueConstraint("organization_id", "vin"),
    Index(None, "organization_id", "fleet_id", "id"),
    ForeignKeyConstraint(["organization_id", "fleet_id"], ["fleets.organization_id", "fleets.id"]),
)

# A vehicle's odometer readings, in metres (exact on both engines), read newest first and bracketing a report's
# window per vehicle through (organization_id, vehicle_id, read_at). They go with their vehicle.
vehicle_odometer_readings = Table(
    "vehicle_odometer_readings", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("vehicle_id"),
    Column("odometer_m", BigInteger, nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index(None, "organization_id", "vehicle_id", "read_at"),
    ForeignKeyConstraint(["organization_id", "vehicle_id"], ["vehicles.organization_id", "vehicles.id"]),
)

# Who drove what, when. No foreign key to vehicles: the history outlives a deleted vehicle. At most one
# current (unended) assignment per driver and per vehicle, by partial unique indexes on both engines.
vehicle_assignments = Table(
    "vehicle_assignments", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("driver_id"),
    _id("vehicle_id"),
    Column("assigned_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "driver_id", "id"),
    Index("uq_vehicle_assignments_current_driver", "organization_id", "driver_id", unique=True,
          sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    Index("uq_vehicle_assignments_current_vehicle", "organization_id", "vehicle_id", unique=True,
          sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"]),
)

# Every authorization decision, newest first per tenant and under each filter the log offers. No foreign
# keys: a row records what a charge point was told, whatever becomes of the driver or fleet since.
authorization_log = Table(
    "authorization_log", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("id_tag", Text, nullable=False),      # as presented: a lenient charge point may send a long one
    Column("trigger", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("result", String(ENUM), nullable=False),
    Column("reason", String(40), nullable=True),
    Column("detail", Text, nullable=True),
    _id("driver_id", nullable=True),
    _id("fleet_id", nullable=True),
    _id("vehicle_id", nullable=True),
    _id("location_id", nullable=True),
    Column("connector_id", Integer, nullable=True),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "driver_id", "id"),
    Index(None, "organization_id", "fleet_id", "id"),
    Index(None, "organization_id", "result", "id"),
)

# ------------------------------------------------------------------ the driver portal and disputes (0007)

# A driver's portal tokens: the secret's SHA-256 only (as for API keys), expiring, revocable.
portal_tokens = Table(
    "portal_tokens", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("driver_id"),
    Column("secret_hash", String(HASH), nullable=False, unique=True),
    Column("source", String(ENUM), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index(None, "organization_id", "driver_id", "id"),
    ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"]),
)

# One-time sign-in links emailed to drivers.
portal_magic_links = Table(
    "portal_magic_links", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("driver_id"),
    Column("secret_hash", String(HASH), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["organization_id", "driver_id"], ["drivers.organization_id", "drivers.id"]),
)

# Billing disputes. A session has at most one dispute that is not resolved or withdrawn (a partial unique
# index, on both engines); a chargeback is recorded once per provider dispute.
disputes = Table(
    "disputes", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("source", String(ENUM), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("outcome", String(24), nullable=True),
    Column("description", Text, nullable=False),
    Column("expected_amount", ExactDecimal, nullable=True),
    Column("expected_currency", String(3), nullable=True),
    Column("billed_amount", ExactDecimal, nullable=True),
    Column("billed_currency", String(3), nullable=True),
    _id("session_id", nullable=True),
    _id("driver_id", nullable=True),
    _id("invoice_id", nullable=True),
    Column("refund_amount", ExactDecimal, nullable=True),
    Column("resolution_note", Text, nullable=True),
    Column("assignee_id", String(ID), nullable=True),
    Column("provider_dispute_id", String(255), nullable=True),
    Column("settlement", JSON, nullable=False),
    Column("settlement_status", String(ENUM), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
    UniqueConstraint("organization_id", "provider_dispute_id"),
    Index(None, "organization_id", "status", "id"),
    Index(None, "organization_id", "driver_id", "id"),
    Index(None, "organization_id", "session_id"),
    Index("uq_disputes_active_session", "organization_id", "session_id", unique=True,
          postgresql_where=text("status IN ('open', 'under_review')"),
          sqlite_where=text("status IN ('open', 'under_review')")),
)

dispute_comments = Table(
    "dispute_comments", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("dispute_id"),
    Column("author_id", String(ID), nullable=True),
    Column("visibility", String(ENUM), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "organization_id", "dispute_id", "id"),
    ForeignKeyConstraint(["dispute_id"], ["disputes.id"]),
)

# The OCPP-J frames of each transaction as they crossed the wire: a dispute's evidence, pruned after the
# organization's dispute window and the retention setting (CHARGE_EVIDENCE_RETENTION_DAYS).
ocpp_frames = Table(
    "ocpp_frames", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    Column("charge_point_id", String(CHARGE_POINT_ID), nullable=False),
    Column("transaction_id", String(WIRE_ID), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("direction", String(4), nullable=False),
    Column("action", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Index("ix_ocpp_frames_transaction", "organization_id", "charge_point_id", "transaction_id", "at"),
    Index(None, "organization_id", "at"),
)


# ------------------------------------------------------------------- webhooks (migration 0012)

webhook_endpoints = Table(
    "webhook_endpoints", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("events", JSON, nullable=False),
    Column("description", Text, nullable=True),
    Column("secrets", JSON, nullable=False),        # [{value, created_at, expires_at}], newest first
    Column("status", String(ENUM), nullable=False),
    Column("failing_since", UtcDateTime, nullable=True),
    Column("disabled_reason", String(ENUM), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "organization_id", "status"),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("endpoint_id", String(ID), ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String(ID), nullable=False),
    Column("event_name", String(NAME), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("endpoint_id", "event_id"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "organization_id", "event_id"),
)

webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("delivery_id", String(ID), ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("attempted_at", UtcDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("response_excerpt", Text, nullable=True),
)


# ------------------------------------------------------------------------------- site owners (0011)

# The partners who host charge points. The profile is read and written whole with the owner (a JSON object);
# the payout account is columns (a payout run reads them).
site_owners = Table(
    "site_owners", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(NAME), nullable=False),
    Column("email", String(EMAIL), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("profile", JSON, nullable=False),
    Column("payout_account_holder", String(NAME), nullable=True),
    Column("payout_iban", String(34), nullable=True),
    Column("payout_bic", String(11), nullable=True),
    Column("agreement_version", String(16), nullable=True),
    Column("agreement_accepted_at", UtcDateTime, nullable=True),
    Column("onboarded_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("organization_id", "id"),
    UniqueConstraint("organization_id", "email"),
)

# One-time invitations (the secret's SHA-256 only) and the bearer tokens accepting one yields.
site_owner_invitations = Table(
    "site_owner_invitations", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("site_owner_id"),
    Column("email", String(EMAIL), nullable=False),
    Column("secret_hash", String(HASH), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("accepted_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["organization_id", "site_owner_id"], ["site_owners.organization_id", "site_owners.id"]),
)

site_owner_tokens = Table(
    "site_owner_tokens", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("site_owner_id"),
    Column("secret_hash", String(HASH), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index(None, "organization_id", "site_owner_id", "id"),
    ForeignKeyConstraint(["organization_id", "site_owner_id"], ["site_owners.organization_id", "site_owners.id"]),
)

projects = Table(
    "projects", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("site_owner_id"),
    Column("name", String(NAME), nullable=False),
    Column("revenue_share_percent", ExactDecimal, nullable=False),
    Column("share_basis", String(ENUM), nullable=False),
    Column("energy_cost_per_kwh", ExactDecimal, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("organization_id", "id"),
    Index(None, "organization_id", "site_owner_id", "id"),
    ForeignKeyConstraint(["organization_id", "site_owner_id"], ["site_owners.organization_id", "site_owners.id"]),
)

# A project's locations, in order. The primary key makes a location belong to one project at most.
project_locations = Table(
    "project_locations", metadata,
    Column("organization_id", String(ID), nullable=False),
    _id("location_id"),
    _id("project_id"),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("organization_id", "location_id"),
    Index(None, "organization_id", "project_id", "position"),
    ForeignKeyConstraint(["organization_id", "project_id"], ["projects.organization_id", "projects.id"]),
)

# Issued statements, once per project and month: the figures as booked, and the sessions and credit-note lines
# they counted (JSON, read and written whole: an issued statement never changes).
statements = Table(
    "statements", metadata,
    _id(primary_key=True),
    Column("organization_id", String(ID), nullable=False),
    _id("project_id"),
    _id("site_owner_id"),
    Column("period", String(7), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("revenue_share_percent", ExactDecimal, nullable=False),
    Column("share_basis", String(ENUM), nullable=False),
    Column("energy_cost_per_kwh", ExactDecimal, nullable=True),
    Column("energy_kwh", ExactDecimal, nullable=False),
    Column("revenue", ExactDecimal, nullable=False),
    Column("credited", ExactDecimal, nullable=False),
    Column("energy_cost", ExactDecimal, nullable=False),
    Column("basis_amount", ExactDecimal, nullable=False),
    Column("share", ExactDecimal, nullable=False),
    Column("sessions", JSON, nullable=False),
    Column("adjustments", JSON, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    _id("ledger_transaction_id", nullable=True),
    UniqueConstraint("organization_id", "project_id", "period"),
    ForeignKeyConstraint(["organization_id", "project_id"], ["projects.organization_id", "projects.id"]),
)
