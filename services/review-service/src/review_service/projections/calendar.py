"""application-service's HolidayCalendarPublished, kept in review-service's own holiday_years table
(zhicheng_kernel.holiday_years); NAT-3 counts with the calendar loaded from it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel import holiday_years as store
from zhicheng_kernel.calendar import HolidayYear
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters.tables import holiday_years
from ..context import ReviewContext


async def on_holiday_calendar_published(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """A re-publication of a year replaces it: the latest (highest version of the year's stream) wins."""
    await store.record(
        conn,
        holiday_years,
        HolidayYear.from_payload(event.payload),
        version=event.version,
        published_by=event.actor,
        published_at=event.occurred_at,
    )
    await store.load_into(conn, holiday_years, ctx.calendar)
