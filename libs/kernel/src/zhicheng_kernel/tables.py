"""Tables every service has: its event store, its outbox cursor, its consumers' tracking."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

kernel_metadata = MetaData()

events = Table(
    "event_store",
    kernel_metadata,
    Column("stream_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    # Gapless and in commit order: assigned after the commit by the positioner (see eventstore.py);
    # NULL until then. `seq` is the order the events were written in, which the positioner follows.
    Column("position", BigInteger, nullable=True, unique=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("stream_type", Text, nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Column("causation_id", Uuid, nullable=True),
    Column("payload", JSONB, nullable=False),
    PrimaryKeyConstraint("stream_id", "version", name="event_store_stream_version"),
    Index("event_store_unpositioned", "seq", postgresql_where=text("position IS NULL")),
)

outbox_cursors = Table(
    "outbox_cursor",
    kernel_metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

consumer_watermarks = Table(
    "consumer_watermark",
    kernel_metadata,
    Column("consumer", Text, nullable=False),
    Column("source", Text, nullable=False),
    # Every event of `source` up to this position has been applied.
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("consumer", "source"),
)

processed_events = Table(
    "processed_event",
    kernel_metadata,
    Column("consumer", Text, nullable=False),
    Column("source", Text, nullable=False),
    # Applied events above the watermark (out of order across partitions); pruned as it advances.
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("consumer", "source", "position"),
)

command_log = Table(
    "command_log",
    kernel_metadata,
    # A command sent with an Idempotency-Key acts once: a retry by the same caller gets the first answer.
    Column("actor", Text, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("response", JSONB, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("actor", "idempotency_key", name="command_log_actor_key"),
)

# -- Dead letters (the messaging part of issue 12; see deadletters.py) ----------------------------------

dead_letters = Table(
    "dead_letter",
    kernel_metadata,
    # The consumer's name, or deadletters.RELAY for an event the outbox relay could not publish.
    Column("consumer", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("event_id", Uuid, nullable=True),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    # open (the source is parked there), retried (an operator asked again after a fix), skipped (with a reason)
    Column("status", Text, nullable=False),
    Column("resolved_by", Text, nullable=True),
    Column("reason", Text, nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("consumer", "source", "position", name="dead_letter_key"),
)
