"""The official holiday calendar as data (NAT-3, NAT-5): the city 职改办 publishes a year's holidays
and adjusted working days; the package's table is only the default. Pure checks first, then the
service: NAT-5 counts with a published year at once, a re-publication corrects it, a restart keeps
it, and a year nobody published is reported as counted Monday to Friday."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from application_service.app import create_app
from application_service.domain.holiday_calendar import days_from_rows, holiday_year
from zhicheng_kernel.calendar import CHINA_TZ, ChinaCalendar
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.errors import InvalidInput

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    auth,
    city_office,
    decide,
    office,
    post,
)

NEW_YEAR_2027 = {"holidays": ["2027-01-01"], "working_weekends": []}


# -- the published year, without the service -------------------------------------------------------------


def test_a_published_2027_new_year_holiday_moves_the_nat5_last_day() -> None:
    """NAT-5 from Thursday 31 December 2026: the package does not know 2027 and counts 1 January as a
    working day; with 1 January published as a holiday the fifth working day is 7 January."""
    calendar = ChinaCalendar()
    assert calendar.last_working_day(date(2026, 12, 31), 5) == date(2027, 1, 6)
    assert calendar.unknown_years(date(2026, 12, 31), date(2027, 1, 6)) == [2027]
    calendar.publish(holiday_year(2027, [date(2027, 1, 1)], []))
    assert calendar.last_working_day(date(2026, 12, 31), 5) == date(2027, 1, 7)
    assert calendar.unknown_years(date(2026, 12, 31), date(2027, 1, 7)) == []


@pytest.mark.parametrize(
    ("holidays", "working_weekends", "code", "field"),
    [
        ([date(2028, 1, 1)], [], "calendar_date_outside_year", "holidays.0"),
        ([date(2027, 1, 1), date(2027, 1, 1)], [], "calendar_date_repeated", "holidays.1"),
        ([], [date(2027, 1, 4)], "calendar_working_day_not_weekend", "working_weekends.0"),  # a Monday
        ([date(2027, 1, 2)], [date(2027, 1, 2)], "calendar_date_in_both_lists", "working_weekends.0"),
        ([date(2027, 1, 1)] * 101, [], "calendar_too_many_dates", "holidays"),
    ],
)
def test_a_calendar_that_is_not_a_holiday_notice_is_refused(
    holidays: list[date], working_weekends: list[date], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        holiday_year(2027, holidays, working_weekends)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_calendar_file_lists_dates_and_kinds() -> None:
    rows = [
        ["日期", "类型"],
        ["2027-01-01", "放假"],
        [datetime(2027, 2, 7), "上班"],
        ["", ""],
        [date(2027, 2, 11), "holiday"],
    ]
    assert days_from_rows(rows) == ([date(2027, 1, 1), date(2027, 2, 11)], [date(2027, 2, 7)])
    with pytest.raises(InvalidInput) as refused:
        days_from_rows([["2027-01-01", "放假"], ["1月2日", "放假"]])
    assert refused.value.code == "calendar_file_date" and "第2行" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        days_from_rows([["2027-01-01", "调休"]])
    assert refused.value.code == "calendar_file_kind"


# -- the service ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    """NAT-5 enforced, on a database of this module's own (publishing 2027 concerns only it)."""
    return svc_with_publicity


async def publish(svc: Harness, token: str, year: int, body: dict[str, Any]) -> httpx.Response:
    return await svc.client.put(f"/api/v1/calendar/years/{year}", json=body, headers=auth(token))


async def test_nat5_counts_with_the_2027_calendar_the_city_office_publishes(svc: Harness, tree: Tree) -> None:
    """NAT-5: a publicity from 31 December 2026 ends on 6 January while 2027 is unknown (said so in the
    refusal); once 1 January 2027 is published as a holiday it ends on 7 January."""
    app = (await post(svc, "/api/v1/applications", await applicant(svc, tree), application(papers=[]))).json()
    svc.clock.set(datetime(2026, 12, 31, 9, tzinfo=CHINA_TZ))
    unit = svc.token("unit", tree.school, ["unit_review"])
    r = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit)
    assert r.status_code == 200 and r.json()["publicity_starts_on"] == "2026-12-31", r.text
    app = r.json()
    svc.clock.set(datetime(2027, 1, 6, 12, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    body = r.json()
    assert r.status_code == 409 and body["rule"] == "NAT-5" and body["last_day"] == "2027-01-06"
    assert body["calendar_known"] is False and "2027年的节假日安排尚未发布" in body["detail"]

    r = await publish(svc, city_office(svc, tree), 2027, NEW_YEAR_2027)
    assert r.status_code == 200, r.text
    assert r.json()["holidays"] == ["2027-01-01"] and r.json()["version"] == 1

    svc.clock.set(datetime(2027, 1, 7, 23, 59, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    body = r.json()
    assert r.status_code == 409 and body["last_day"] == "2027-01-07" and body["calendar_known"] is True, body
    assert "尚未发布" not in body["detail"]
    svc.clock.set(datetime(2027, 1, 8, 0, 1, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 200 and r.json()["status"] == "unit_approved", r.text


async def test_only_the_city_title_office_publishes_a_calendar(svc: Harness, tree: Tree) -> None:
    county = office(svc, tree)  # title_office_review, push, auditor at a county office
    assert (await publish(svc, county, 2030, NEW_YEAR_2027 | {"holidays": ["2030-01-01"]})).status_code == 403
    unit = svc.token("unit", tree.school, ["unit_review"])
    assert (await publish(svc, unit, 2030, {"holidays": ["2030-01-01"]})).status_code == 403
    r = await svc.client.put("/api/v1/calendar/years/2030", json={"holidays": ["2030-01-01"]})
    assert r.status_code == 401
    assert (await svc.client.get("/api/v1/calendar/years/2030", headers=auth(county))).status_code == 404


async def test_a_date_outside_the_year_is_refused_with_its_field(svc: Harness, tree: Tree) -> None:
    r = await publish(svc, city_office(svc, tree), 2031, {"holidays": ["2031-01-01", "2032-01-01"]})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "calendar_date_outside_year" and r.json()["field"] == "holidays.1"
    assert "2032-01-01不在2031年内" in r.json()["detail"]


async def test_a_republished_year_replaces_the_earlier_one(svc: Harness, tree: Tree) -> None:
    token = city_office(svc, tree)
    assert (await publish(svc, token, 2032, {"holidays": ["2032-01-01"]})).status_code == 200
    corrected = {"holidays": ["2032-01-01", "2032-01-02"], "working_weekends": ["2032-01-10"]}
    r = await publish(svc, token, 2032, corrected)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    reader = svc.token("reader", tree.school, ["applicant"])
    year = (await svc.client.get("/api/v1/calendar/years/2032", headers=auth(reader))).json()
    assert year["holidays"] == corrected["holidays"] and year["working_weekends"] == ["2032-01-10"]
    listed = (await svc.client.get("/api/v1/calendar/years", headers=auth(reader))).json()["items"]
    assert [y["version"] for y in listed if y["year"] == 2032] == [2]
    # Saturday 10 January 2032 is now a working day; Friday 2 January is not.
    assert svc.runtime.context.calendar.is_working_day(date(2032, 1, 10))
    assert not svc.runtime.context.calendar.is_working_day(date(2032, 1, 2))


async def test_a_period_in_an_unpublished_year_says_monday_to_friday_was_assumed(svc: Harness, tree: Tree) -> None:
    """NAT-3/NAT-5 periods as a clerk reads them: counted with the calendar in use, flagged when a year is unknown."""
    reader = svc.token("reader", tree.school, ["applicant"])
    r = await svc.client.get(
        "/api/v1/calendar/working-days", params={"starts_on": "2029-09-28", "working_days": 5}, headers=auth(reader)
    )
    assert r.status_code == 200, r.text
    assert r.json()["calendar_known"] is False and "2029年的节假日安排尚未发布" in r.json()["note"]
    r = await svc.client.get(
        "/api/v1/calendar/working-days", params={"starts_on": "2026-09-30", "working_days": 5}, headers=auth(reader)
    )
    # The package knows 2026: National Day 1–7 October off, Saturday 10 October worked.
    assert r.json()["calendar_known"] is True and r.json()["note"] is None
    assert r.json()["last_day"] == "2026-10-12"


async def test_a_restarted_service_still_counts_with_the_published_year(svc: Harness, tree: Tree) -> None:
    """A new process over the same database loads the published years into its calendar at start."""
    assert (await publish(svc, city_office(svc, tree), 2033, {"holidays": ["2033-01-03"]})).status_code == 200
    async with restarted(svc) as calendar:
        assert calendar.knows(2033)
        assert not calendar.is_working_day(date(2033, 1, 3))  # a Monday, published as a holiday


@asynccontextmanager
async def restarted(svc: Harness) -> AsyncIterator[ChinaCalendar]:
    """The calendar of a second process of the service, started over the first one's database."""
    app = create_app(svc.runtime.context.settings, clock=FixedClock(svc.clock.now()), verifier=svc.signer.verifier())
    async with app.router.lifespan_context(app):
        yield app.state.context.calendar


async def test_the_city_office_publishes_a_year_from_a_csv_file(svc: Harness, tree: Tree) -> None:
    csv_text = "日期,类型\n2034-01-02,放假\n2034-01-08,上班\n"
    files = {"file": ("2034.csv", csv_text.encode("utf-8"), "text/csv")}
    r = await svc.client.post("/api/v1/calendar/years/2034/import", files=files, headers=auth(city_office(svc, tree)))
    assert r.status_code == 200, r.text
    assert r.json()["holidays"] == ["2034-01-02"] and r.json()["working_weekends"] == ["2034-01-08"]
    county = office(svc, tree)
    r = await svc.client.post("/api/v1/calendar/years/2034/import", files=files, headers=auth(county))
    assert r.status_code == 403
