"""NAT-5: the employer publishes the applicants' materials internally for at least 5 working days
before it approves, in every environment. The period is counted as review-service counts NAT-3's, by
the one calendar of the kernel (`ChinaCalendar.period_end`): the first day counts when it is a working
day, and the period ends at 24:00 Asia/Shanghai of the 5th working day. Outside production a setting
(ZC_NAT5_PUBLICITY_SECONDS) may compress it to seconds from the instant the unit recorded its start,
as a session's `publicity_seconds` compresses NAT-3's; production refuses that setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from zhicheng_kernel.calendar import CHINA_TZ, ChinaCalendar, assumed_weekdays_note, china_today
from zhicheng_kernel.errors import Conflict

PUBLICITY_WORKING_DAYS = 5  # NAT-5


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def unit_publicity_ends_at(
    calendar: ChinaCalendar,
    starts_on: date,
    working_days: int = PUBLICITY_WORKING_DAYS,
    *,
    started_at: datetime | None = None,
    compressed_seconds: int | None = None,
) -> datetime:
    """The instant the unit's publicity is over: 24:00 of its `working_days`-th working day (the
    kernel's convention, shared with NAT-3), or `compressed_seconds` after the unit recorded it."""
    if compressed_seconds is not None:
        return (started_at or start_of_day(starts_on)) + timedelta(seconds=compressed_seconds)
    return calendar.period_end(start_of_day(starts_on), working_days)


def unit_publicity_complete(
    starts_on: date | None,
    now: datetime,
    calendar: ChinaCalendar,
    working_days: int = PUBLICITY_WORKING_DAYS,
    *,
    started_at: datetime | None = None,
    compressed_seconds: int | None = None,
) -> None:
    """NAT-5: the unit approves only once its internal publicity of `working_days` working days is
    over, i.e. from 24:00 of the period's last working day (or, outside production, once the
    compressed period has run)."""
    if starts_on is None:
        raise Conflict(
            "publicity_not_started",
            f"单位须先在本单位内部公示申报材料（不少于{working_days}个工作日），公示期满后方可审核通过。",
            rule="NAT-5",
        )
    ends_at = unit_publicity_ends_at(
        calendar, starts_on, working_days, started_at=started_at, compressed_seconds=compressed_seconds
    )
    if now >= ends_at:
        return
    if compressed_seconds is not None:
        raise Conflict(
            "publicity_in_progress",
            f"单位内部公示尚未期满（本环境公示期压缩为{compressed_seconds}秒，"
            f"至{ends_at.astimezone(CHINA_TZ):%H:%M:%S}），公示期满后方可审核通过。",
            rule="NAT-5",
            extra={"starts_on": starts_on.isoformat(), "ends_at": ends_at.isoformat(), "compressed": True},
        )
    last = china_today(ends_at - timedelta(microseconds=1))
    unknown = calendar.unknown_years(starts_on, last)
    raise Conflict(
        "publicity_in_progress",
        f"单位内部公示自{starts_on.isoformat()}开始，须满{working_days}个工作日（至{last.isoformat()}），"
        f"公示期满后方可审核通过。{assumed_weekdays_note(unknown) or ''}",
        rule="NAT-5",
        extra={
            "starts_on": starts_on.isoformat(),
            "last_day": last.isoformat(),
            "ends_at": ends_at.isoformat(),
            "calendar_known": not unknown,
        },
    )


@dataclass(frozen=True)
class UnitPublicity:
    """How this service counts NAT-5: the calendar, and the compressed period when one is configured."""

    calendar: ChinaCalendar
    compressed_seconds: int | None = None

    def complete(self, starts_on: str | None, started_at: str | None, now: datetime) -> None:
        unit_publicity_complete(
            date.fromisoformat(starts_on) if starts_on else None,
            now,
            self.calendar,
            started_at=datetime.fromisoformat(started_at) if started_at else None,
            compressed_seconds=self.compressed_seconds,
        )
