"""China's calendar: one time zone and one way of counting working days (NATIONAL.md).

Working days follow the State Council's holiday notice (public holidays, and weekend days made
working days). The `chinese-calendar` package carries those tables for the years it knows; it is
only the default. The city office publishes each year's official calendar as data (a
`HolidayYear`), which reaches every service that counts working days as an event and the workflows
as an input. A year nobody published and the package does not know is counted Monday to Friday,
and `knows(year)` says so, so that a report can tell the reader.

A period of N working days is counted the way notices write it ("公示期为5个工作日（6月5日至6月9日）"):
the first day counts when it is a working day, and the period ends at the end (24:00 Asia/Shanghai)
of the Nth working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def china_today(now: datetime) -> date:
    """The date in China at the instant `now` (timezone-aware)."""
    return now.astimezone(CHINA_TZ).date()


def end_of_day(day: date) -> datetime:
    """24:00 Asia/Shanghai of `day`, i.e. 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class HolidayYear:
    """One year's official calendar: its public holidays and the weekend days that are working days."""

    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)
    working_weekends: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for day in (*self.holidays, *self.working_weekends):
            if day.year != self.year:
                raise ValueError(f"{day.isoformat()} is not in {self.year}")
        if self.holidays & self.working_weekends:
            raise ValueError("a day cannot be both a holiday and a working weekend day")

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.working_weekends:
            return True
        return day.weekday() < 5

    def to_payload(self) -> dict[str, object]:
        return {
            "year": self.year,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "working_weekends": sorted(d.isoformat() for d in self.working_weekends),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> HolidayYear:
        def days(key: str) -> frozenset[date]:
            raw = payload.get(key) or []
            assert isinstance(raw, list)
            return frozenset(date.fromisoformat(str(d)) for d in raw)

        year = payload["year"]
        assert isinstance(year, int)
        return cls(year, days("holidays"), days("working_weekends"))


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class ChinaCalendar:
    """Working days from the published years first, then the package's table, then Monday–Friday."""

    def __init__(self, published: Iterable[HolidayYear] = ()) -> None:
        self._published: dict[int, HolidayYear] = {y.year: y for y in published}

    def publish(self, year: HolidayYear) -> None:
        """The city office published (or corrected) a year's calendar."""
        self._published[year.year] = year

    def published_years(self) -> list[int]:
        return sorted(self._published)

    def knows(self, year: int) -> bool:
        """Whether the year's official holidays are known (published, or in the package's table)."""
        return year in self._published or _package_knows(year)

    def unknown_years(self, first_day: date, last_day: date) -> list[int]:
        """The years of a period whose official holidays nobody published and the package does not know."""
        return [year for year in range(first_day.year, last_day.year + 1) if not self.knows(year)]

    def is_working_day(self, day: date) -> bool:
        published = self._published.get(day.year)
        if published is not None:
            return published.is_working_day(day)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def last_working_day(self, first_day: date, working_days: int) -> date:
        """The Nth working day of a period starting on `first_day` (counted when it is a working day)."""
        if working_days < 1:
            raise ValueError("a period has at least one working day")
        day, counted = first_day, 0
        while True:
            if self.is_working_day(day):
                counted += 1
                if counted == working_days:
                    return day
            day += timedelta(days=1)

    def period_end(self, starts_at: datetime, working_days: int) -> datetime:
        """The instant a period of `working_days` working days that starts at `starts_at` is over:
        24:00 Asia/Shanghai of its Nth working day."""
        return end_of_day(self.last_working_day(china_today(starts_at), working_days))


def assumed_weekdays_note(years: Iterable[int]) -> str | None:
    """What a report adds when it counted Monday to Friday for want of a year's official calendar."""
    unknown = sorted(years)
    if not unknown:
        return None
    return f"{'、'.join(str(y) for y in unknown)}年的节假日安排尚未发布，暂按周一至周五为工作日计算。"


DEFAULT_CALENDAR = ChinaCalendar()
