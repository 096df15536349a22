"""The smaller finding of issue 12 "migrations run by every replica without a lock": replicas starting
together migrate one at a time (an advisory lock of the database), so none fails half-way through."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import org_service
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.migrations import MIGRATION_LOCK_KEY, upgrade

from tests.harness import Servers

MIGRATIONS = Path(org_service.__file__).parent / "migrations"


def _fresh_database(servers: Servers) -> str:
    name = f"zc_lock_{uuid.uuid4().hex[:8]}"
    servers.postgres.create_database(name)
    return servers.postgres.url(name)


def test_replicas_starting_together_migrate_one_at_a_time(servers: Servers) -> None:
    """Three replicas of org-service (three processes) start on an empty database at once: each reaches
    the head without an error, one after the other."""
    url = _fresh_database(servers)
    script = (
        "import asyncio, sys; from pathlib import Path; from zhicheng_kernel.migrations import upgrade; "
        "asyncio.run(upgrade(sys.argv[1], Path(sys.argv[2])))"
    )
    replicas = [
        subprocess.Popen([sys.executable, "-c", script, url, str(MIGRATIONS)], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    failures = []
    for replica in replicas:
        try:
            _, stderr = replica.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            replica.kill()
            failures.append("hung")
            continue
        if replica.returncode != 0:
            failures.append(stderr.strip().splitlines()[-1])
    assert failures == []

    async def versions() -> int:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            count = (await conn.execute(sa.text("SELECT count(*) FROM alembic_version"))).scalar_one()
        await engine.dispose()
        return int(count)

    assert asyncio.run(versions()) == 1


def test_a_replica_waits_while_another_holds_the_migration_lock(servers: Servers) -> None:
    """The smaller finding "migrations run by every replica without a lock": while one replica migrates
    (holds the lock), another's upgrade waits on it in PostgreSQL and migrates only after it is released."""
    url = _fresh_database(servers)
    database = url.rsplit("/", 1)[1]

    async def scenario() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as holder:
            await holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            waiting = asyncio.create_task(upgrade(url, MIGRATIONS))
            waiters = sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event = 'advisory'"
                " AND pid <> pg_backend_pid()"
            )
            deadline = asyncio.get_running_loop().time() + 60
            seen = 0
            while not seen and not waiting.done() and asyncio.get_running_loop().time() < deadline:
                seen = (await holder.execute(waiters, {"db": database})).scalar_one()
                await asyncio.sleep(0.05)
            assert seen == 1 and not waiting.done(), "the second replica waits on the migration lock"
            await holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
            await asyncio.wait_for(waiting, timeout=120)
            migrated = await holder.execute(sa.text("SELECT count(*) FROM alembic_version"))
            assert migrated.scalar_one() == 1
        await engine.dispose()

    asyncio.run(scenario())
