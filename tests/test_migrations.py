"""Each service's migrations build exactly the tables its code declares (no drift between the two)."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.migrations import upgrade
from zhicheng_kernel.tables import kernel_metadata

from tests.harness import Servers

pytestmark = pytest.mark.stack

SERVICES = {
    "org_service": "org_service.adapters.tables",
    "application_service": "application_service.adapters.tables",
    "review_service": "review_service.adapters.tables",
    "plagiarism_service": "plagiarism_service.adapters.tables",
}


@pytest.mark.parametrize("package", sorted(SERVICES))
async def test_migrations_match_the_declared_tables(servers: Servers, package: str) -> None:
    database = f"zc_mig_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(servers.postgres.create_database, database)
    url = servers.postgres.url(database)
    migrations = Path(importlib.import_module(package).__file__ or "").parent / "migrations"
    await upgrade(url, migrations)

    declared = MetaData()
    for source in (kernel_metadata, importlib.import_module(SERVICES[package]).metadata):
        for table in source.tables.values():
            table.to_metadata(declared)
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"include_name": lambda name, kind, parent: name != "alembic_version"}
                ),
                declared,
            )
        )
    await engine.dispose()
    assert diff == []
