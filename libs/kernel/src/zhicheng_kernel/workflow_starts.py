"""A start outbox for Temporal workflows: a use case requests a start in the same transaction as the
events that call for it; a background loop starts what Temporal has not accepted yet. A workflow is
therefore started at least once (and at most once: ids are deterministic and starts idempotent), and a
Temporal outage delays a start but never loses it.

Each service that starts workflows has the `workflow_start` table (a migration of its own, created
with `workflow_starts_table`'s columns) and runs `start_pending` in a background hook.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text, func, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import Database
from .temporal import TemporalGateway

log = logging.getLogger(__name__)


def workflow_starts_table(metadata: MetaData) -> Table:
    return Table(
        "workflow_start",
        metadata,
        Column("workflow_id", Text, primary_key=True),
        Column("workflow_name", Text, nullable=False),
        Column("workflow_input", JSONB, nullable=False),
        Column("search_attributes", JSONB, nullable=False),
        Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("started", Boolean, nullable=False, server_default="false"),
    )


async def request_start(
    conn: AsyncConnection,
    table: Table,
    workflow_name: str,
    workflow_id: str,
    workflow_input: Mapping[str, Any],
    attributes: Mapping[str, int | str],
) -> bool:
    """Record that `workflow_id` must run (inside the caller's transaction); False if it was requested
    before (the first request stands)."""
    result = await conn.execute(
        insert(table)
        .values(
            workflow_id=workflow_id,
            workflow_name=workflow_name,
            workflow_input=dict(workflow_input),
            search_attributes=dict(attributes),
        )
        .on_conflict_do_nothing(index_elements=["workflow_id"])
    )
    return bool(result.rowcount)


async def start_pending(db: Database, table: Table, temporal: TemporalGateway, workflow_id: str | None = None) -> int:
    """Start the requested workflows Temporal has not accepted yet; returns how many started."""
    query = select(table).where(table.c.started.is_(False)).order_by(table.c.requested_at).limit(100)
    if workflow_id is not None:
        query = query.where(table.c.workflow_id == workflow_id)
    async with db.read() as conn:
        pending = (await conn.execute(query)).all()
    started = 0
    for row in pending:
        try:
            await temporal.start(row.workflow_name, row.workflow_id, row.workflow_input, row.search_attributes)
        except Exception as exc:
            log.warning("cannot start workflow %s yet (%s); will retry", row.workflow_id, exc)
            continue
        async with db.transaction() as conn:
            await conn.execute(update(table).where(table.c.workflow_id == row.workflow_id).values(started=True))
        started += 1
    return started
