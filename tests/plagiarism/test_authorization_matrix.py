"""Every plagiarism-service endpoint × every caller → allow or deny.

The callers are those of the application-service matrix: the city office's system administrator; each
business role at the applicant's unit (a hospital under the city office), at the city office and at a
county office beside the hospital; the applicant with their own check and with a colleague's; an
expert; a service; nobody. A check belongs to whoever asked for it and to the org subtree it lies in
(the application's org for a paper of an application, the requester's org otherwise): the reviewing
roles of the orgs above may read it, and for everyone else it does not exist (404). The corpus is kept
— edited and listed — by the auditors and 职改办 reviewers of the CITY title office only, or fed by a
service (issue 12: a county office and a unit get 403). Allowed calls that would change something are
refused on their merits instead (422), or remove a document the matrix added itself.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from plagiarism_service.api import checks, corpus
from zhicheng_kernel.feed import feed_router

from tests.api_client import BUSINESS_ROLES, Api, MatrixApi, bearer
from tests.harness import Stack
from tests.org_tree import callers_at_three_places
from tests.review.scenario import SERIES, YEAR, _retry

pytestmark = pytest.mark.stack

SERVICE = "plagiarism-service"
BUSINESS = BUSINESS_ROLES
PLACES = ("unit", "office", "county")
CALLERS = [
    "system_admin",
    *(f"{role}@{place}" for role in BUSINESS for place in PLACES),
    "applicant",
    "expert",
    "service",
    "anonymous",
]
# A service token reaches no route people call (issue 12, finding 8): "service" is allowed only the feed.
AUTHENTICATED = frozenset(c for c in CALLERS if c not in ("anonymous", "service"))
CHECK_READING_ROLES = ("auditor", "title_office_review", "department_review", "unit_review", "committee_secretary")
CHECK_READERS = frozenset(
    {*(f"{role}@{place}" for role in CHECK_READING_ROLES for place in ("unit", "office")), "applicant"}
)
CORPUS_EDITORS = frozenset(
    # Those roles held at the city title office: not at a county office, not at a unit (issue 12).
    {*(f"{role}@office" for role in ("auditor", "title_office_review"))}
)
PROSE = (
    "笔者在崆峒区一所乡镇卫生院从事临床工作多年，近年来尝试改进慢性病患者的随访方式。"
    "我们为辖区内的高血压患者建立了随访档案，由家庭医生每月电话询问血压和用药情况，每季度上门测量一次。"
    "随访一年后，多数患者能够按时服药，血压控制达标的比例明显提高，但也有少数老年患者记不清用药时间，"
    "需要家属协助。此外，随访内容要贴近农村患者的生活习惯，例如饮食中的盐量、农忙时的作息等，"
    "使健康指导与日常生活相联系。卫生院应为医生提供集中培训的时间，逐步形成规范的随访流程。"
)


@dataclass
class World:
    tokens: dict[str, str | None]
    checks: dict[str, str]  # "api": the applicant's own check; "paper": their application's paper; "colleague's"
    document: str  # a corpus document the matrix added, removed by every allowed DELETE (idempotent)


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    api = Api(stack)
    tokens, people = callers_at_three_places(api, "查重", ("静宁县", "620826"), applicants=2, series=SERIES)

    def api_check(token: str) -> str:
        r = api.post(SERVICE, "/api/v1/checks", token, {"text": PROSE, "title": "随访", "journal_level": "core"})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    paper = {
        "title": "乡镇卫生院高血压患者随访方式的改进",
        "journal": "甘肃医药",
        "journal_level": "provincial",
        "published_on": f"{YEAR - 1}-03-01",
        "authors": ["查重甲"],
        "text": PROSE,
    }
    body = {"year": YEAR, "series": SERIES, "specialty": "临床医学", "level": "intermediate", "papers": [paper]}
    application = _retry(lambda: api.post("application-service", "/api/v1/applications", people[0], body))

    def recorded_checks() -> dict[str, Any]:
        r = api.get("application-service", f"/api/v1/applications/{application['id']}", people[0])
        return dict(r.json()["checks"])

    deadline = time.monotonic() + 60
    while not recorded_checks():  # the paper goes to plagiarism-service and its verdict comes back by events
        assert time.monotonic() < deadline, "the paper's check never came back"
        time.sleep(0.3)
    (paper_check,) = recorded_checks().values()

    document = f"MATRIX-{secrets.token_hex(4)}"
    added = api.post(
        SERVICE,
        "/api/v1/corpus/documents",
        api.operator_token(),
        {"external_id": document, "title": "矩阵测试文献", "text": PROSE[::-1]},
    )
    assert added.status_code == 201, added.text
    return World(
        tokens=tokens,
        checks={"api": api_check(people[0]), "paper": paper_check["check_id"], "colleague's": api_check(people[1])},
        document=document,
    )


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str
    allowed: frozenset[str]
    target: str | None = None  # the check the path names: "api" or "paper" (both the applicant's own)
    json: Callable[[], Any] | None = None


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/v1/checks",
        AUTHENTICATED,
        json=lambda: {"text": PROSE, "title": "矩阵", "journal_level": "provincial"},
    ),
    Endpoint("GET", "/api/v1/checks/{check_id}", CHECK_READERS, "api"),
    Endpoint("GET", "/api/v1/checks/{check_id}/report", CHECK_READERS, "api"),
    Endpoint("GET", "/api/v1/checks/{check_id}", CHECK_READERS, "paper"),
    Endpoint("GET", "/api/v1/checks/{check_id}/report", CHECK_READERS, "paper"),
    Endpoint(
        "POST",
        "/api/v1/corpus/documents",
        CORPUS_EDITORS,
        json=lambda: {"external_id": "坏 编号", "title": "t", "text": "正文"},  # 422 once allowed
    ),
    Endpoint("POST", "/api/v1/corpus/documents:bulk", CORPUS_EDITORS, json=lambda: {"documents": []}),  # 422
    Endpoint("GET", "/api/v1/corpus/documents", CORPUS_EDITORS),
    Endpoint("DELETE", "/api/v1/corpus/documents/{external_id}", CORPUS_EDITORS),
    Endpoint("GET", "/api/v1/events", frozenset({"service"})),
]


def test_every_endpoint_is_in_the_matrix() -> None:
    declared = {
        (method, route.path)
        for router in (checks.router, corpus.router, feed_router())
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert declared - {(e.method, e.route) for e in ENDPOINTS} == set()


def _cases() -> list[tuple[Endpoint, str, str]]:
    cases = []
    for e in ENDPOINTS:
        for caller in CALLERS:
            if caller == "applicant" and e.target:
                cases += [(e, caller, "own"), (e, caller, "colleague's")]
            else:
                cases.append((e, caller, ""))
    return cases


@pytest.mark.parametrize(
    ("endpoint", "caller", "whose"),
    _cases(),
    ids=[f"{e.method} {e.route} {e.target or ''} {c} {w}".replace("  ", " ").strip() for e, c, w in _cases()],
)
def test_authorization(matrix_api: MatrixApi, world: World, endpoint: Endpoint, caller: str, whose: str) -> None:
    api = matrix_api
    check = world.checks["colleague's" if whose == "colleague's" else (endpoint.target or "api")]
    path = endpoint.route.replace("{check_id}", check).replace("{external_id}", world.document)
    token = api.internal_token_for(SERVICE, path) if caller == "service" else world.tokens[caller]
    r = api.http.request(
        endpoint.method,
        api.url(SERVICE, path),
        json=endpoint.json() if endpoint.json else None,
        headers=bearer(token) if token else {},
    )
    if caller in endpoint.allowed and whose != "colleague's":
        assert r.status_code not in (401, 403, 404), r.text
        assert r.status_code < 500, r.text
    else:
        assert r.status_code in ({401} if caller == "anonymous" else {403, 404}), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
