"""One China calendar: working days by the official notice, counted as NATIONAL.md says (NAT-3, NAT-5)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from zhicheng_kernel.calendar import (
    CHINA_TZ,
    ChinaCalendar,
    HolidayYear,
    assumed_weekdays_note,
    china_today,
    end_of_day,
)


def test_the_first_day_counts_when_it_is_a_working_day() -> None:
    # "公示期为5个工作日（6月5日至6月9日）": Monday 5 June 2023 to Friday 9 June 2023.
    assert ChinaCalendar().last_working_day(date(2023, 6, 5), 5) == date(2023, 6, 9)


def test_a_period_starting_on_a_weekend_begins_with_the_next_working_day() -> None:
    assert ChinaCalendar().last_working_day(date(2023, 6, 3), 5) == date(2023, 6, 9)


def test_national_day_holidays_and_adjusted_weekend_days_follow_the_package_table() -> None:
    calendar = ChinaCalendar()
    assert not calendar.is_working_day(date(2021, 10, 1))
    assert calendar.is_working_day(date(2021, 10, 9))  # a Saturday made a working day
    # Starting Thursday 30 Sep 2021: 30 Sep, then 8 Oct (Fri), 9 Oct (Sat, adjusted), 11, 12 Oct.
    assert calendar.last_working_day(date(2021, 9, 30), 5) == date(2021, 10, 12)


def test_the_period_ends_at_midnight_china_time_of_its_last_working_day() -> None:
    starts = datetime(2023, 6, 5, 9, 30, tzinfo=CHINA_TZ)
    assert ChinaCalendar().period_end(starts, 5) == datetime(2023, 6, 10, 0, 0, tzinfo=CHINA_TZ)


def test_a_published_year_takes_precedence_over_the_package_and_weekday_guess() -> None:
    calendar = ChinaCalendar()
    far = 2099
    assert not calendar.knows(far)
    assert calendar.is_working_day(date(far, 1, 1))  # a Thursday, guessed Monday–Friday
    calendar.publish(HolidayYear(far, holidays=frozenset({date(far, 1, 1), date(far, 1, 2)})))
    assert calendar.knows(far)
    assert not calendar.is_working_day(date(far, 1, 1))
    assert calendar.last_working_day(date(far, 1, 1), 1) == date(far, 1, 5)  # Fri 2nd a holiday, then Mon 5th


def test_a_holiday_year_survives_its_payload_round_trip_and_refuses_other_years() -> None:
    year = HolidayYear(2030, frozenset({date(2030, 10, 1)}), frozenset({date(2030, 9, 29)}))
    assert HolidayYear.from_payload(year.to_payload()) == year
    with pytest.raises(ValueError):
        HolidayYear(2030, frozenset({date(2031, 1, 1)}))


def test_china_today_and_end_of_day_use_asia_shanghai() -> None:
    utc_evening = datetime.fromisoformat("2021-12-31T16:00:00+00:00")  # 1 January 00:00 in China
    assert china_today(utc_evening) == date(2022, 1, 1)
    assert end_of_day(date(2021, 12, 31)) == datetime(2022, 1, 1, tzinfo=CHINA_TZ)


def test_a_period_in_an_unpublished_year_says_monday_to_friday_was_assumed() -> None:
    calendar = ChinaCalendar()
    assert calendar.unknown_years(date(2098, 12, 30), date(2099, 1, 5)) == [2098, 2099]
    note = assumed_weekdays_note(calendar.unknown_years(date(2098, 12, 30), date(2099, 1, 5)))
    assert note is not None and "2098、2099年" in note and "周一至周五" in note
    calendar.publish(HolidayYear(2099))
    assert calendar.unknown_years(date(2099, 1, 1), date(2099, 1, 5)) == []
    assert assumed_weekdays_note([]) is None
