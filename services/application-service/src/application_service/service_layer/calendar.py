"""Use cases of the holiday calendar: the city office publishes a year's official calendar; anyone
signed in reads it and counts a period's working days with it (NAT-3, NAT-5)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from pydantic import BaseModel
from zhicheng_kernel import holiday_years as store
from zhicheng_kernel.calendar import assumed_weekdays_note, end_of_day
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import NotFound
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import holiday_years
from ..context import Context
from ..domain.events import CALENDAR_STREAM, HolidayCalendarPublished
from ..domain.holiday_calendar import holiday_year

log = logging.getLogger(__name__)


class CalendarYear(BaseModel):
    """A year's official calendar as the city office published it."""

    year: int
    holidays: list[date]
    working_weekends: list[date]
    version: int
    published_by: str
    published_at: datetime


class CalendarYears(BaseModel):
    items: list[CalendarYear]


class WorkingDayPeriod(BaseModel):
    """A period of working days counted with the calendar in use (first day counted when a working day)."""

    starts_on: date
    working_days: int
    last_day: date
    ends_at: datetime
    # False when a year of the period has no official calendar and Monday–Friday was assumed.
    calendar_known: bool
    note: str | None


def stream_of(year: int) -> str:
    return f"calendar-{year}"


async def publish_year(
    ctx: Context,
    year: int,
    holidays: list[date],
    working_weekends: list[date],
    actor: str,
    idempotent: Idempotency | None = None,
) -> CalendarYear:
    """Publish (or correct) a year's calendar; this process counts with it at once, the others when
    they read the table (on the event or at their next refresh)."""
    published = holiday_year(year, holidays, working_weekends)
    event = HolidayCalendarPublished(
        year=year, holidays=sorted(published.holidays), working_weekends=sorted(published.working_weekends)
    )

    async def act(uow: UnitOfWork) -> CalendarYear:
        stream = await uow.load(stream_of(year))
        stored = await uow.append(CALENDAR_STREAM, stream_of(year), stream.version, [event])
        await store.record(
            uow.conn,
            holiday_years,
            published,
            version=stored[-1].version,
            published_by=actor,
            published_at=stored[-1].occurred_at,
        )
        return CalendarYear(
            **event.model_dump(), version=stored[-1].version, published_by=actor, published_at=stored[-1].occurred_at
        )

    answer = await execute(ctx, Metadata(actor=actor), act, answer=CalendarYear, idempotent=idempotent)
    await store.reload(ctx, holiday_years)
    return answer


async def list_years(ctx: Context) -> CalendarYears:
    async with ctx.db.read() as conn:
        rows = await store.published(conn, holiday_years)
    return CalendarYears(items=[_view(y.to_payload(), info) for y, info in rows])


async def read_year(ctx: Context, year: int) -> CalendarYear:
    for item in (await list_years(ctx)).items:
        if item.year == year:
            return item
    known = "；系统暂按软件包内置的节假日表计算" if ctx.calendar.knows(year) else "；暂按周一至周五为工作日计算"
    raise NotFound("calendar_year_not_published", f"市职改办尚未发布{year}年的节假日安排{known}。")


def period(ctx: Context, starts_on: date, working_days: int) -> WorkingDayPeriod:
    last = ctx.calendar.last_working_day(starts_on, working_days)
    unknown = ctx.calendar.unknown_years(starts_on, last)
    return WorkingDayPeriod(
        starts_on=starts_on,
        working_days=working_days,
        last_day=last,
        ends_at=end_of_day(last),
        calendar_known=not unknown,
        note=assumed_weekdays_note(unknown),
    )


def _view(payload: dict[str, object], info: dict[str, object]) -> CalendarYear:
    return CalendarYear.model_validate(payload | info)
