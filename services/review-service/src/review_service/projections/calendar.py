"""The official holiday calendars application-service publishes (HolidayCalendarPublished), one row
per year, and the process's calendar loaded from them for NAT-3. The table is the truth: the process
that consumes the event reloads its calendar from it at once, the other replicas at their next
refresh, and a new process at start."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.calendar import ChinaCalendar, HolidayYear
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters.tables import holiday_years
from ..service_layer.context import ReviewContext

log = logging.getLogger(__name__)


async def on_holiday_calendar_published(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """A re-publication of a year replaces it: the latest (highest version of the year's stream) wins."""
    year = HolidayYear.from_payload(event.payload)
    row = {
        "year": year.year,
        "holidays": sorted(year.holidays),
        "working_weekends": sorted(year.working_weekends),
        "version": event.version,
        "published_by": event.actor,
        "published_at": event.occurred_at,
    }
    stmt = insert(holiday_years).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[holiday_years.c.year], set_=row, where=holiday_years.c.version < stmt.excluded.version
        )
    )
    await load_into(conn, ctx.calendar)


async def load_into(conn: AsyncConnection, calendar: ChinaCalendar) -> None:
    """Apply every published year to the process's calendar."""
    for row in (await conn.execute(select(holiday_years))).all():
        calendar.publish(HolidayYear(row.year, frozenset(row.holidays), frozenset(row.working_weekends)))


async def reload(ctx: ReviewContext) -> None:
    async with ctx.db.read() as conn:
        await load_into(conn, ctx.calendar)


async def keep_reloaded(ctx: ReviewContext) -> None:
    """Another replica consumed the event: its publication reaches this process within a catch-up interval."""
    while True:
        await asyncio.sleep(max(ctx.settings.catchup_interval_seconds, 1.0))
        try:
            await reload(ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("reloading the holiday calendar failed: %s", exc)
