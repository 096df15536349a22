"""Alembic per service, run at start-up: each service keeps its own versions/ folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config, create_async_engine


def alembic_config(database_url: str, migrations_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade_sync(database_url: str, migrations_dir: Path) -> None:
    command.upgrade(alembic_config(database_url, migrations_dir), "head")


# The advisory lock key every service's migrations take in its own database ("zcmigrat" in ASCII).
MIGRATION_LOCK_KEY = 0x7A636D6967726174


async def upgrade(database_url: str, migrations_dir: Path) -> None:
    """Migrate to head, one replica at a time: every replica runs this at start-up, so they queue on a
    session advisory lock of the database (released when its connection ends, even on a crash); the
    next finds the head reached and does nothing."""
    engine = create_async_engine(database_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                # Alembic runs its own event loop in env.py; give it a thread of its own.
                await asyncio.to_thread(upgrade_sync, database_url, migrations_dir)
            finally:
                await conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    finally:
        await engine.dispose()


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online, async engine)."""

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = async_engine_from_config(
            context.config.get_section(context.config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def create_kernel_tables() -> None:
    """Called from a service's first revision: the event store, outbox cursor and tracking tables.

    Spelled out rather than created from `kernel_metadata`, so that a later change of the tables is
    a revision of its own and this one stays what it was.
    """
    op.create_table(
        "event_store",
        sa.Column("stream_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("stream_type", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.Uuid(), nullable=False),
        sa.Column("causation_id", sa.Uuid(), nullable=True),
        sa.Column("payload", JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", "version", name="event_store_stream_version"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("position"),
    )
    op.create_table(
        "outbox_cursor",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "consumer_watermark",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "source"),
    )
    op.create_table(
        "processed_event",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "source", "position"),
    )


def position_events_after_commit() -> None:
    """Appends without a lock (issue 14): positions are given after the commit by the positioner, in the
    order the events were written (`seq`). Events stored before keep their positions."""
    op.alter_column("event_store", "position", existing_type=sa.BigInteger(), nullable=True)
    op.execute("ALTER TABLE event_store ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY")
    op.execute("CREATE INDEX event_store_unpositioned ON event_store (seq) WHERE position IS NULL")


def position_events_at_append() -> None:
    """The downgrade of `position_events_after_commit` (every event must have its position first)."""
    op.drop_index("event_store_unpositioned", table_name="event_store")
    op.drop_column("event_store", "seq")
    op.alter_column("event_store", "position", existing_type=sa.BigInteger(), nullable=False)


def create_command_log_table() -> None:
    """A revision of each service: the idempotency keys of commands (see unit_of_work.execute)."""
    op.create_table(
        "command_log",
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("response", JSONB(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor", "idempotency_key", name="command_log_actor_key"),
    )


def create_holiday_years_table() -> None:
    """A revision of each service that counts working days: its projection of the official calendars
    (zhicheng_kernel.holiday_years)."""
    op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holidays", ARRAY(sa.Date()), nullable=False),
        sa.Column("working_weekends", ARRAY(sa.Date()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )


def create_workflow_start_table() -> None:
    """A revision of each service that starts workflows: its start outbox (zhicheng_kernel.workflow_starts)."""
    op.create_table(
        "workflow_start",
        sa.Column("workflow_id", sa.Text(), primary_key=True),
        sa.Column("workflow_name", sa.Text(), nullable=False),
        sa.Column("workflow_input", JSONB(), nullable=False),
        sa.Column("search_attributes", JSONB(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def create_external_access_table() -> None:
    """A revision of each service that external clients call: its access audit (zhicheng_kernel.access_audit)."""
    op.create_table(
        "external_access",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("ip", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
    )
    op.create_index("external_access_client_at", "external_access", ["client_id", "at"])


def create_dead_letter_table() -> None:
    """A revision of each service: the events its consumers and relay parked (zhicheng_kernel.deadletters)."""
    op.create_table(
        "dead_letter",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("consumer", "source", "position", name="dead_letter_key"),
    )


def create_audit_log_table() -> None:
    """A revision of each service that keeps a business audit (zhicheng_kernel.audit, finding 16)."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("roles", JSONB(), nullable=False),
        sa.Column("org_id", sa.Text(), nullable=True),
        sa.Column("org_path", sa.Text(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("streams", JSONB(), nullable=False),
        sa.Column("event_types", JSONB(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("problem_code", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.Text(), nullable=False),
        sa.Column("ip", sa.Text(), nullable=False),
    )
    op.create_index("audit_log_org_path_at", "audit_log", ["org_path", "at"])
