"""SCHED-3 as a pure rule: the review of a year's intermediate and senior committees ends at 24:00 of
31 December, Asia/Shanghai (the same instants read in UTC are eight hours off)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from review_service.domain.rules import check_review_year_open, review_year_ends_at
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import Conflict

LAST_SECOND = datetime(2026, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ)
NEW_YEAR = datetime(2027, 1, 1, 0, 0, 0, tzinfo=CHINA_TZ)


def refusal(year: int, level: str, now: datetime) -> Conflict | None:
    try:
        check_review_year_open(year, level, now, "召开该年度的评审会议")
    except Conflict as refused:
        return refused
    return None


def test_sched_3_the_review_year_ends_at_24_00_of_31_december_asia_shanghai() -> None:
    assert review_year_ends_at(2026) == NEW_YEAR
    assert review_year_ends_at(2026) == datetime(2026, 12, 31, 16, tzinfo=UTC)


@pytest.mark.parametrize("level", ["intermediate", "deputy_senior", "senior"])
def test_sched_3_23_59_59_on_31_december_is_accepted_00_00_on_1_january_refused(level: str) -> None:
    assert refusal(2026, level, LAST_SECOND) is None
    refused = refusal(2026, level, NEW_YEAR)
    assert refused is not None
    assert refused.status == 409 and refused.code == "review_year_closed" and refused.rule == "SCHED-3"
    assert "2026年度" in refused.message and "2026年12月31日24时" in refused.message
    assert "召开该年度的评审会议" in refused.message
    assert refused.extra["year"] == 2026 and refused.extra["deadline"] == "2027-01-01T00:00:00+08:00"


def test_sched_3_the_zone_matters_the_same_wall_clock_in_utc_is_eight_hours_later() -> None:
    """23:59:59 UTC on 31 December is 07:59:59 on 1 January in China: already closed; the last
    accepted second is 15:59:59 UTC on 31 December, 16:00:00 UTC the first refused."""
    assert refusal(2026, "intermediate", datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)) is not None
    assert refusal(2026, "intermediate", datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC)) is not None
    assert refusal(2026, "intermediate", datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)) is None
    assert refusal(2026, "intermediate", datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC)) is not None


def test_sched_3_binds_only_the_year_it_names() -> None:
    """On 1 January 2027 the year 2027 is open; 2025 closed a year earlier."""
    assert refusal(2027, "senior", NEW_YEAR) is None
    assert refusal(2025, "senior", LAST_SECOND) is not None


def test_sched_3_does_not_bind_junior_committees() -> None:
    """The notice's sentence names "中、高评会": a junior (初级) session has no 31 December deadline."""
    assert refusal(2026, "junior", NEW_YEAR) is None
    assert refusal(2020, "junior", NEW_YEAR) is None
