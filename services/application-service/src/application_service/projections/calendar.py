"""The published holiday calendars (HolidayCalendarPublished), one row per year, and the process's
calendar loaded from them. The table is the truth: a process applies what it reads here, so every
replica converges on the same calendar, whichever of them appended the event."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.calendar import ChinaCalendar, HolidayYear
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters.tables import holiday_years
from ..domain.events import HolidayCalendarPublished


async def on_calendar_published(conn: AsyncConnection, stored: EventEnvelope) -> None:
    """A re-publication of a year replaces it: the latest wins (stream versions only grow)."""
    published = HolidayCalendarPublished.model_validate(stored.payload)
    row = {
        "year": published.year,
        "holidays": sorted(published.holidays),
        "working_weekends": sorted(published.working_weekends),
        "version": stored.version,
        "published_by": stored.actor,
        "published_at": stored.occurred_at,
    }
    stmt = insert(holiday_years).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[holiday_years.c.year], set_=row, where=holiday_years.c.version < stmt.excluded.version
        )
    )


async def published_years(conn: AsyncConnection) -> list[tuple[HolidayYear, dict[str, object]]]:
    """Every published year with who published it, when, and at which version."""
    rows = (await conn.execute(select(holiday_years).order_by(holiday_years.c.year))).all()
    return [
        (
            HolidayYear(row.year, frozenset(row.holidays), frozenset(row.working_weekends)),
            {"version": row.version, "published_by": row.published_by, "published_at": row.published_at},
        )
        for row in rows
    ]


async def load_into(conn: AsyncConnection, calendar: ChinaCalendar) -> None:
    """Apply every published year to the process's calendar."""
    for year, _ in await published_years(conn):
        calendar.publish(year)
