"""The official holiday calendar of a year as the city 职改办 publishes it (issue 8, NAT-3/NAT-5 count
working days with it). The State Council's notice lists the public holidays and the weekend days
made working days; the package's table is only the default (`zhicheng_kernel.calendar`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from zhicheng_kernel.calendar import ChinaCalendar, HolidayYear
from zhicheng_kernel.errors import InvalidInput

# A year has about thirty days off and a handful of adjusted weekend days; a list longer than this
# is not a holiday notice.
MAX_DAYS = 100
WEEKDAY_ZH = "一二三四五六日"


def _in_year(year: int, days: Sequence[date], field: str) -> None:
    for i, day in enumerate(days):
        if day.year != year:
            raise InvalidInput("calendar_date_outside_year", f"{day.isoformat()}不在{year}年内。", field=f"{field}.{i}")
    seen: set[date] = set()
    for i, day in enumerate(days):
        if day in seen:
            raise InvalidInput("calendar_date_repeated", f"{day.isoformat()}重复。", field=f"{field}.{i}")
        seen.add(day)


def holiday_year(year: int, holidays: Sequence[date], working_weekends: Sequence[date]) -> HolidayYear:
    """A year's calendar as published: each date inside the year and listed once, no date both a
    holiday and a working day, and the adjusted working days are Saturdays or Sundays."""
    for field, days in (("holidays", holidays), ("working_weekends", working_weekends)):
        if len(days) > MAX_DAYS:
            raise InvalidInput("calendar_too_many_dates", f"一年最多列出{MAX_DAYS}个日期。", field=field)
        _in_year(year, days, field)
    for i, day in enumerate(working_weekends):
        if day.weekday() < 5:
            raise InvalidInput(
                "calendar_working_day_not_weekend",
                f"{day.isoformat()}是星期{WEEKDAY_ZH[day.weekday()]}，调休上班的日期应为星期六或星期日。",
                field=f"working_weekends.{i}",
            )
    both = set(holidays) & set(working_weekends)
    if both:
        first = min(both)
        raise InvalidInput(
            "calendar_date_in_both_lists",
            f"{first.isoformat()}不能既是节假日又是调休上班日。",
            field=f"working_weekends.{list(working_weekends).index(first)}",
        )
    return HolidayYear(year, frozenset(holidays), frozenset(working_weekends))


def unknown_years(calendar: ChinaCalendar, first_day: date, last_day: date) -> list[int]:
    """The years of a period whose official holidays nobody published and the package does not know."""
    return [year for year in range(first_day.year, last_day.year + 1) if not calendar.knows(year)]


def assumed_weekdays_note(years: Sequence[int]) -> str | None:
    """The words a report adds when it counted Monday to Friday for want of the official calendar."""
    if not years:
        return None
    return f"{'、'.join(str(y) for y in years)}年的节假日安排尚未发布，暂按周一至周五为工作日计算。"
