"""application-service in-process: submission (NAT-7 chain, SCHED-2, validation), reading within the
subtree, the review chain one level at a time with optimistic concurrency, the POL-PA-4 gate, pushes at
SCHED-1's exact boundary and the committee's outcomes learnt from review-service's events."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from application_service.domain.application import Application
from application_service.domain.commands import CreatePush
from application_service.domain.events import ApplicationPushed
from application_service.domain.push import plan_push
from application_service.domain.schedule import schedule_2021
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_tooling.dev_seed.loader import seed_schedule

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    approve,
    auth,
    paper,
    pass_checks,
    publicity_over,
    reader,
    submit,
    up_the_chain,
)

pytestmark = pytest.mark.stack


async def office_approved(svc: Harness, tree: Tree, **overrides: Any) -> dict[str, Any]:
    r = await submit(svc, tree, **overrides)
    assert r.status_code == 201, r.text
    app = r.json()
    await pass_checks(svc, app)
    version = (await svc.client.get(f"/api/v1/applications/{app['id']}", headers=auth(reader(svc, tree)))).json()[
        "version"
    ]
    r = await up_the_chain(svc, tree, app["id"], version)
    version = r.json()["version"]
    assert r.json()["status"] == "office_approved"
    return dict(r.json())


# -- submission ----------------------------------------------------------------------------------------


async def test_nat7_submission_computes_the_chain_and_requests_a_check_per_paper(svc: Harness, tree: Tree) -> None:
    """NAT-7 chain from the orgs read model; POL-PA-4 one PaperCheckRequested per paper."""
    r = await submit(svc, tree, papers=[paper(), paper(title="第二篇", journal_level="provincial")])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "submitted" and body["version"] == 4
    assert [(s["step"], s["org_id"]) for s in body["chain"]] == [
        ("unit", tree.school["org_id"]),
        ("department", tree.dept["org_id"]),
        ("title_office", tree.county["org_id"]),
    ]
    assert await svc.stream(body["id"]) == [
        "ApplicationSubmitted",
        "PaperCheckRequested",
        "PaperCheckRequested",
        "EligibilityAssessed",
    ]
    seen = await svc.client.get(f"/api/v1/applications/{body['id']}", headers=auth(reader(svc, tree)))
    assert seen.status_code == 200 and seen.json()["current_step"] == "unit"


async def test_sched2_grassroots_track_refused_for_an_unmarked_series(svc: Harness, tree: Tree) -> None:
    """SCHED-2: 会计系列 has no grassroots track → 422 with code, Chinese message and field "track"."""
    r = await submit(svc, tree, series="会计系列", track="grassroots")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "grassroots_track_not_offered" and r.json()["field"] == "track"
    ok = await submit(svc, tree, series="卫生系列(含基层有效)", track="grassroots")
    assert ok.status_code == 201 and ok.json()["series"] == "卫生系列"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"series": "魔法系列"}, "series"),
        ({"papers": [paper(published_on="2026-06-02")]}, "papers.0.published_on"),
        ({"papers": [paper()] * 11}, "papers"),
        ({"papers": [paper(text="字" * 200_001)]}, "papers.0.text"),
        ({"level": "grand"}, "level"),
    ],
)
async def test_bad_submissions_get_problem_json(
    svc: Harness, tree: Tree, overrides: dict[str, Any], field: str
) -> None:
    r = await submit(svc, tree, **overrides)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


async def test_only_applicants_submit(svc: Harness, tree: Tree) -> None:
    token = svc.token(str(uuid.uuid4()), tree.school, ["unit_review"])
    r = await svc.client.post("/api/v1/applications", json=application(), headers=auth(token))
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    assert (await svc.client.post("/api/v1/applications", json=application())).status_code == 401


# -- reading ---------------------------------------------------------------------------------------------


async def test_reads_are_limited_to_the_owner_and_the_orgs_above(svc: Harness, tree: Tree) -> None:
    account = str(uuid.uuid4())
    app = (await submit(svc, tree, applicant=account)).json()
    url = f"/api/v1/applications/{app['id']}"
    owner = svc.token(account, tree.school, ["applicant"])
    assert (await svc.client.get(url, headers=auth(owner))).status_code == 200
    assert (await svc.client.get(url, headers=auth(svc.token("x", tree.city, ["auditor"])))).status_code == 200
    other = svc.token("y", tree.other_school, ["unit_review"])
    r = await svc.client.get(url, headers=auth(other))
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    assert (await svc.client.get("/api/v1/applications/nope", headers=auth(owner))).status_code == 404
    mine = (await svc.client.get("/api/v1/applications", headers=auth(owner))).json()["items"]
    assert [a["id"] for a in mine] == [app["id"]]
    theirs = (await svc.client.get("/api/v1/applications", headers=auth(other))).json()["items"]
    assert app["id"] not in [a["id"] for a in theirs]
    listed = await svc.client.get(
        "/api/v1/applications",
        params={"status": "submitted", "series": "卫生系列", "year": 2026},
        headers=auth(svc.token("z", tree.dept, ["department_review"])),
    )
    assert app["id"] in [a["id"] for a in listed.json()["items"]]


# -- the review chain ------------------------------------------------------------------------------------


async def test_nat7_wrong_org_or_role_gets_403_and_levels_go_one_at_a_time(svc: Harness, tree: Tree) -> None:
    """NAT-7: only the current step's org with its role decides; the department cannot skip the unit."""
    app = (await submit(svc, tree)).json()
    for org, role, code in (
        (tree.dept, "department_review", "not_current_reviewer"),
        (tree.other_school, "unit_review", "not_current_reviewer"),
        (tree.school, "department_review", "role_required"),
    ):
        r = await approve(svc, app["id"], org, role, app["version"])
        assert r.status_code == 403 and r.json()["code"] == code, r.text
        assert r.json()["detail"] and r.json()["rule"] == "NAT-7"
    r = await approve(svc, app["id"], tree.school, "unit_review", app["version"])
    assert r.status_code == 200 and r.json()["status"] == "unit_approved"
    assert r.json()["current_step"] == "department"


async def test_concurrent_decisions_give_one_success_and_one_409(svc: Harness, tree: Tree) -> None:
    app = (await submit(svc, tree)).json()
    app = (await publicity_over(svc, app["id"], tree.school)).json()  # NAT-5 first: the race is the approval's
    results = await asyncio.gather(
        *(approve(svc, app["id"], tree.school, "unit_review", app["version"]) for _ in range(2))
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    conflict = next(r for r in results if r.status_code == 409)
    assert conflict.json()["code"] == "concurrent_modification"
    stale = await approve(svc, app["id"], tree.dept, "department_review", app["version"])
    assert stale.status_code == 409


async def test_pol_pa_4_title_office_waits_for_the_checks(svc: Harness, tree: Tree) -> None:
    """POL-PA-4: 409 while a check is pending; once every paper has a verdict the office may approve
    (a failed paper is an excluded item of the report, not a refusal)."""
    app = (await submit(svc, tree)).json()
    version = app["version"]
    for org, role in ((tree.school, "unit_review"), (tree.dept, "department_review")):
        version = (await approve(svc, app["id"], org, role, version)).json()["version"]
    r = await approve(svc, app["id"], tree.county, "title_office_review", version)
    assert r.status_code == 409 and (r.json()["code"], r.json()["rule"]) == ("eligibility_blocked", "POL-PA-4")
    await pass_checks(svc, app, "fail")
    version += 2  # PaperCheckRecorded and the re-assessment it causes
    r = await approve(svc, app["id"], tree.county, "title_office_review", version)
    assert r.status_code == 200 and r.json()["status"] == "office_approved"
    (check,) = r.json()["checks"].values()
    assert check["decision"] == "fail" and check["ratio"] == "excluding_own"
    assert (await svc.stream(app["id"]))[-3:] == ["PaperCheckRecorded", "EligibilityAssessed", "TitleOfficeApproved"]


async def test_return_records_the_reason(svc: Harness, tree: Tree) -> None:
    app = (await submit(svc, tree)).json()
    token = svc.token("u", tree.school, ["unit_review"])
    body = {"decision": "return", "opinion": "缺少继续教育证明", "expected_version": app["version"]}
    r = await svc.client.post(f"/api/v1/applications/{app['id']}/decisions", json=body, headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert r.json()["history"][-1]["reasons"] == ["缺少继续教育证明"]


# -- pushes (SCHED-1) ---------------------------------------------------------------------------------


async def push(svc: Harness, tree: Tree, ids: list[str], **overrides: Any) -> httpx.Response:
    token = svc.token("pusher", tree.county, ["push"])
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": ids} | overrides
    return await svc.client.post("/api/v1/pushes", json=body, headers=auth(token))


async def test_sched1_push_one_second_before_and_after_the_month_end(svc: Harness, tree: Tree) -> None:
    """SCHED-1: 卫生系列 (December) pushed at 23:59:59 on 31 Dec Asia/Shanghai is accepted; at 00:00:00
    on 1 Jan it is refused."""
    first = await office_approved(svc, tree)
    second = await office_approved(svc, tree)
    svc.clock.set(datetime(2026, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ))
    try:
        r = await push(svc, tree, [first["id"]])
        assert r.status_code == 201, r.text
        assert r.json()["application_ids"] == [first["id"]]
        seen = await svc.client.get(f"/api/v1/applications/{first['id']}", headers=auth(reader(svc, tree)))
        assert seen.json()["status"] == "pushed" and seen.json()["push_id"] == r.json()["id"]
        svc.clock.set(datetime(2027, 1, 1, 0, 0, 0, tzinfo=CHINA_TZ))
        late = await push(svc, tree, [second["id"]])
        assert late.status_code == 422 and late.json()["code"] == "push_window_closed"
        assert late.json()["rule"] == "SCHED-1"
    finally:
        svc.clock.set(datetime(2026, 6, 1, 10, tzinfo=CHINA_TZ))


async def test_sched1_an_application_is_pushed_only_in_its_review_year(svc: Harness, tree: Tree) -> None:
    """SCHED-1: the review year of a push is the year it is made in (Asia/Shanghai). A 2026 application
    relabelled 2027 is refused at 23:59:59 on 31 Dec 2026 (its 2027 December deadline would let it
    through) and accepted at 00:00:00 on 1 Jan 2027; a 2027 application in a 2026 batch is refused too."""
    token = svc.token("dev-seed", tree.city, ["title_office_review"])
    await seed_schedule(svc.client, token, 2027)  # SCHED-4: the office has published 2027's schedule
    relabelled = await office_approved(svc, tree, year=2027)
    try:
        r = await push(svc, tree, [relabelled["id"]])
        assert r.status_code == 422 and r.json()["code"] == "push_not_of_review_year", r.text
        assert r.json()["rule"] == "SCHED-1" and r.json()["field"] == "application_ids"
        svc.clock.set(datetime(2026, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ))
        r = await push(svc, tree, [relabelled["id"]], year=2027)
        assert r.status_code == 422 and r.json()["code"] == "push_not_of_review_year", r.text
        assert r.json()["rule"] == "SCHED-1" and r.json()["field"] == "year"
        assert "2026年度" in r.json()["detail"]
        svc.clock.set(datetime(2027, 1, 1, 0, 0, 0, tzinfo=CHINA_TZ))
        r = await push(svc, tree, [relabelled["id"]], year=2027)
        assert r.status_code == 201, r.text
    finally:
        svc.clock.set(datetime(2026, 6, 1, 10, tzinfo=CHINA_TZ))


async def test_nat7_only_an_application_the_title_office_approved_is_pushed(svc: Harness, tree: Tree) -> None:
    """NAT-7: one level at a time — an application still at its unit's step is not pushed, and the
    refusal names the rule (issue 9, point 13)."""
    pending = (await submit(svc, tree)).json()
    r = await push(svc, tree, [pending["id"]])
    assert r.status_code == 409 and r.json()["code"] == "not_office_approved", r.text
    assert r.json()["rule"] == "NAT-7" and r.json()["field"] == "application_ids"


async def test_push_refusals(svc: Harness, tree: Tree) -> None:
    app = await office_approved(svc, tree)
    pending = (await submit(svc, tree)).json()
    assert (await push(svc, tree, [pending["id"]])).json()["code"] == "not_office_approved"
    assert (await push(svc, tree, [app["id"]], level="senior")).json()["code"] == "push_mismatch"
    unit_pusher = svc.token("p2", tree.school, ["push"])
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = await svc.client.post("/api/v1/pushes", json=body, headers=auth(unit_pusher))
    assert r.status_code == 403 and r.json()["code"] == "not_a_pusher" and r.json()["rule"] == "SCHED-1"
    no_role = svc.token("p3", tree.county, ["title_office_review"])
    r = await svc.client.post("/api/v1/pushes", json=body, headers=auth(no_role))
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    assert (await push(svc, tree, [app["id"]])).status_code == 201
    assert (await push(svc, tree, [app["id"]])).json()["code"] == "not_office_approved"  # pushed once only


async def test_sched1_county_offices_and_city_departments_push_their_own_subtree(svc: Harness, tree: Tree) -> None:
    """SCHED-1, who pushes: "各县（市、区）、市直有关部门". A city-level department (the city education
    bureau) pushes its own schools' applications, not a county's; a county-level department does not
    push (its county office does)."""
    city_dept = await svc.org("government_department", tree.city, "city")
    city_school = await svc.org("state_unit", city_dept, "city")
    city_tree = Tree(tree.city, tree.city, city_dept, city_school, city_school)
    own = await office_approved(svc, city_tree)
    county_app = await office_approved(svc, tree)
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate"}
    bureau = auth(svc.token("bureau", city_dept, ["push"]))
    r = await svc.client.post("/api/v1/pushes", json=body | {"application_ids": [county_app["id"]]}, headers=bureau)
    assert r.status_code == 403 and (r.json()["code"], r.json()["rule"]) == ("outside_scope", "SCHED-1"), r.text
    county_dept = auth(svc.token("county-dept", tree.dept, ["push"]))
    r = await svc.client.post(
        "/api/v1/pushes", json=body | {"application_ids": [county_app["id"]]}, headers=county_dept
    )
    assert r.status_code == 403 and r.json()["code"] == "not_a_pusher" and r.json()["rule"] == "SCHED-1"
    r = await svc.client.post("/api/v1/pushes", json=body | {"application_ids": [own["id"]]}, headers=bureau)
    assert r.status_code == 201 and r.json()["office_org_id"] == city_dept["org_id"], r.text
    assert (await push(svc, tree, [county_app["id"]])).status_code == 201


# -- outcomes from review-service ---------------------------------------------------------------------------


async def test_committee_outcomes_become_application_decided(svc: Harness, tree: Tree) -> None:
    titled = await office_approved(svc, tree)
    failed = await office_approved(svc, tree)
    await svc.feed(
        "review-service",
        "QualificationDocumentIssued",
        {"document_id": "d1", "number": "平职改〔2026〕1号", "session_id": "s", "application_id": titled["id"]},
    )
    await svc.feed(
        "review-service",
        "VotesTallied",
        {
            "session_id": "s",
            "results": [
                {"application_id": failed["id"], "passed": False},
                {"application_id": titled["id"], "passed": True},
            ],
        },
    )
    token = reader(svc, tree)
    a = (await svc.client.get(f"/api/v1/applications/{titled['id']}", headers=auth(token))).json()
    b = (await svc.client.get(f"/api/v1/applications/{failed['id']}", headers=auth(token))).json()
    assert (a["status"], a["document_number"]) == ("titled", "平职改〔2026〕1号")
    assert b["status"] == "not_passed"


async def test_the_applicant_follows_the_committee_stages_until_the_outcome(svc: Harness, tree: Tree) -> None:
    """pushed → in committee review (CommitteeSessionOpened) → in results publicity (ResultsPublished) →
    titled; a stage learnt after the outcome (another partition, a catch-up) changes nothing."""
    app = await office_approved(svc, tree)
    assert (await push(svc, tree, [app["id"]])).status_code == 201
    token = reader(svc, tree)

    async def status() -> str:
        return str((await svc.client.get(f"/api/v1/applications/{app['id']}", headers=auth(token))).json()["status"])

    opened = {"session_id": "s2", "committee_id": "c", "application_ids": [app["id"]], "expert_ids": []}
    await svc.feed("review-service", "CommitteeSessionOpened", opened)
    assert await status() == "in_committee_review"
    published = {
        "session_id": "s2",
        "publicity_ends_at": "2026-12-20T00:00:00+08:00",
        "passed_application_ids": [app["id"]],
    }
    await svc.feed("review-service", "ResultsPublished", published)
    assert await status() == "in_results_publicity"
    issued = {
        "document_id": "d2",
        "number": "平人社职称〔2026〕00009号",
        "session_id": "s2",
        "application_id": app["id"],
    }
    await svc.feed("review-service", "QualificationDocumentIssued", issued)
    assert await status() == "titled"
    await svc.feed("review-service", "ResultsPublished", published | {"session_id": "s3"})
    assert await status() == "titled"


async def test_schedule_is_published_for_any_year(svc: Harness) -> None:
    """SCHED-4: the 2021 schedule is served for 2026 too."""
    r = await svc.client.get("/api/v1/schedules/2026")
    months = {s["series"]: s["push_month"] for s in r.json()["series"]}
    assert months["卫生系列"] == 12 and months["会计系列"] == 10
    assert date.fromisoformat(r.json()["series"][0]["push_deadline"][:10]).year == 2026


# -- retried commands (Idempotency-Key) ------------------------------------------------------------------


async def test_a_retried_submission_with_the_same_idempotency_key_is_one_application(svc: Harness, tree: Tree) -> None:
    """A client that lost the answer retries with the same key: the same application comes back, at once
    or while the first is still being written; the key with another body is refused."""
    token = await applicant(svc, tree)
    headers = auth(token) | {"Idempotency-Key": f"submit-{uuid.uuid4()}"}
    first, concurrent = await asyncio.gather(
        *(svc.client.post("/api/v1/applications", json=application(), headers=headers) for _ in range(2))
    )
    again = await svc.client.post("/api/v1/applications", json=application(), headers=headers)
    assert (first.status_code, concurrent.status_code, again.status_code) == (201, 201, 201), first.text
    assert first.json()["id"] == concurrent.json()["id"] == again.json()["id"]
    mine = (await svc.client.get("/api/v1/applications", headers=auth(token))).json()["items"]
    assert [a["id"] for a in mine] == [first.json()["id"]]
    assert await svc.stream(first.json()["id"]) == [
        "ApplicationSubmitted",
        "PaperCheckRequested",
        "EligibilityAssessed",
    ]
    other = await svc.client.post("/api/v1/applications", json=application(specialty="护理"), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


async def test_a_retried_draft_and_a_retried_push_act_once(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    headers = auth(token) | {"Idempotency-Key": f"draft-{uuid.uuid4()}"}
    drafts = [
        await svc.client.post("/api/v1/applications", json=application(submit=False), headers=headers) for _ in range(2)
    ]
    assert [d.status_code for d in drafts] == [201, 201] and drafts[0].json()["id"] == drafts[1].json()["id"]
    assert len((await svc.client.get("/api/v1/applications", headers=auth(token))).json()["items"]) == 1
    app = await office_approved(svc, tree)
    pusher = svc.token("pusher", tree.county, ["push"])
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    key = {"Idempotency-Key": f"push-{uuid.uuid4()}"}
    pushes = [await svc.client.post("/api/v1/pushes", json=body, headers=auth(pusher) | key) for _ in range(2)]
    assert [p.status_code for p in pushes] == [201, 201], pushes[1].text
    assert pushes[0].json()["id"] == pushes[1].json()["id"]
    assert (await svc.stream(app["id"])).count("ApplicationPushed") == 1


async def test_pol_pb_1_only_an_upheld_complaint_means_not_passed(svc: Harness, tree: Tree) -> None:
    """有问题但不影响获得职称资格 (problem_not_affecting) is issued separately like no_problem: the
    application waits for its document; an upheld complaint decides not passed."""
    kept, refused = await office_approved(svc, tree), await office_approved(svc, tree)
    assert (await push(svc, tree, [kept["id"], refused["id"]])).status_code == 201
    token = reader(svc, tree)

    async def status(app: dict[str, Any]) -> str:
        return str((await svc.client.get(f"/api/v1/applications/{app['id']}", headers=auth(token))).json()["status"])

    ids = [kept["id"], refused["id"]]
    await svc.feed("review-service", "CommitteeSessionOpened", {"session_id": "s4", "application_ids": ids})
    published = {"session_id": "s4", "publicity_ends_at": "2026-12-20T00:00:00+08:00", "passed_application_ids": ids}
    await svc.feed("review-service", "ResultsPublished", published)
    for app, outcome in ((kept, "problem_not_affecting"), (refused, "upheld")):
        resolved = {"session_id": "s4", "complaint_id": f"k-{outcome}", "application_id": app["id"], "outcome": outcome}
        await svc.feed("review-service", "ComplaintResolved", resolved)
    assert (await status(kept), await status(refused)) == ("in_results_publicity", "not_passed")
    number = "平人社职称〔2026〕00010号"
    issued = {"document_id": "d4", "number": number, "session_id": "s4", "application_id": kept["id"]}
    await svc.feed("review-service", "QualificationDocumentIssued", issued)
    assert await status(kept) == "titled"


def test_pol_en_4_off_staff_note_is_pushed_as_a_remark_never_as_an_annotation() -> None:
    """POL-EN-4 (C2/C3): the report's remarks ("在推荐、公示时要说明情况，在报送申报材料时备注说明") travel in
    ApplicationPushed.remarks; only its annotations (POL-GR-2 "乡村不受指标限制") are printed."""
    off_staff = "编外聘用人员，与在编人员同等对待，不受岗位数额限制，取得资格后仍按编外聘用"
    report = {
        "basis": "attested",
        "annotations": ["乡村不受指标限制"],
        "remarks": [off_staff],
        "quota_pool": {"pool": "not_counted", "reasons": []},
    }
    app = Application(
        "app-1",
        version=5,
        status="office_approved",
        submitted={
            "year": 2026,
            "series": "卫生系列",
            "specialty": "临床医学",
            "level": "intermediate",
            "track": "normal",
            "applicant_id": "a1",
            "applicant_name": "张三",
            "org_id": "school",
            "org_path": "/city/county/school/",
            "county_code": "620821",
        },
        eligibility=report,
        attested_eligibility=report,  # a push prints only what the unit attested
    )
    cmd = CreatePush(2026, "卫生系列", "intermediate", ["app-1"], "p", "county", "/city/county/")
    now = datetime(2026, 12, 1, 9, tzinfo=CHINA_TZ)
    plan = plan_push(cmd, "push-1", {"app-1": app}, schedule_2021(2026), now)
    (pushed,) = plan.pushed["app-1"]
    assert isinstance(pushed, ApplicationPushed)
    assert pushed.annotations == ["乡村不受指标限制"] and pushed.remarks == [off_staff]
    assert [(u.pool, u.quota) for u in plan.quota] == [("not_counted", None)]
