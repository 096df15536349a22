"""Issue 12 over HTTP, on a running stack: /health answers while hostile checks run (finding 1), the API
refuses bad input with 422 and decides nothing from what the applicant typed (finding 6), and only the
city title office keeps the corpus (corpus editing was open to every title office)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_EXTERNAL_ID, DEMO_SOURCE_TEXT, SEED_PAPERS

from tests.api_client import Api, bearer
from tests.harness import Stack
from tests.org_tree import OrgTree

from .conftest import submit_check

pytestmark = pytest.mark.stack

SERVICE = "plagiarism-service"
HEALTH_BUDGET_SECONDS = 10.0  # generous: 2 cores shared by 8 helpers; the frozen service never answered
# Prose of this module only (the stack and its corpus are shared with the other modules).
OWN_PROSE = (
    "崇信县一所村级小学的复式班里，两个年级的学生同处一室，教师要在同一节课里交替安排直接教学和自主作业。"
    "我们试着把每节课分成若干个十分钟左右的小段，用颜色不同的任务卡提示学生当前该做的事，并请高年级学生担任"
    "小组长，帮助低年级同学整理学具、检查书写。一个学期下来，课堂上的等待时间明显缩短，学生的作业完成率有所提高。"
)
COPYING = OWN_PROSE[:60] + DEMO_SOURCE_TEXT[:120] + OWN_PROSE[60:]


@dataclass
class People:
    city: dict[str, str]  # role -> token at the city title office
    county: dict[str, str]
    unit: dict[str, str]
    applicant: str
    applicant_id: str


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def people(api: Api) -> People:
    tree = OrgTree(api)
    roles = ("title_office_review", "auditor")
    city, county = tree.city_office(), tree.county_office("崇信县", "620823")
    unit = tree.hospital("平凉市查重加固医院")
    clerk = unit.clerk("查重加固管理员", ["applicant_management"])
    applicant = clerk.register_applicant("查重加固申报人")
    return People(
        city={r: city.clerk(f"市{r}", [r]).token for r in roles},
        county={r: county.clerk(f"县{r}", [r]).token for r in roles},
        unit={r: unit.clerk(f"院{r}", [r]).token for r in roles},
        applicant=applicant.token,
        applicant_id=applicant.account_id,
    )


@pytest.fixture(scope="module")
def seeded(api: Api) -> None:
    """The development seed, added by a service as the tooling member adds it."""
    body = {
        "documents": [
            {
                "external_id": p.external_id,
                "title": p.title,
                "text": p.text,
                "authors": list(p.authors),
                "published_on": p.published_on.isoformat(),
            }
            for p in SEED_PAPERS
        ]
    }
    r = api.post(SERVICE, "/api/v1/corpus/documents:bulk", api.operator_token(), body)
    assert r.status_code == 201, r.text


def _health(api: Api) -> float:
    started = time.monotonic()
    r = api.http.get(api.url(SERVICE, "/health"), timeout=HEALTH_BUDGET_SECONDS * 3)
    assert r.status_code == 200, r.text
    return time.monotonic() - started


# -- finding 1 -------------------------------------------------------------------------------------------


def test_finding_1_health_answers_while_hostile_checks_run(api: Api, people: People, seeded: None) -> None:
    """Finding 1: one check of "参考文献" + 5,000 spaces froze the whole service — /health unanswered for
    minutes. Hostile checks (short ones answered at once, a long one finished by the worker) now leave
    the service answering."""
    hostile = [
        "正文。\n参考文献" + " " * 20_000 + "。\n" + COPYING,
        "正文。\n【参考文献" + "\u3000" * 20_000 + "x\n" + COPYING,
        "他说“这是引文”" + " " * 20_000 + "，" + " " * 20_000 + "\n" + COPYING + "\n参考文献\n[1] 甲.",
    ]
    long_hostile = "正文。\n参考文献" + " " * 120_000 + "。\n" + COPYING
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = [pool.submit(submit_check, api, people.applicant, text=t) for t in [*hostile, long_hostile]]
        waits = [_health(api) for _ in range(5)]
        responses = [f.result(timeout=300) for f in answers]
    assert max(waits) < HEALTH_BUDGET_SECONDS, waits
    assert [r.status_code for r in responses] == [201, 201, 201, 202], [r.text[:200] for r in responses]
    assert {r.json()["status"] for r in responses[:3]} == {"completed"}
    long_id = responses[3].json()["id"]
    deadline = time.monotonic() + 120
    while (status := api.get(SERVICE, f"/api/v1/checks/{long_id}", people.applicant).json()["status"]) == "running":
        assert time.monotonic() < deadline, "the long hostile check never finished"
        assert _health(api) < HEALTH_BUDGET_SECONDS
    assert status == "completed"


# -- finding 6 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("authors", ["王\x07某"]), ("authors", ["王" * 101]), ("title", "题目\u202e"), ("authors", ["某"] * 51)],
)
def test_finding_6_a_check_with_bad_input_is_refused_at_the_api_with_422(
    api: Api, people: People, field: str, value: Any
) -> None:
    """Finding 6: a control character or a 101-character author name made the check "rejected"; over the
    API such input is refused with 422 naming the field (CleanText with the bounds application-service uses)."""
    r = submit_check(api, people.applicant, text=COPYING, **{field: value})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text


def test_finding_6_backdating_and_typed_names_change_nothing_registered_accounts_do(
    api: Api, people: People, seeded: None
) -> None:
    """Finding 6: a backdated `published_on` skipped later sources and listing a source's authors made it
    "own work"; the cutoff is the day the paper entered the system and own work is what the corpus
    registers to the applicant's account."""
    demo = SEED_PAPERS[0]
    honest = submit_check(api, people.applicant, text=COPYING)
    steered = submit_check(api, people.applicant, text=COPYING, published_on="2001-01-01", authors=list(demo.authors))
    assert honest.status_code == steered.status_code == 201, steered.text
    a, b = honest.json(), steered.json()
    assert a["copy_ratio_excluding_own"] == b["copy_ratio_excluding_own"] > 0.3
    assert b["published_on"] == "2001-01-01"
    assert b["sources_until_basis"] == "entered_system" and b["sources_until"] > demo.published_on.isoformat()
    assert {p["own"] for p in b["passages"]} == {False}

    mine = {
        "external_id": f"MINE-{people.applicant_id[:8]}",
        "title": "申报人早年的论文",
        "text": OWN_PROSE,
        "author_account_ids": [people.applicant_id],
    }
    added = api.post(SERVICE, "/api/v1/corpus/documents", people.city["title_office_review"], mine)
    assert added.status_code == 201, added.text
    own = submit_check(api, people.applicant, text=COPYING).json()
    flags = {p["source_external_id"]: p["own"] for p in own["passages"]}
    assert flags == {mine["external_id"]: True, DEMO_SOURCE_EXTERNAL_ID: False}


def test_finding_6_the_corpus_list_is_not_shown_to_applicants_units_or_county_offices(
    api: Api, people: People, seeded: None
) -> None:
    """Finding 6: a source's authors were readable from the corpus list by anyone; the list is the city
    title office's (and services') only."""
    for token in (people.applicant, *people.unit.values(), *people.county.values()):
        r = api.get(SERVICE, "/api/v1/corpus/documents", token)
        assert r.status_code == 403, r.text
    listed = api.get(SERVICE, "/api/v1/corpus/documents", people.city["auditor"], limit=500)
    assert listed.status_code == 200, listed.text
    assert DEMO_SOURCE_EXTERNAL_ID in {d["external_id"] for d in listed.json()["items"]}
    assert api.get(SERVICE, "/api/v1/corpus/documents", people.city["auditor"], offset=10**12).status_code == 422


# -- corpus editing: the city title office only ------------------------------------------------------------


def test_corpus_editing_is_refused_to_a_county_office_and_a_unit(api: Api, people: People) -> None:
    """Issue 12 (smaller): corpus editing was open to every title office; only the city title office's
    keepers (and services) may add or remove sources — a county office and a unit get 403."""
    doc = {"external_id": "KEEPER-1", "title": "维护测试", "text": "维护测试专用的正文，" + OWN_PROSE[40:90][::-1]}
    for token in (*people.county.values(), *people.unit.values()):
        for method, path, body in (
            ("POST", "/api/v1/corpus/documents", doc),
            ("POST", "/api/v1/corpus/documents:bulk", {"documents": [doc]}),
            ("DELETE", f"/api/v1/corpus/documents/{DEMO_SOURCE_EXTERNAL_ID}", None),
        ):
            r = api.http.request(method, api.url(SERVICE, path), json=body, headers=bearer(token))
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["code"] in ("city_title_office_only", "forbidden", "role_required"), r.text
    added = api.post(SERVICE, "/api/v1/corpus/documents", people.city["auditor"], doc)
    assert added.status_code == 201, added.text
