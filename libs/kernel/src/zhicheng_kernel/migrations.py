"""Alembic per service, run at start-up: each service keeps its own versions/ folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from .tables import kernel_metadata


def alembic_config(database_url: str, migrations_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade_sync(database_url: str, migrations_dir: Path) -> None:
    command.upgrade(alembic_config(database_url, migrations_dir), "head")


async def upgrade(database_url: str, migrations_dir: Path) -> None:
    # Alembic runs its own event loop in env.py; give it a thread of its own.
    await asyncio.to_thread(upgrade_sync, database_url, migrations_dir)


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


def create_kernel_tables(connection: Connection) -> None:
    """Called from a service's first revision: the event store, outbox cursor and tracking tables."""
    kernel_metadata.create_all(connection)
