"""NAT-5: the employer publishes the applicants' materials internally for at least 5 working days
before it approves. Working days and the end of the period come from the China calendar (the first
day counts when it is a working day; the period ends at 24:00 Asia/Shanghai of the 5th working day)."""

from __future__ import annotations

from datetime import date, datetime

from zhicheng_kernel.calendar import ChinaCalendar, assumed_weekdays_note, end_of_day
from zhicheng_kernel.errors import Conflict

PUBLICITY_WORKING_DAYS = 5  # NAT-5


def unit_publicity_complete(
    starts_on: date | None, now: datetime, calendar: ChinaCalendar, working_days: int = PUBLICITY_WORKING_DAYS
) -> None:
    """NAT-5: the unit approves only once its internal publicity of `working_days` working days is
    over, i.e. from 24:00 of the period's last working day."""
    if starts_on is None:
        raise Conflict(
            "publicity_not_started",
            f"单位须先在本单位内部公示申报材料（不少于{working_days}个工作日），公示期满后方可审核通过。",
            rule="NAT-5",
        )
    last = calendar.last_working_day(starts_on, working_days)
    if now < end_of_day(last):
        unknown = calendar.unknown_years(starts_on, last)
        raise Conflict(
            "publicity_in_progress",
            f"单位内部公示自{starts_on.isoformat()}开始，须满{working_days}个工作日（至{last.isoformat()}），"
            f"公示期满后方可审核通过。{assumed_weekdays_note(unknown) or ''}",
            rule="NAT-5",
            extra={"starts_on": starts_on.isoformat(), "last_day": last.isoformat(), "calendar_known": not unknown},
        )
