"""The push window of a series (SCHED-1), pure: when it closes (24:00 Asia/Shanghai on the last day of
the push month), when its reminders fall due, and who holds the unfinished applications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from application_service.domain.push_window import (
    PublishedWindow,
    Unfinished,
    closes_at_as_published,
    holders,
    is_open,
    next_wake,
    reminder_instants,
    reminders_due,
    window_closes_at,
)
from application_service.domain.rules import push_window_open
from application_service.domain.schedule import SCHEDULE_2021
from application_service.settings import ApplicationSettings
from pydantic import ValidationError
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import InvalidInput

from tests.filing.province import production_province

DAY = 86_400
CITY, COUNTY = "office-city", "office-county"


def test_sched_1_window_closes_at_24_00_shanghai_on_the_last_day_of_the_month() -> None:
    closes_at = window_closes_at(2026, 12)
    assert closes_at == datetime(2027, 1, 1, 0, 0, tzinfo=CHINA_TZ)
    assert closes_at.astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert window_closes_at(2028, 2) == datetime(2028, 3, 1, tzinfo=CHINA_TZ)  # leap year: 29 February


def test_sched_1_boundary_23_59_59_open_00_00_closed() -> None:
    closes_at = window_closes_at(2026, 11)
    assert is_open(closes_at, datetime(2026, 11, 30, 23, 59, 59, tzinfo=CHINA_TZ))
    assert not is_open(closes_at, datetime(2026, 12, 1, 0, 0, 0, tzinfo=CHINA_TZ))
    # the refusal of a late push asks the same window
    entry = SCHEDULE_2021["农业系列"]  # November
    push_window_open(entry, 2026, datetime(2026, 11, 30, 23, 59, 59, tzinfo=CHINA_TZ))
    with pytest.raises(InvalidInput) as refused:
        push_window_open(entry, 2026, datetime(2026, 12, 1, 0, 0, 0, tzinfo=CHINA_TZ))
    assert refused.value.rule == "SCHED-1"
    assert refused.value.extra["deadline"] == closes_at.isoformat()


def test_sched_1_reminder_instants_before_the_close() -> None:
    closes_at = window_closes_at(2026, 12)
    instants = reminder_instants(closes_at, [DAY, 7 * DAY, 3 * DAY, 3 * DAY, 0])
    assert [(r.at, r.remaining_seconds) for r in instants] == [
        (datetime(2026, 12, 25, tzinfo=CHINA_TZ), 7 * DAY),
        (datetime(2026, 12, 29, tzinfo=CHINA_TZ), 3 * DAY),
        (datetime(2026, 12, 31, tzinfo=CHINA_TZ), DAY),
    ]


def test_sched_1_due_reminders_and_the_next_wake() -> None:
    closes_at = window_closes_at(2026, 12)
    offsets = [7 * DAY, 3 * DAY, DAY]
    early = datetime(2026, 12, 1, tzinfo=CHINA_TZ)
    assert reminders_due(closes_at, offsets, [], early) == []
    assert next_wake(closes_at, offsets, [], early) == datetime(2026, 12, 25, tzinfo=CHINA_TZ)
    late = datetime(2026, 12, 30, 12, tzinfo=CHINA_TZ)  # published two days before: 7 and 3 days are due
    assert [r.remaining_seconds for r in reminders_due(closes_at, offsets, [], late)] == [7 * DAY, 3 * DAY]
    assert [r.remaining_seconds for r in reminders_due(closes_at, offsets, [7 * DAY], late)] == [3 * DAY]
    assert next_wake(closes_at, offsets, [7 * DAY, 3 * DAY], late) == datetime(2026, 12, 31, tzinfo=CHINA_TZ)
    assert next_wake(closes_at, offsets, [7 * DAY, 3 * DAY, DAY], late) == closes_at
    assert reminders_due(closes_at, offsets, [], closes_at) == []  # closed: no reminder any more


def test_sched_1_compressed_window_closes_seconds_after_publication_outside_production() -> None:
    published = datetime(2026, 3, 1, 9, tzinfo=CHINA_TZ)
    assert closes_at_as_published(2026, 12, published, None, None) == window_closes_at(2026, 12)
    compressed = closes_at_as_published(2026, 12, published, 30, None)
    assert compressed == published + timedelta(seconds=30)
    same_month = PublishedWindow(2026, "卫生系列", 12, compressed, True)
    later = published + timedelta(seconds=10)
    assert closes_at_as_published(2026, 12, later, 30, same_month) == compressed  # republished: kept
    assert closes_at_as_published(2026, 11, later, 30, same_month) == later + timedelta(seconds=30)
    assert closes_at_as_published(2026, 2, later, 30, same_month) == window_closes_at(2026, 2)  # already over


def test_sched_1_compressed_windows_are_refused_in_production(tmp_path: Path) -> None:
    production = {"environment": "production", "service_client_secret": "s", **production_province(tmp_path)}
    with pytest.raises(ValidationError, match="ZC_PUSH_WINDOW_SECONDS"):
        ApplicationSettings(**production, push_window_seconds=30)
    with pytest.raises(ValidationError, match="ZC_PUSH_WINDOW_REMINDER_SECONDS"):
        ApplicationSettings(**production, push_window_reminder_seconds="10")
    assert ApplicationSettings(**production).push_window_reminder_offsets() == [7 * DAY, 3 * DAY, DAY]
    test = ApplicationSettings(environment="test", push_window_seconds=30, push_window_reminder_seconds="10,5")
    assert test.push_window_reminder_offsets() == [10, 5]


def _app(app_id: str, status: str, step: str | None, *, department: bool = True, office: str = COUNTY) -> Unfinished:
    chain = [{"step": "unit", "org_id": f"unit-{app_id[0]}"}]
    if department:
        chain.append({"step": "department", "org_id": "dept"})
    chain.append({"step": "title_office", "org_id": office})
    return Unfinished(app_id, status, chain, step)


def test_sched_1_holders_of_unfinished_applications_grouped_by_org() -> None:
    found = holders(
        [
            _app("a1", "submitted", "unit"),
            _app("a2", "unit_approved", "department"),
            _app("b3", "department_approved", "title_office"),
            _app("b4", "office_approved", None, office=CITY),
            _app("c5", "returned", None, department=False),
            _app("c6", "pushed", None),
        ],
        CITY,
    )
    assert found.by_org == {"unit-a": 1, "dept": 1, COUNTY: 1, CITY: 1, "unit-c": 1}
    assert found.holder_org_ids == ["dept", "unit-a", "unit-c"]  # units and departments
    assert found.office_org_ids == [CITY, COUNTY]  # the city office and the offices that push them
    assert found.unfinished_count == 5
    assert holders([], CITY).office_org_ids == [CITY]
