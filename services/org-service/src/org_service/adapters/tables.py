"""org-service read models, written in the same transaction as the events they reflect."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY

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
    Column("password_hash", Text, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("id_card_number", Text, nullable=True, unique=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index("account_org", accounts.c.org_id)

refresh_tokens = Table(
    "refresh_token",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)
