"""SCHED-3's review year at the real review-service (in this process, its clock a FixedClock the test
moves across 31 December): the year's workflow requested through the start outbox, the warning naming
the unvoted sessions and their organising offices, overdue marking at the deadline, the city office's
extension (ballots until `until` and not after) and carry-over (the candidates in next year's pool), the
year's report, the archive without any expert, and who may do what."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from review_service.adapters.tables import candidates, workflow_starts
from review_service.service_layer import outcomes
from sqlalchemy import select
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.problems import PROBLEM_JSON

from tests.harness import Servers
from tests.review_year.year_service import (
    CITY,
    CLINIC_PATH,
    COUNTY,
    COUNTY_PATH,
    EXPERTS,
    OTHER_UNIT,
    YearService,
    year_service,
)

YEAR = 2026
DECEMBER = datetime(YEAR, 12, 1, 9, 0, tzinfo=CHINA_TZ)
LAST_SECOND = datetime(YEAR, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ)
NEW_YEAR = datetime(YEAR + 1, 1, 1, 0, 0, 0, tzinfo=CHINA_TZ)
ALL_YES = "yes"


def problem(response: httpx.Response, status: int, code: str, rule: str | None = "SCHED-3") -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    if rule is not None:
        assert body.get("rule") == rule, body
    return body


@pytest.fixture
async def review(servers: Servers) -> AsyncIterator[YearService]:
    async with year_service(servers, FixedClock(DECEMBER)) as service:
        yield service


@dataclass
class Year:
    """A year's sessions: voted (intermediate, city office), unvoted senior (county office), unvoted
    intermediate of another series (city office), unvoted junior (not bound)."""

    voted: str
    senior: str
    other_series: str
    junior: str
    passed: str
    failed: str
    complained: str
    county_candidate: str
    other_series_candidate: str
    waiting: str


async def a_year(review: YearService) -> Year:
    city_intermediate = await review.committee("intermediate")
    county_senior = await review.committee("senior", organizer=COUNTY)
    city_engineering = await review.committee("intermediate", series="工程系列")
    city_junior = await review.committee("junior")

    passed = await review.candidate(YEAR)
    failed = await review.candidate(YEAR, org_path=CLINIC_PATH)
    complained = await review.candidate(YEAR)
    voted = await review.session_attended(city_intermediate, YEAR)
    county_candidate = await review.candidate(YEAR, level="senior", org_path=CLINIC_PATH)
    senior = await review.session_attended(county_senior, YEAR, organizer=COUNTY)
    other_series_candidate = await review.candidate(YEAR, series="工程系列")
    other_series = await review.session_attended(city_engineering, YEAR)
    await review.candidate(YEAR, level="junior")
    junior = await review.session_attended(city_junior, YEAR)
    waiting = await review.candidate(YEAR)  # pushed after the session opened: waits in the pool

    votes = {passed: ALL_YES, failed: "no", complained: ALL_YES}
    for expert_id in EXPERTS:
        accepted = await review.ballot(voted, expert_id, votes)
        assert accepted.status_code == 201, accepted.text
    await outcomes.tally(review.ctx, voted, "test")
    return Year(
        voted,
        senior,
        other_series,
        junior,
        passed,
        failed,
        complained,
        county_candidate,
        other_series_candidate,
        waiting,
    )


async def extension(review: YearService, session_id: str, headers: dict[str, str], until: datetime) -> httpx.Response:
    body = {"until": until.isoformat(), "reason": "评审专家集中时间冲突，延期至1月中旬"}
    return await review.http.post(f"/api/v1/sessions/{session_id}/extension", json=body, headers=headers)


async def carry_over(review: YearService, session_id: str, headers: dict[str, str]) -> httpx.Response:
    body = {"reason": "年内无法组织评审，结转下一年度"}
    return await review.http.post(f"/api/v1/sessions/{session_id}/carry-over", json=body, headers=headers)


async def test_sched_3_the_first_session_requests_the_review_year_workflow_through_the_outbox(
    review: YearService,
) -> None:
    year = await a_year(review)
    async with review.ctx.db.read() as conn:
        rows = {row.workflow_id: row for row in (await conn.execute(select(workflow_starts))).all()}
    row = rows.pop(f"review-year-{YEAR}")
    assert (row.workflow_name, row.started) == ("ReviewYearWorkflow", False)
    assert row.search_attributes == {"ZcYear": YEAR, "ZcStatus": "running", "ZcOffice": CITY}
    assert row.workflow_input["year"] == YEAR
    assert datetime.fromisoformat(row.workflow_input["deadline"]) == NEW_YEAR
    assert row.workflow_input["warning_offsets_seconds"] == [30 * 86_400, 7 * 86_400, 86_400]
    # The sessions' own workflows wait in the same outbox, with their organising office.
    assert {r.workflow_name for r in rows.values()} == {"CommitteeSessionWorkflow"} and len(rows) == 4
    senior = rows[f"committee-session-{year.senior}"]
    assert senior.search_attributes == {
        "ZcYear": YEAR,
        "ZcSeries": "卫生系列",
        "ZcStatus": "voting",
        "ZcOffice": COUNTY,
    }
    assert senior.workflow_input["session_id"] == year.senior


async def test_sched_3_a_warning_names_the_unvoted_sessions_and_their_organising_offices(review: YearService) -> None:
    year = await a_year(review)
    warned = await review.internal("POST", f"/{YEAR}/warnings", {"remaining_seconds": 7 * 86_400})
    assert warned.status_code == 200, warned.text
    body = warned.json()
    assert body["session_ids"] == sorted([year.senior, year.other_series])  # not the voted one, not junior
    assert body["organizing_org_ids"] == sorted([CITY, COUNTY])
    assert body["office_org_ids"] == sorted([CITY, COUNTY])
    assert datetime.fromisoformat(body["deadline"]) == NEW_YEAR
    again = await review.internal("POST", f"/{YEAR}/warnings", {"remaining_seconds": 7 * 86_400})
    assert again.json() == body
    history = await review.events(str(YEAR))
    assert [e.event_type for e in history] == ["ReviewYearWarningIssued"]  # one per offset
    assert history[0].payload["remaining_seconds"] == 7 * 86_400
    # The internal steps are the workflow's only.
    refused = await review.http.post(
        f"/api/v1/internal/review-years/{YEAR}/warnings", json={"remaining_seconds": 1}, headers=review.city_office()
    )
    problem(refused, 403, "service_only", rule=None)


async def test_sched_3_sessions_not_voted_at_00_00_on_1_january_are_marked_overdue_once(review: YearService) -> None:
    year = await a_year(review)
    review.at(LAST_SECOND)
    problem(await review.internal("POST", f"/{YEAR}/overdue"), 409, "review_year_not_over")
    review.at(NEW_YEAR)
    marked = await review.internal("POST", f"/{YEAR}/overdue")
    assert marked.status_code == 200, marked.text
    overdue = sorted([year.senior, year.other_series])
    assert marked.json()["overdue_session_ids"] == overdue
    assert marked.json()["pending_session_ids"] == overdue
    assert (await review.internal("POST", f"/{YEAR}/overdue")).json() == marked.json()
    history = await review.events(year.senior)
    assert [e.event_type for e in history].count("SessionOverdue") == 1
    [event] = [e for e in history if e.event_type == "SessionOverdue"]
    assert event.payload["organizing_org_id"] == COUNTY
    assert event.payload["application_ids"] == [year.county_candidate]
    assert "SessionOverdue" not in [e.event_type for e in await review.events(year.junior)]
    sessions = (await review.internal("GET", f"/{YEAR}/sessions")).json()
    assert sessions["pending_session_ids"] == overdue


async def test_sched_3_an_extended_session_votes_until_its_extension_and_not_after(review: YearService) -> None:
    year = await a_year(review)
    until = NEW_YEAR + timedelta(days=10)
    review.at(LAST_SECOND)
    problem(await extension(review, year.senior, review.city_office(), until), 409, "review_year_not_over")
    review.at(NEW_YEAR)
    await review.internal("POST", f"/{YEAR}/overdue")
    votes = {year.county_candidate: ALL_YES}
    problem(await review.ballot(year.senior, EXPERTS[0], votes), 409, "review_year_closed")

    granted = await extension(review, year.senior, review.city_office(), until)
    assert granted.status_code == 200, granted.text
    assert datetime.fromisoformat(granted.json()["until"]) == until
    [event] = [e for e in await review.events(year.senior) if e.event_type == "SessionExtensionGranted"]
    assert event.payload["reason"] == "评审专家集中时间冲突，延期至1月中旬"
    assert (event.payload["granted_by"], event.payload["organizing_org_id"]) == ("city-operator", COUNTY)

    review.at(until - timedelta(seconds=1))
    for expert_id in EXPERTS[:2]:
        accepted = await review.ballot(year.senior, expert_id, votes)
        assert accepted.status_code == 201, accepted.text
    review.at(until)
    body = problem(await review.ballot(year.senior, EXPERTS[2], votes), 409, "review_year_closed")
    assert "延期亦已届满" in body["detail"]

    assert year.senior in (await review.internal("GET", f"/{YEAR}/sessions")).json()["pending_session_ids"]
    await outcomes.tally(review.ctx, year.senior, "test")  # voted: no longer waiting for the city office
    assert year.senior not in (await review.internal("GET", f"/{YEAR}/sessions")).json()["pending_session_ids"]


async def test_sched_3_carried_over_candidates_enter_next_year_s_pool(review: YearService) -> None:
    year = await a_year(review)
    review.at(NEW_YEAR + timedelta(hours=9))
    await review.internal("POST", f"/{YEAR}/overdue")
    carried = await carry_over(review, year.other_series, review.city_office())
    assert carried.status_code == 200, carried.text
    assert carried.json()["to_year"] == YEAR + 1
    assert carried.json()["application_ids"] == [year.other_series_candidate]
    again = await carry_over(review, year.other_series, review.city_office())
    problem(again, 409, "session_carried_over")

    async with review.ctx.db.read() as conn:
        row = (
            await conn.execute(select(candidates).where(candidates.c.application_id == year.other_series_candidate))
        ).one()
    assert (row.year, row.status, row.session_id) == (YEAR + 1, "pushed", None)
    votes = {year.other_series_candidate: ALL_YES}
    problem(await review.ballot(year.other_series, EXPERTS[0], votes), 409, "review_year_closed")
    assert year.other_series not in (await review.internal("GET", f"/{YEAR}/sessions")).json()["pending_session_ids"]

    # The next year's committee takes them into a session of the next year.
    committee_id = await review.committee("intermediate", series="工程系列")
    opened = await review.open_session(committee_id, YEAR + 1)
    assert opened.status_code == 201, opened.text
    assert opened.json()["application_ids"] == [year.other_series_candidate]


@pytest.mark.parametrize("who", ["secretary_of_another_unit", "organising_county_office", "expert", "applicant"])
async def test_sched_3_only_the_city_office_extends_or_carries_over(review: YearService, who: str) -> None:
    year = await a_year(review)
    review.at(NEW_YEAR)
    await review.internal("POST", f"/{YEAR}/overdue")
    headers = {
        "secretary_of_another_unit": review.secretary(OTHER_UNIT),
        "organising_county_office": review.county_office(),
        "expert": review.expert(),
        "applicant": review.applicant(),
    }[who]
    code = "role_required" if who in ("expert", "applicant") else "not_city_title_office"
    problem(await extension(review, year.senior, headers, NEW_YEAR + timedelta(days=3)), 403, code, rule=None)
    problem(await carry_over(review, year.senior, headers), 403, code, rule=None)
    history = await review.events(year.senior)
    assert not {"SessionExtensionGranted", "CandidatesCarriedOver"} & {e.event_type for e in history}


async def settled_year(review: YearService) -> Year:
    """a_year, then: the voted session's results public, a complaint against one passed candidate, the
    others issued; at the deadline the senior session extended and the other series carried over."""
    year = await a_year(review)
    await outcomes.publish(review.ctx, year.voted, "test", publicity_seconds=60, publicity_working_days=5)
    complaint = {"application_id": year.complained, "content": "论文涉嫌抄袭"}
    filed = await review.http.post(
        f"/api/v1/sessions/{year.voted}/complaints", json=complaint, headers=review.applicant()
    )
    assert filed.status_code == 201, filed.text
    review.at(DECEMBER + timedelta(minutes=5))
    issued = await outcomes.issue_documents(review.ctx, year.voted, "test")
    assert [d.application_id for d in issued.issued] == [year.passed]
    review.at(NEW_YEAR)
    await review.internal("POST", f"/{YEAR}/overdue")
    assert (await extension(review, year.senior, review.city_office(), NEW_YEAR + timedelta(days=5))).status_code == 200
    assert (await carry_over(review, year.other_series, review.city_office())).status_code == 200
    return year


async def test_sched_3_the_year_s_report_counts_by_series_and_by_the_office_s_scope(review: YearService) -> None:
    await settled_year(review)
    await review.candidate(YEAR, verdict="returned")  # POL-FI-1: the province returned it; it never sat
    r = await review.http.get(f"/api/v1/review-years/{YEAR}/report", headers=review.city_office())
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["scope_org_path"] is None
    by_series = {s["series"]: s for s in report["by_series"]}
    health = by_series["卫生系列"]
    # pushed: passed, failed, complained, county candidate, waiting, the junior one and the returned one
    assert health["pushed"] == 7
    assert (health["filed_approved"], health["returned_by_province"]) == (6, 1)
    assert (health["sessions"], health["sessions_voted"], health["reviewed"]) == (3, 1, 3)
    assert (health["passed"], health["failed"], health["documents_issued"], health["complaints_open"]) == (2, 1, 1, 1)
    assert (health["sessions_overdue"], health["sessions_extended"], health["sessions_carried_over"]) == (1, 1, 0)
    engineering = by_series["工程系列"]
    assert (engineering["pushed"], engineering["sessions_overdue"]) == (1, 1)
    assert (engineering["sessions_carried_over"], engineering["candidates_carried_over"]) == (1, 1)
    assert report["total"]["pushed"] == 8 and report["total"]["sessions_overdue"] == 2
    assert report["total"]["returned_by_province"] == 1

    county = await review.http.get(f"/api/v1/review-years/{YEAR}/report", headers=review.county_office())
    assert county.status_code == 200, county.text
    assert county.json()["scope_org_path"] == COUNTY_PATH
    [mine] = county.json()["by_series"]  # the clinic's failed candidate and the senior one
    assert (mine["series"], mine["pushed"], mine["sessions"], mine["reviewed"], mine["failed"]) == (
        "卫生系列",
        2,
        2,
        1,
        1,
    )
    assert (mine["passed"], mine["documents_issued"], mine["sessions_overdue"]) == (0, 0, 1)

    internal = await review.internal("GET", f"/{YEAR}/report")
    assert internal.json()["total"] == report["total"]
    for headers in (review.expert(), review.applicant(), review.secretary(OTHER_UNIT)):
        refused = await review.http.get(f"/api/v1/review-years/{YEAR}/report", headers=headers)
        assert refused.status_code == 403, refused.text


async def test_sched_3_the_archive_exports_the_year_without_any_expert(review: YearService) -> None:
    year = await settled_year(review)
    r = await review.http.get(f"/api/v1/review-years/{YEAR}/archive", headers=review.city_office())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    for expert_id in EXPERTS:
        assert expert_id not in r.text  # neither the committee, the attendance nor a ballot's voter
    lines = [json.loads(line) for line in r.text.splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "review_year" and kinds[-1] == "report"
    assert {line["application_id"] for line in lines if line["kind"] == "application"} >= {
        year.passed,
        year.other_series_candidate,
    }
    sessions = {line["session_id"]: line for line in lines if line["kind"] == "session"}
    voted = sessions[year.voted]
    assert set(voted) & {"expert_ids", "present_expert_ids", "ballots", "voters"} == set()
    assert (voted["committee_size"], voted["present"], voted["ballots_cast"]) == (3, 3, 3)
    assert {r["application_id"]: r["passed"] for r in voted["tally"]["results"]} == {
        year.passed: True,
        year.failed: False,
        year.complained: True,
    }
    assert voted["complaints"][year.complained][0]["outcome"] is None
    assert sessions[year.other_series]["carried_over"]["to_year"] == YEAR + 1
    assert sessions[year.senior]["overdue"] and sessions[year.senior]["extensions"][0]["reason"]
    [document] = [line for line in lines if line["kind"] == "document"]
    assert document["application_id"] == year.passed and document["number"].startswith("平人社职称")

    for headers in (review.county_office(), review.expert(), review.applicant()):
        refused = await review.http.get(f"/api/v1/review-years/{YEAR}/archive", headers=headers)
        assert refused.status_code == 403, refused.text
