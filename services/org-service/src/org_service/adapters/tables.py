"""org-service's tables.

Read models (projections/read_models.py): `organization`, `account`. org-service's own state, in no
stream: `credential` and `refresh_token` (secrets), `reservation` and `org_code_counter` (values
that must be unique across streams, claimed when deciding), `audit_log` (who did what from where).
The inbox (`inbox`, `inbox_fact`, `notification_delivery`): projected from other services' events.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from zhicheng_kernel.access_audit import external_access_table

metadata = MetaData()

organizations = Table(
    "organization",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    # ORG-4: one organization per normalised full name and per credit code.
    Column("normalised_name", Text, nullable=False, unique=True),
    Column("credit_code", Text, nullable=True, unique=True),
    Column("kind", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("division_code", Text, nullable=False),
    Column("function", Text, nullable=True),
    Column("unit_type", Text, nullable=True),
    Column("registration_level", Text, nullable=True),
    Column("parent_id", Uuid, ForeignKey("organization.id"), nullable=True),
    Column("path", Text, nullable=False, unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index("organization_parent", organizations.c.parent_id)

org_code_counters = Table(
    "org_code_counter",
    metadata,
    Column("division_code", Text, primary_key=True),
    Column("last", Integer, nullable=False),
)

accounts = Table(
    "account",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),  # system_admin, business_admin, applicant, expert
    Column("org_id", Uuid, ForeignKey("organization.id"), nullable=False),
    Column("display_name", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("id_card_number", Text, nullable=True, unique=True),
    Column("on_staff", Boolean, nullable=True),  # an applicant's 在编/编外, as its employer says
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index("account_org", accounts.c.org_id)

# Not a projection and never in an event: the password hash of an account.
credentials = Table(
    "credential",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("password_hash", Text, nullable=False),
)

# A value unique across streams (adapters/reservations.py) and the stream that claimed it.
reservations = Table(
    "reservation",
    metadata,
    Column("scope", Text, primary_key=True),
    Column("value", Text, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
)

# A refresh token is used once; its successor joins its family and keeps the family's expiry (the
# login's, absolute). Presenting a used or revoked token revokes the whole family (service_layer/login.py).
refresh_tokens = Table(
    "refresh_token",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("family_id", Text, nullable=False),
)
Index("refresh_token_family", refresh_tokens.c.family_id)
Index("refresh_token_account", refresh_tokens.c.account_id)

audit_log = Table(
    "audit_log",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    # Null for what is recorded without an event: logins, failures, locks, refreshes, unlocks.
    Column("position", BigInteger, nullable=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    # The acting account's organization path: an auditor sees what was done within their subtree.
    Column("actor_org_path", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("stream_type", Text, nullable=False),
    Column("stream_id", Text, nullable=False),
    Column("ip", Text, nullable=False),
    Column("user_agent", Text, nullable=False),
    Column("request_id", Text, nullable=False),
)
Index("audit_log_actor_org_path", audit_log.c.actor_org_path, audit_log.c.occurred_at)

# The inbox (projections/inbox.py): notifications projected from other services' events, one per
# source event and recipient (an organization or an account); read_at is the only thing a person changes.
inbox = Table(
    "inbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("recipient_kind", Text, nullable=False),  # "org" or "account"
    Column("recipient_id", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("link", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("source_event_id", Uuid, nullable=False),
    Column("source_event_type", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("source_event_id", "recipient_kind", "recipient_id", name="inbox_once_per_recipient"),
)
Index("inbox_recipient", inbox.c.recipient_kind, inbox.c.recipient_id, inbox.c.created_at)

# What earlier events said about an application (its applicant, employer, year, series, level) or a
# committee or session (its organising office), for the events that only name them.
inbox_facts = Table(
    "inbox_fact",
    metadata,
    Column("kind", Text, primary_key=True),  # "application", "committee", "session"
    Column("key", Text, primary_key=True),
    Column("facts", JSONB, nullable=False),
)

# The delivery outbox and log (adapters/delivery.py): one row per inbox item and channel, written with
# the inbox row; the sender claims a pending row, then sends it at most once.
notification_deliveries = Table(
    "notification_delivery",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("inbox_id", Uuid, ForeignKey("inbox.id"), nullable=False),
    Column("channel", Text, nullable=False),  # "sms", "email"
    Column("address", Text, nullable=True),  # null: org-service knows no phone number or e-mail address
    Column("text", Text, nullable=False),
    Column("state", Text, nullable=False),  # pending, sending, sent, failed
    Column("provider", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("error", Text, nullable=True),
    UniqueConstraint("inbox_id", "channel", name="notification_delivery_once_per_channel"),
)
Index("notification_delivery_pending", notification_deliveries.c.state, notification_deliveries.c.created_at)
# External machine clients of provincial bodies (projection of ExternalClientRegistered/Revoked).
external_clients = Table(
    "external_client",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("org_id", Uuid, ForeignKey("organization.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("public_key_pem", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("series", ARRAY(Text), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

# RFC 7523: each assertion's jti is accepted once while it could still be valid (replays refused).
client_assertion_jtis = Table(
    "client_assertion_jti",
    metadata,
    Column("jti", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Every call of an external client (zhicheng_kernel.access_audit), here: its token requests.
external_access = external_access_table(metadata)


# Failed logins per typed username and client address, and per username (domain/throttle.py).
login_throttles = Table(
    "login_throttle",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locks", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
