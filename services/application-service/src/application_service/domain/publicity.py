"""NAT-5: the employer publishes the applicants' materials internally for at least 5 working days
before it approves; working days follow the State Council's holiday notice (chinese_calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from .errors import Conflict

PUBLICITY_WORKING_DAYS = 5  # NAT-5


def is_working_day(day: date) -> bool:
    """A working day by the State Council's notice; outside the package's years, Monday–Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def publicity_last_day(starts_on: date, working_days: int = PUBLICITY_WORKING_DAYS) -> date:
    """The last day of a publicity of `working_days` working days starting on `starts_on` (counted
    when it is itself a working day)."""
    day, counted = starts_on, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def unit_publicity_complete(starts_on: date | None, today: date, working_days: int = PUBLICITY_WORKING_DAYS) -> None:
    """NAT-5: the unit approves only after its internal publicity has run ≥5 working days, i.e. from
    the day after the publicity's last working day."""
    if starts_on is None:
        raise Conflict(
            "publicity_not_started",
            f"单位须先在本单位内部公示申报材料（不少于{working_days}个工作日），公示期满后方可审核通过。",
        )
    last = publicity_last_day(starts_on, working_days)
    if today <= last:
        raise Conflict(
            "publicity_in_progress",
            f"单位内部公示自{starts_on.isoformat()}开始，须满{working_days}个工作日（至{last.isoformat()}），"
            "公示期满后方可审核通过。",
            extra={"starts_on": starts_on.isoformat(), "last_day": last.isoformat()},
        )
