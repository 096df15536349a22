"""The official holiday calendars a service counts with, kept as a projection of HolidayCalendarPublished.

application-service appends the event when the city office publishes (or corrects) a year; every
service that counts working days keeps the years in a `holiday_years` table of its own (the latest
publication of a year wins, by the source stream's version) and loads its `ChinaCalendar` from that
table: when its context is built, when it applies the event, and on a slow refresh, so that every
replica converges on the table, whichever of them applied the event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, Text, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .calendar import ChinaCalendar, HolidayYear
from .context import ServiceContext
from .pace import run_paced

log = logging.getLogger(__name__)


def holiday_years_table(metadata: MetaData) -> Table:
    """The table, declared in a service's own metadata (each service has its own database)."""
    return Table(
        "holiday_years",
        metadata,
        Column("year", Integer, primary_key=True),
        Column("holidays", ARRAY(Date), nullable=False),
        Column("working_weekends", ARRAY(Date), nullable=False),
        Column("version", Integer, nullable=False),
        Column("published_by", Text, nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=False),
    )


async def record(
    conn: AsyncConnection, table: Table, year: HolidayYear, *, version: int, published_by: str, published_at: datetime
) -> None:
    """A publication of a year; an older version never overwrites a newer one."""
    row = {
        "year": year.year,
        "holidays": sorted(year.holidays),
        "working_weekends": sorted(year.working_weekends),
        "version": version,
        "published_by": published_by,
        "published_at": published_at,
    }
    stmt = insert(table).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.year], set_=row, where=table.c.version < stmt.excluded.version
        )
    )


async def published(conn: AsyncConnection, table: Table) -> list[tuple[HolidayYear, dict[str, object]]]:
    """Every published year with who published it, when, and at which version."""
    rows = (await conn.execute(select(table).order_by(table.c.year))).all()
    return [
        (
            HolidayYear(row.year, frozenset(row.holidays), frozenset(row.working_weekends)),
            {"version": row.version, "published_by": row.published_by, "published_at": row.published_at},
        )
        for row in rows
    ]


async def load_into(conn: AsyncConnection, table: Table, calendar: ChinaCalendar) -> None:
    for year, _ in await published(conn, table):
        calendar.publish(year)


async def reload(ctx: ServiceContext, table: Table) -> None:
    """The process's calendar from the table, the truth every replica shares."""
    async with ctx.db.read() as conn:
        await load_into(conn, table, ctx.calendar)


def kept_reloaded(table: Table) -> Callable[[ServiceContext], Coroutine[Any, Any, None]]:
    """A background job: another replica's publication reaches this process within a quiet heartbeat (a
    publication through this process reloads it at once)."""

    async def job(ctx: ServiceContext) -> None:
        await run_paced(
            "reloading the holiday calendar", lambda: reload(ctx, table), heartbeat=ctx.settings.quiet_heartbeat_seconds
        )

    return job
