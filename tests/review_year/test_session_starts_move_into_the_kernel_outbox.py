"""Migration 0007: the committee sessions' own start outbox (session.workflow_input / workflow_started)
moves into the kernel's `workflow_start`, with the sessions' search attributes; a session not started
yet is started from there by the background starter. Downgrading puts the columns back."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import review_service
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.migrations import alembic_config

from tests.harness import Servers

MIGRATIONS = Path(review_service.__file__).parent / "migrations"


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(url, MIGRATIONS)
    (command.downgrade if down else command.upgrade)(config, revision)


async def test_pending_and_started_session_workflows_move_into_workflow_start(servers: Servers) -> None:
    database = f"zc_ry_mig_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(servers.postgres.create_database, database)
    url = str(servers.postgres.url(database))
    await asyncio.to_thread(migrate, url, "0005")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO committee (committee_id, name, series, level, organizing_org_id, expert_ids) "
                "VALUES ('c-1', '评委会', '卫生系列', 'intermediate', 'city-office', '[]')"
            )
        )
        for session_id, started in (("s-pending", False), ("s-started", True)):
            await conn.execute(
                text(
                    "INSERT INTO session (session_id, committee_id, workflow_id, year, series, workflow_input, "
                    "workflow_started) VALUES (:s, 'c-1', :w, 2026, '卫生系列', CAST(:i AS jsonb), :started)"
                ),
                {
                    "s": session_id,
                    "w": f"committee-session-{session_id}",
                    "i": f'{{"session_id": "{session_id}", "year": 2026, "publicity_working_days": 5}}',
                    "started": started,
                },
            )
    await asyncio.to_thread(migrate, url, "0007")
    async with engine.begin() as conn:
        rows = {r.workflow_id: r for r in (await conn.execute(text("SELECT * FROM workflow_start"))).all()}
        query = "SELECT column_name FROM information_schema.columns WHERE table_name = 'session'"
        columns = {r[0] for r in (await conn.execute(text(query))).all()}
    assert set(rows) == {"committee-session-s-pending", "committee-session-s-started"}
    pending = rows["committee-session-s-pending"]
    assert (pending.workflow_name, pending.started) == ("CommitteeSessionWorkflow", False)
    assert pending.workflow_input["session_id"] == "s-pending"
    assert pending.search_attributes == {
        "ZcYear": 2026,
        "ZcSeries": "卫生系列",
        "ZcStatus": "voting",
        "ZcOffice": "city-office",
    }
    assert rows["committee-session-s-started"].started is True
    assert not {"workflow_input", "workflow_started"} & columns

    await asyncio.to_thread(migrate, url, "0005", down=True)
    async with engine.begin() as conn:
        back = (await conn.execute(text("SELECT session_id, workflow_started FROM session ORDER BY session_id"))).all()
    assert [tuple(r) for r in back] == [("s-pending", False), ("s-started", True)]
    await engine.dispose()
