"""application-service through HTTP against the real stack: org-service's facts arrive over Kafka,
plagiarism-service checks the papers, and the review chain runs up the org tree (NAT-7)."""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api_client import Api, bearer, random_id_card
from tests.harness import Stack, wait_for
from tests.org_tree import Org, OrgTree

pytestmark = pytest.mark.stack

APP = "application-service"
THIS_YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


@dataclass
class People:
    county: Org
    dept: Org
    school: Org
    other: Org
    applicant: str
    unit_reviewer: str
    dept_reviewer: str
    office_reviewer: str
    other_unit_reviewer: str
    registrar: Any  # the hospital's clerk who registers applicants (one application per person, year, series)


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture(scope="module")
def people(api: Api) -> People:
    tree = OrgTree(api)
    county = tree.county_office("泾川县", "620821")
    dept = tree.department("泾川县卫生健康局", "health", under=county)
    school = tree.state_unit("泾川县人民医院", under=dept)
    other = tree.state_unit("泾川县中医医院", under=dept)
    unit_reviewer = school.clerk("王芳", ["applicant_management", "unit_review"])
    return People(
        county=county,
        dept=dept,
        school=school,
        other=other,
        applicant=unit_reviewer.register_applicant("李明", random_id_card("620821")).token,
        unit_reviewer=unit_reviewer.token,
        dept_reviewer=dept.clerk("王芳", ["department_review"]).token,
        office_reviewer=county.clerk("王芳", ["title_office_review", "push"]).token,
        other_unit_reviewer=other.clerk("王芳", ["unit_review"]).token,
        registrar=unit_reviewer,
    )


# The token of each submitted application's applicant (issue 12 finding 22: one application of a person
# per year and series, so each submission is a newly registered applicant's).
OWNERS: dict[str, str] = {}


def owner(app: dict[str, Any]) -> str:
    return OWNERS[app["id"]]


def application(year: int = THIS_YEAR + 1, papers: int = 1, **overrides: Any) -> dict[str, Any]:
    body = {
        "year": year,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "intermediate",
        "track": "normal",
        "papers": [
            {
                "title": f"县域医共体建设中的慢病管理实践{i}",
                "journal": "中国农村卫生事业管理",
                "journal_level": "provincial",
                "published_on": "2024-05-01",
                "authors": ["李明"],
                "text": "本文以泾川县为例，讨论县域医共体建设中慢性病管理的组织方式、信息共享与绩效考核。" * 20,
            }
            for i in range(papers)
        ],
    }
    return body | overrides


def submit(api: Api, people: People, **overrides: Any) -> dict[str, Any]:
    """Submit once org-service's facts (OrganizationCreated, ApplicantRegistered) have reached us; the
    year's schedule is published first (SCHED-4)."""
    api.publish_schedule(int(overrides.get("year", THIS_YEAR + 1)))
    token = people.registrar.register_applicant("李明", random_id_card("620821")).token

    def attempt() -> httpx.Response | None:
        r = api.post(APP, "/api/v1/applications", token, application(**overrides))
        if r.status_code == 409 and r.json()["code"] in ("organization_not_synced", "applicant_not_synced"):
            return None
        return r

    r = wait_for(attempt, timeout=30, interval=0.3, what="org events to reach application-service")
    assert r.status_code == 201, r.text
    OWNERS[r.json()["id"]] = token
    return dict(r.json())


def decide(api: Api, token: str, app: dict[str, Any], decision: str = "approve") -> httpx.Response:
    body = {"decision": decision, "opinion": "同意推荐", "expected_version": app["version"]}
    return api.post(APP, f"/api/v1/applications/{app['id']}/decisions", token, body)


def read(api: Api, token: str, app_id: str) -> dict[str, Any]:
    r = api.get(APP, f"/api/v1/applications/{app_id}", token)
    assert r.status_code == 200, r.text
    return dict(r.json())


def checked(api: Api, people: People, app_id: str) -> dict[str, Any]:
    """Wait for plagiarism-service's verdicts to come back as PaperCheckRecorded (POL-PA-4)."""

    def done() -> dict[str, Any] | None:
        seen = read(api, people.office_reviewer, app_id)
        return seen if len(seen["checks"]) == len(seen["papers"]) else None

    return dict(wait_for(done, timeout=60, interval=0.5, what="paper checks to be recorded"))


def test_nat7_submission_gets_the_chain_from_the_org_tree(api: Api, people: People) -> None:
    """NAT-7: unit = the hospital, department = the county health bureau, title office = the county office."""
    app = submit(api, people)
    assert app["status"] == "submitted"
    assert [(s["step"], s["org_id"]) for s in app["chain"]] == [
        ("unit", people.school.id),
        ("department", people.dept.id),
        ("title_office", people.county.id),
    ]
    assert app["applicant_name"] == "李明" and app["county_code"] == "620821"
    # The applicant sees it; the city office (above) sees it; a sibling hospital does not.
    assert read(api, owner(app), app["id"])["id"] == app["id"]
    assert read(api, api.operator_token(), app["id"])["id"] == app["id"]
    refused = api.get(APP, f"/api/v1/applications/{app['id']}", people.other_unit_reviewer)
    assert refused.status_code == 403 and refused.json()["code"] == "outside_scope"


def test_nat7_wrong_org_or_role_is_403_with_a_chinese_message(api: Api, people: People) -> None:
    """NAT-7: only the current step's organization with the step's role decides."""
    app = submit(api, people, papers=0)
    for token, code in (
        (people.other_unit_reviewer, "not_current_reviewer"),
        (people.dept_reviewer, "not_current_reviewer"),
        (people.office_reviewer, "not_current_reviewer"),
        (people.applicant, "role_required"),  # right org (the hospital), no unit_review role
    ):
        r = decide(api, token, app)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == code and r.json()["detail"]


def test_concurrent_decisions_give_one_200_and_one_409(api: Api, people: People) -> None:
    app = api.after_unit_publicity(people.unit_reviewer, submit(api, people, papers=0)["id"])  # NAT-5
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: decide(api, people.unit_reviewer, app), range(2)))
    assert sorted(r.status_code for r in results) == [200, 409]
    assert next(r for r in results if r.status_code == 409).json()["code"] == "concurrent_modification"


def test_submit_review_check_and_push_end_to_end(api: Api, people: People) -> None:
    """NAT-7 one level at a time, POL-PA-4 checks by plagiarism-service, then a push within SCHED-1."""
    app = submit(api, people, year=THIS_YEAR, papers=1)  # SCHED-1: pushed in its own review year
    # The verdicts first: each one (and the re-assessment it causes) moves the version the reviewers decide at.
    app = checked(api, people, app["id"])
    assert all(c["decision"] == "pass" for c in app["checks"].values()), app["checks"]
    app = api.after_unit_publicity(people.unit_reviewer, app["id"])  # NAT-5, compressed outside production
    app = decide(api, people.unit_reviewer, app).json()
    assert app["status"] == "unit_approved"
    app = decide(api, people.dept_reviewer, app).json()
    assert app["status"] == "department_approved"
    r = decide(api, people.office_reviewer, app)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "office_approved"
    body = {"year": THIS_YEAR, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = api.post(APP, "/api/v1/pushes", people.office_reviewer, body)
    assert r.status_code == 201, r.text
    assert read(api, owner(app), app["id"])["status"] == "pushed"
    # The unit cannot push, and nobody pushes the same application twice.
    assert api.post(APP, "/api/v1/pushes", people.unit_reviewer, body).status_code == 403
    again = api.post(APP, "/api/v1/pushes", people.office_reviewer, body)
    assert again.status_code == 409 and again.json()["code"] == "not_office_approved"


def test_sched1_a_push_after_the_series_month_is_refused(api: Api, people: People) -> None:
    """SCHED-1: an application of last year's 卫生系列 (December) can no longer be pushed."""
    app = api.after_unit_publicity(people.unit_reviewer, submit(api, people, year=THIS_YEAR - 1, papers=0)["id"])
    for token in (people.unit_reviewer, people.dept_reviewer, people.office_reviewer):
        app = decide(api, token, app).json()
    assert app["status"] == "office_approved"
    body = {"year": THIS_YEAR - 1, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = api.post(APP, "/api/v1/pushes", people.office_reviewer, body)
    assert r.status_code == 422 and r.json()["code"] == "push_window_closed"


def test_the_event_feed_carries_our_events_to_services(api: Api, people: People) -> None:
    """Other services read ApplicationSubmitted/PaperCheckRequested from our feed (service tokens only)."""
    app = submit(api, people, papers=1)
    token = api.service_token("review-service")
    r = api.http.get(api.url(APP, "/api/v1/events"), params={"after": 0, "limit": 1000}, headers=bearer(token))
    assert r.status_code == 200
    mine = [e["event_type"] for e in r.json()["events"] if e["stream_id"] == app["id"]]
    assert mine[:2] == ["ApplicationSubmitted", "PaperCheckRequested"]
    assert api.http.get(api.url(APP, "/api/v1/events"), headers=bearer(people.applicant)).status_code == 403


def test_draft_then_submit_gives_an_eligibility_report_over_http(api: Api, people: People) -> None:
    """A draft (submit=false) is submitted later; EligibilityAssessed is served as the report, and a
    correction after a return goes back to the unit."""
    draft = submit(api, people, papers=0, submit=False, education={"level": "bachelor"})
    assert draft["status"] == "draft"

    def submitted() -> httpx.Response | None:
        # A draft needs no registration facts; submitting it waits for ApplicantRegistered to arrive.
        r = api.post(APP, f"/api/v1/applications/{draft['id']}/submit", owner(draft), {})
        return None if r.status_code == 409 and r.json()["code"] == "applicant_not_synced" else r

    r = wait_for(submitted, timeout=30, interval=0.3, what="ApplicantRegistered to reach application-service")
    assert r.status_code == 200, r.text
    app = r.json()
    assert app["status"] == "submitted" and app["eligible"] is not None
    report = api.get(APP, f"/api/v1/applications/{app['id']}/eligibility", people.unit_reviewer).json()
    assert {o["rule_id"] for o in report["outcomes"]} >= {"SCHED-2", "POL-EN-4", "POL-PA-1"}
    returned = decide(api, people.unit_reviewer, app, "return").json()
    assert returned["status"] == "returned"
    r = api.post(APP, f"/api/v1/applications/{app['id']}/submit", owner(draft), {})
    assert r.status_code == 200 and r.json()["current_step"] == "unit", r.text


def test_registries_are_maintained_by_the_city_office_only(api: Api, people: People) -> None:
    """The city 职改办 (title_office_review) imports a registry file; a county office gets 403."""
    csv = "field\n经济\n会计\n测绘\n".encode()
    files = {"file": ("bridged.csv", csv, "text/csv")}
    url = api.url(APP, "/api/v1/registries/bridged_fields/import")
    r = api.http.post(url, files=files, data={"mode": "merge"}, headers=bearer(people.office_reviewer))
    assert r.status_code == 403 and r.json()["code"] == "not_city_title_office"
    r = api.http.post(url, files=files, data={"mode": "merge"}, headers=bearer(api.operator_token()))
    assert r.status_code == 200, r.text
    fields = [e["field"] for e in api.get(APP, "/api/v1/registries/bridged_fields", people.applicant).json()["items"]]
    assert "测绘" in fields


def test_pol_er_3_knows_a_person_registered_at_org_service_by_the_number_it_sent(api: Api, people: People) -> None:
    """The applicant's token carries a generated username; the ID-card number the blacklist lists
    reaches application-service in ApplicantRegistered, and the submission is refused by it."""
    person = random_id_card("620821")
    listed = {"id_card_number": person, "name": "钱某", "reason": "论文抄袭", "listed_on": "2026-01-10"}
    r = api.http.put(
        api.url(APP, "/api/v1/registries/blacklist/entries"), json=listed, headers=bearer(api.operator_token())
    )
    assert r.status_code == 200, r.text
    registered = api.register_applicant(people.unit_reviewer, "钱某", person)
    assert registered["username"] != person
    token = api.login(registered["username"], registered["password"])

    def attempt() -> httpx.Response | None:
        r = api.post(APP, "/api/v1/applications", token, application())
        return None if r.status_code == 409 and r.json()["code"] == "applicant_not_synced" else r

    refused = wait_for(attempt, timeout=30, interval=0.3, what="ApplicantRegistered to reach application-service")
    assert refused.status_code == 422 and refused.json()["code"] == "research_integrity_blacklisted", refused.text
