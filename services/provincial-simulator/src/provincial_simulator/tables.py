"""The simulator's own tables in `zc_province`, created at start-up with SQLAlchemy Core (it stands in
for an external system: no event store, no migrations)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# The jti of every client assertion accepted, kept until it expires: the same assertion twice is refused.
assertion_jtis = Table(
    "assertion_jtis",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("jti", String(200), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

filings = Table(
    "filings",
    metadata,
    Column("filing_id", String(100), primary_key=True),
    Column("client_id", String(100), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("body", JSONB, nullable=False),
    Column("callback_url", String(500), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("filing_id", String(100), ForeignKey("filings.filing_id"), primary_key=True),
    Column("application_id", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("verdict", String(20)),
    Column("reasons", JSONB, nullable=False, server_default="[]"),
    Column("decided_at", DateTime(timezone=True)),
    Column("reviewer", String(200)),
)

# One row per (filing, application) verdict: its webhook, delivered until the city answers 2xx.
deliveries = Table(
    "deliveries",
    metadata,
    Column("webhook_id", String(100), primary_key=True),
    Column("filing_id", String(100), nullable=False),
    Column("application_id", String(100), nullable=False),
    Column("url", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("delivered_at", DateTime(timezone=True)),
    Column("given_up_at", DateTime(timezone=True)),
    Column("last_error", Text),
)
