"""NAT-3: results stay public for at least 5 Chinese working days, counted as NATIONAL.md counts
(the day of publication counts when it is a working day; the period ends at 24:00 Asia/Shanghai of
the last working day), before any document is issued."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from review_service.domain.rules import check_publicity_length, publicity_ends_at
from zhicheng_kernel.calendar import CHINA_TZ, ChinaCalendar, HolidayYear
from zhicheng_kernel.errors import InvalidInput

# The 2026 National Day holiday as the city office would publish it: Oct 1–7 off, Sunday Sep 27 and
# Saturday Oct 10 worked. Published data, so the test does not depend on the package's table.
NATIONAL_DAY_2026 = HolidayYear(
    2026,
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    working_weekends=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
)
CALENDAR = ChinaCalendar([NATIONAL_DAY_2026])


def test_publication_on_a_working_day_counts_as_the_first_day_nat3() -> None:
    # Published Monday 2026-06-08 10:00: Mon..Fri are the five days → ends Friday 24:00.
    start = datetime(2026, 6, 8, 10, 0, tzinfo=CHINA_TZ)
    assert publicity_ends_at(CALENDAR, start, 5) == datetime(2026, 6, 13, 0, 0, tzinfo=CHINA_TZ)


def test_publication_one_minute_before_midnight_still_counts_that_day_nat3() -> None:
    start = datetime(2026, 6, 8, 23, 59, tzinfo=CHINA_TZ)
    assert publicity_ends_at(CALENDAR, start, 5) == datetime(2026, 6, 13, 0, 0, tzinfo=CHINA_TZ)
    # …and one minute later it is Tuesday in Beijing: the period ends a working day later (Monday 24:00).
    later = start + timedelta(minutes=1)
    assert publicity_ends_at(CALENDAR, later, 5) == datetime(2026, 6, 16, 0, 0, tzinfo=CHINA_TZ)


def test_the_day_is_the_day_in_china_not_in_utc_nat3() -> None:
    # 2026-06-07 17:00 UTC is Monday 2026-06-08 01:00 in Beijing: Monday counts.
    start = datetime(2026, 6, 7, 17, 0, tzinfo=UTC)
    assert publicity_ends_at(CALENDAR, start, 5) == datetime(2026, 6, 13, 0, 0, tzinfo=CHINA_TZ)


def test_publication_on_a_weekend_starts_counting_on_monday_nat3() -> None:
    start = datetime(2026, 6, 6, 9, 0, tzinfo=CHINA_TZ)  # Saturday
    assert publicity_ends_at(CALENDAR, start, 5) == datetime(2026, 6, 13, 0, 0, tzinfo=CHINA_TZ)


def test_publicity_skips_the_national_day_holiday_and_counts_adjusted_working_days_nat3() -> None:
    # Wed 09-30 (1), holiday 10-01..07, Thu 10-08 (2), Fri 10-09 (3), Sat 10-10 worked (4), Mon 10-12 (5).
    start = datetime(2026, 9, 30, 9, 0, tzinfo=CHINA_TZ)
    assert publicity_ends_at(CALENDAR, start, 5) == datetime(2026, 10, 13, 0, 0, tzinfo=CHINA_TZ)


def test_a_publicity_shorter_than_five_working_days_is_refused_nat3() -> None:
    check_publicity_length(5)
    with pytest.raises(InvalidInput) as err:
        check_publicity_length(4)
    assert (err.value.code, err.value.rule, err.value.field) == (
        "publicity_too_short",
        "NAT-3",
        "publicity_working_days",
    )
