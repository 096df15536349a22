"""The official holiday calendar of a year as the city 职改办 publishes it (issue 8, NAT-3/NAT-5 count
working days with it). The State Council's notice lists the public holidays and the weekend days
made working days; the package's table is only the default (`zhicheng_kernel.calendar`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from zhicheng_kernel.calendar import HolidayYear
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


HOLIDAY_KINDS = frozenset({"holiday", "放假", "休"})
WORKING_WEEKEND_KINDS = frozenset({"working_weekend", "上班", "班"})


def _day_of(cell: object) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    try:
        return date.fromisoformat(str(cell or "").strip())
    except ValueError:
        return None


def days_from_rows(rows: Sequence[Sequence[object]]) -> tuple[list[date], list[date]]:
    """A calendar file's rows `date,kind` (kind: holiday/放假 or working_weekend/上班), with or without
    a heading row, as the holidays and the working weekend days it lists."""
    heading = bool(rows and rows[0] and _day_of(rows[0][0]) is None)
    holidays: list[date] = []
    working: list[date] = []
    for number, row in enumerate(rows[1:] if heading else rows, start=2 if heading else 1):
        if not any(str(c or "").strip() for c in row):
            continue
        day = _day_of(row[0])
        kind = str(row[1] if len(row) > 1 else "").strip().lower()
        if day is None:
            raise InvalidInput("calendar_file_date", f"第{number}行：日期“{row[0]}”应写作 YYYY-MM-DD。", field="file")
        if kind in HOLIDAY_KINDS:
            holidays.append(day)
        elif kind in WORKING_WEEKEND_KINDS:
            working.append(day)
        else:
            raise InvalidInput("calendar_file_kind", f"第{number}行：类型“{kind}”应为“放假”或“上班”。", field="file")
    return holidays, working
