"""Every application-service endpoint × every caller → allow or deny.

The callers: the city office's system administrator; each business role at the applicant's own unit
(a school under the city office), at the city office (above the school) and at a county office (beside
it, so outside the school's subtree); the applicant with their own application and with a colleague's;
an expert; a service; nobody; and the pusher of a city-level department (市直有关部门, SCHED-1) beside
the hospital ("push@department"), which has a hospital and an application of its own. "Allow" means the
call passes the authorization checks (it may still be refused on its merits: 409 for a stale
expected_version or a state that does not allow it, 422 for a file that is not what it should be — the
matrix uses these so that no allowed call changes anything);
"deny" means 401 without a token, 403 for a wrong role or organization, 404 for what the caller may not
know exists. Every refusal is a problem+json.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from application_service.api import (
    applications,
    calendar,
    filings,
    my_applications,
    office,
    pushes,
    quotas,
    registries,
    schedules,
)
from fastapi.routing import APIRoute
from zhicheng_kernel.feed import feed_router

from tests.api_client import BUSINESS_ROLES, Api, MatrixApi, bearer
from tests.harness import Stack
from tests.org_tree import OrgTree, callers_at_three_places
from tests.review.scenario import SERIES, YEAR, _retry

pytestmark = pytest.mark.stack

APP = "application-service"
BUSINESS = BUSINESS_ROLES
PLACES = ("unit", "office", "county")  # the applicant's school, the city office above it, a county office beside
CALLERS = [
    "system_admin",
    *(f"{role}@{place}" for role in BUSINESS for place in PLACES),
    "push@department",
    "applicant",
    "expert",
    "service",
    "anonymous",
]
# A service token reaches no route people call (issue 12, finding 8): "service" is allowed only internal routes.
AUTHENTICATED = frozenset(c for c in CALLERS if c not in ("anonymous", "service"))
# Every business role of the school and of the city office sees the school's applications (REVIEWING_ROLES).
READERS = frozenset({*(f"{role}@{place}" for role in BUSINESS for place in ("unit", "office")), "applicant"})
BLACKLIST_READERS = frozenset(
    # Those roles held at a title office (the city office, a county office): not the same roles at a unit.
    {
        *(
            f"{role}@{place}"
            for role in ("title_office_review", "auditor", "push")
            for place in PLACES
            if place != "unit"
        ),
    }
)
# A far year the matrix publishes an (empty) holiday calendar for, so that reading it is allowed.
CALENDAR_YEAR = "2099"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    tokens: dict[str, str | None]
    own: str  # the applicant's application: approved up the chain and pushed
    other: str  # a colleague's application, at the unit's step
    at_office: str  # a third application, at the city office's step
    attachment: str  # an attachment of `own`
    push: str  # the batch that pushed `own`
    department_own: str  # an application of the city department's hospital, at its unit's step
    department_unit: str  # that hospital (a unit the city office records quotas for)
    bridged_field: str  # a registry entry made for the matrix, so that removing it harms nobody


def _application(papers: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "year": YEAR,
        "series": SERIES,
        "specialty": "临床医学",
        "level": "intermediate",
        "papers": papers or [],
        **extra,
    }


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    api = Api(stack)
    operator = api.operator_token()
    tokens, people = callers_at_three_places(api, "矩阵", ("崆峒区", "620802"), applicants=3, series=SERIES)
    tree = OrgTree(api)
    department = tree.department("平凉市矩阵卫生健康委员会", "health")
    tokens["push@department"] = department.clerk("矩阵推送员", ["push"]).token
    its_hospital = tree.hospital("平凉市矩阵局属医院", under=department)
    its_applicant = its_hospital.clerk("矩阵局属管理员", ["applicant_management"]).register_applicant("矩阵戊").token
    department_own = _retry(lambda: api.post(APP, "/api/v1/applications", its_applicant, _application()))["id"]

    # Applications reach their states through the public API; org-service's facts arrive by events.
    submitted = [
        _retry(lambda t=token: api.post(APP, "/api/v1/applications", t, _application()))["id"] for token in people
    ]
    own, other, at_office = submitted
    # The applicant attaches while the application is still theirs to change (before the unit approves).
    upload = api.http.post(
        api.url(APP, f"/api/v1/applications/{own}/attachments"),
        files={"file": ("证书.pdf", PDF, "application/pdf")},
        headers=bearer(people[0]),
    )
    assert upload.status_code == 201, upload.text

    def approve(application_id: str, token: str) -> None:
        def attempt() -> Any:
            current = api.get(APP, f"/api/v1/applications/{application_id}", token).json()
            body = {"decision": "approve", "opinion": "同意", "expected_version": current["version"]}
            return api.post(APP, f"/api/v1/applications/{application_id}/decisions", token, body)

        _retry(attempt)

    for application_id in (own, at_office):  # NAT-5: the unit's publicity first (compressed by the stack)
        api.start_unit_publicity(tokens["unit_review@unit"] or "", application_id)
    api.wait_out_unit_publicity()
    for application_id in (own, at_office):
        approve(application_id, tokens["unit_review@unit"] or "")
    approve(own, tokens["title_office_review@office"] or "")
    pushed = _retry(
        lambda: api.post(
            APP,
            "/api/v1/pushes",
            tokens["push@office"] or "",
            {"year": YEAR, "series": SERIES, "level": "intermediate", "application_ids": [own]},
        )
    )
    field = f"矩阵领域{secrets.token_hex(3)}"
    r = api.http.put(
        api.url(APP, "/api/v1/registries/bridged_fields/entries"), json={"field": field}, headers=bearer(operator)
    )
    assert r.status_code == 200, r.text
    r = api.http.put(api.url(APP, f"/api/v1/calendar/years/{CALENDAR_YEAR}"), json={}, headers=bearer(operator))
    assert r.status_code == 200, r.text
    return World(
        tokens=tokens,
        own=own,
        other=other,
        at_office=at_office,
        attachment=upload.json()["attachment_id"],
        push=pushed["id"],
        department_own=department_own,
        department_unit=its_hospital.id,
        bridged_field=field,
    )


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str  # the route as FastAPI declares it
    allowed: frozenset[str]
    target: str | None = None  # the application the path names: own, other or at_office
    params: tuple[tuple[str, str], ...] = ()  # other path parameters
    query: tuple[tuple[str, str], ...] = ()
    json: Callable[[World], Any] | None = None
    files: Callable[[], dict[str, Any]] | None = None
    data: dict[str, str] | None = None
    # Problem codes an allowed caller may get once past every authorization check (e.g. the paper the path
    # names does not exist); a refused caller never gets one of them.
    past_authorization: frozenset[str] = frozenset()


def _text_file() -> dict[str, Any]:
    # Neither PDF, JPEG nor PNG: an allowed upload is refused on its merits (422), nothing is stored.
    return {"file": ("说明.txt", "这不是附件".encode(), "text/plain")}


def _bad_csv() -> dict[str, Any]:
    return {"file": ("list.csv", "甲,乙\n1,2\n".encode(), "text/csv")}


def _duplicate_schedule(_: World) -> dict[str, Any]:
    entry = {"series": SERIES, "push_month": 12}
    return {"series": [entry, entry]}  # refused (422 schedule_duplicate_series) once the caller may publish


UNIT_OF = frozenset({"unit_review@unit", "applicant_management@unit"})
FILING_READERS = ("title_office_review", "push")
ENDPOINTS = [
    # -- applications --------------------------------------------------------------------------------
    Endpoint(
        "POST", "/api/v1/applications", frozenset({"applicant"}), json=lambda w: _application(submit=False)
    ),  # a draft: the applicant's alone
    Endpoint("GET", "/api/v1/applications", AUTHENTICATED),  # each sees their own scope: the test below
    Endpoint("GET", "/api/v1/applications/counts", AUTHENTICATED),
    Endpoint("GET", "/api/v1/applications/{application_id}", READERS, "own"),
    Endpoint("GET", "/api/v1/applications/{application_id}/eligibility", READERS, "own"),
    Endpoint("GET", "/api/v1/applications/{application_id}/attachments", READERS, "own"),
    Endpoint(
        "GET",
        "/api/v1/applications/{application_id}/attachments/{attachment_id}",
        READERS,
        "own",
    ),
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/attachments",
        # Issue 12 finding 26: the applicant (409 attachment_closed: `own` is pushed) or the current step's
        # reviewer (`own` has none left); every other reader is refused.
        frozenset({"applicant"}),
        "own",
        files=_text_file,
    ),
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/papers/{paper_id}/external-report",
        UNIT_OF,
        "own",
        params=(("paper_id", "p-1"),),
        files=_text_file,
        data={"copy_ratio": "0.1", "provider": "中国知网", "report_number": "TMLC-1", "attested": "true"},
        past_authorization=frozenset({"paper_not_found"}),  # `own` has no paper p-1
    ),
    # The applicant's own pages: what they filled in (a reviewer reads it through their own pages: 403), and
    # removing a file of their own (409 attachment_closed: `own` is pushed, nothing is removed).
    Endpoint("GET", "/api/v1/applications/{application_id}/content", frozenset({"applicant"}), "own"),
    Endpoint(
        "DELETE",
        "/api/v1/applications/{application_id}/attachments/{attachment_id}",
        frozenset({"applicant"}),
        "own",
    ),
    # The review queue: every business role, each within its own subtree (the list's scope: the test below);
    # the dashboard's figures: the title offices, the pushers and the auditors.
    Endpoint(
        "GET",
        "/api/v1/applications/review-queue",
        frozenset({*(f"{role}@{place}" for role in BUSINESS for place in PLACES), "push@department"}),
    ),
    Endpoint(
        "GET",
        "/api/v1/applications/stats",
        frozenset(
            {
                *(f"{role}@{place}" for role in ("title_office_review", "push", "auditor") for place in PLACES),
                "push@department",
            }
        ),
        query=(("year", str(YEAR)),),
    ),
    # Only the unit of the current step records its publicity and decides (NAT-5, NAT-7): stale versions.
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/publicity",
        frozenset({"unit_review@unit"}),
        "other",
        json=lambda w: {"expected_version": 999},
    ),
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/attestation",
        frozenset({"unit_review@unit"}),
        "other",
        json=lambda w: {"corrections": [], "expected_version": 999},
    ),
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/decisions",
        frozenset({"unit_review@unit"}),
        "other",
        json=lambda w: {"decision": "approve", "opinion": "同意", "expected_version": 999},
    ),
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/decisions",
        frozenset({"title_office_review@office"}),
        "at_office",
        json=lambda w: {"decision": "approve", "opinion": "同意", "expected_version": 999},
    ),
    # The applicant's own commands, on an application already pushed: 409 for the applicant.
    Endpoint(
        "PUT", "/api/v1/applications/{application_id}", frozenset({"applicant"}), "own", json=lambda w: _application()
    ),
    Endpoint("POST", "/api/v1/applications/{application_id}/submit", frozenset({"applicant"}), "own"),
    Endpoint(
        "POST",
        "/api/v1/applications/{application_id}/withdraw",
        frozenset({"applicant"}),
        "own",
        json=lambda w: {"reason": "矩阵测试"},
    ),
    # -- pushes (SCHED-1): a title office or a city-level department, of applications in its subtree (not yet
    # approved: 409); the department's pusher is outside the hospital's subtree, the city office above both.
    Endpoint(
        "POST",
        "/api/v1/pushes",
        frozenset({"push@office"}),
        json=lambda w: {"year": YEAR, "series": SERIES, "level": "intermediate", "application_ids": [w.other]},
    ),
    Endpoint(
        "POST",
        "/api/v1/pushes",
        frozenset({"push@office", "push@department"}),
        json=lambda w: {
            "year": YEAR,
            "series": SERIES,
            "level": "intermediate",
            "application_ids": [w.department_own],
        },
    ),
    Endpoint(
        "GET",
        "/api/v1/pushes/{push_id}/roster.xlsx",
        frozenset(f"{role}@office" for role in BUSINESS),
    ),
    # The batch's 综合情况一览表: the pushing office (the city office) and those above it only.
    Endpoint(
        "GET",
        "/api/v1/pushes/{push_id}/overview.xlsx",
        frozenset(f"{role}@office" for role in BUSINESS),
    ),
    # -- quota plans: recorded by a title office over the unit (a series not in the schedule: refused on its
    # merits), read by every business role in its own subtree
    Endpoint(
        "PUT",
        "/api/v1/quota-plans/{year}/{org_id}/{series}/{level}",
        frozenset({"title_office_review@office"}),
        params=(("year", str(YEAR)), ("series", "魔法系列"), ("level", "intermediate")),
        json=lambda w: {"quota": 1},
    ),
    Endpoint(
        "GET",
        "/api/v1/quota-plans/{year}",
        frozenset({*(f"{role}@{place}" for role in BUSINESS for place in PLACES), "push@department"}),
        params=(("year", str(YEAR)),),
    ),
    # -- registries: read by everyone signed in (the blacklist by offices and auditors), kept by the city office
    Endpoint("GET", "/api/v1/registries", AUTHENTICATED),
    Endpoint("GET", "/api/v1/registries/{name}", AUTHENTICATED, params=(("name", "journals"),)),
    Endpoint("GET", "/api/v1/registries/{name}", BLACKLIST_READERS, params=(("name", "blacklist"),)),
    Endpoint("GET", "/api/v1/registries/{name}/export", AUTHENTICATED, params=(("name", "journals"),)),
    Endpoint("GET", "/api/v1/registries/{name}/export", BLACKLIST_READERS, params=(("name", "blacklist"),)),
    Endpoint(
        "PUT",
        "/api/v1/registries/{name}/entries",
        frozenset({"title_office_review@office"}),
        params=(("name", "bridged_fields"),),
        json=lambda w: {"field": ""},
    ),
    # One entry by its key (a path: CN numbers hold "/"): read by everyone signed in, replaced (an empty
    # field, refused on its merits) and then deleted by the city office.
    Endpoint(
        "GET", "/api/v1/registries/{name}/entries/{key:path}", AUTHENTICATED, params=(("name", "bridged_fields"),)
    ),
    Endpoint(
        "PUT",
        "/api/v1/registries/{name}/entries/{key:path}",
        frozenset({"title_office_review@office"}),
        params=(("name", "bridged_fields"),),
        json=lambda w: {"field": ""},
    ),
    Endpoint(
        "DELETE",
        "/api/v1/registries/{name}/entries/{key:path}",
        frozenset({"title_office_review@office"}),
        params=(("name", "bridged_fields"),),
    ),
    Endpoint(
        "POST",
        "/api/v1/registries/{name}/import",
        frozenset({"title_office_review@office"}),
        params=(("name", "bridged_fields"),),
        files=_bad_csv,
        data={"mode": "merge"},
    ),
    # -- schedules: published by the city office (a far year, refused on its merits), exported by anyone signed in
    Endpoint(
        "PUT",
        "/api/v1/schedules/{year}",
        frozenset({"title_office_review@office"}),
        params=(("year", "2099"),),
        json=_duplicate_schedule,
    ),
    Endpoint(
        "POST",
        "/api/v1/schedules/{year}/import",
        frozenset({"title_office_review@office"}),
        params=(("year", "2099"),),
        files=_bad_csv,
    ),
    Endpoint("GET", "/api/v1/schedules/{year}/export", AUTHENTICATED, params=(("year", str(YEAR)),)),
    # -- the holiday calendar: published by the city office (a date outside the year: refused on its merits),
    # read by everyone signed in
    Endpoint(
        "PUT",
        "/api/v1/calendar/years/{year}",
        frozenset({"title_office_review@office"}),
        params=(("year", CALENDAR_YEAR),),
        json=lambda w: {"holidays": ["2000-01-01"]},
    ),
    Endpoint(
        "POST",
        "/api/v1/calendar/years/{year}/import",
        frozenset({"title_office_review@office"}),
        params=(("year", CALENDAR_YEAR),),
        files=_bad_csv,
    ),
    Endpoint("GET", "/api/v1/calendar/years", AUTHENTICATED),
    Endpoint("GET", "/api/v1/calendar/years/{year}", AUTHENTICATED, params=(("year", CALENDAR_YEAR),)),
    Endpoint("GET", "/api/v1/calendar/working-days", AUTHENTICATED),
    Endpoint("GET", "/api/v1/events", frozenset({"service"})),
    # -- the provincial filing (POL-FI-1): read by title offices and pushers, each batch within their subtree
    # (the city office pushed it); driven by the workflow's service token only (the body is validated first,
    # so the escalation the service may make is a real one, recorded once)
    Endpoint(
        "GET",
        "/api/v1/filings",
        frozenset({*(f"{role}@{place}" for role in FILING_READERS for place in PLACES), "push@department"}),
        query=(("year", str(YEAR)),),
    ),
    Endpoint("GET", "/api/v1/filings/{push_id}", frozenset(f"{role}@office" for role in FILING_READERS)),
    Endpoint("GET", "/api/v1/internal/filings/{push_id}", frozenset({"service"}), query=(("ask_province", "false"),)),
    Endpoint("POST", "/api/v1/internal/filings/{push_id}/deliver", frozenset({"service"})),
    Endpoint(
        "POST",
        "/api/v1/internal/filings/{push_id}/escalations",
        frozenset({"service"}),
        json=lambda w: {"reason": "verdict_overdue", "detail": "矩阵"},
    ),
]
# Open by design: the push schedule of a year is public (forms and reminders read it before login); the
# province's verdict webhooks carry no token, their Ed25519 signature is checked (tests/filing, POL-FI-1).
PUBLIC = {("GET", "/api/v1/schedules/{year}"), ("POST", "/api/v1/provincial/callbacks")}


def test_every_endpoint_is_in_the_matrix() -> None:
    declared = {
        (method, route.path)
        for router in (
            applications.router,
            my_applications.router,
            office.router,
            office.overview,
            pushes.router,
            quotas.router,
            registries.router,
            schedules.router,
            calendar.router,
            filings.router,
            filings.internal,
            filings.callbacks,
            feed_router(),
        )
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert declared - {(e.method, e.route) for e in ENDPOINTS} - PUBLIC == set()


def _cases() -> list[tuple[Endpoint, str, str]]:
    """The applicant calls each application endpoint twice: with their own and a colleague's application."""
    cases = []
    for e in ENDPOINTS:
        for caller in CALLERS:
            if caller == "applicant" and e.target:
                cases += [(e, caller, "own"), (e, caller, "colleague's")]
            else:
                cases.append((e, caller, e.target or ""))
    return cases


def _path(endpoint: Endpoint, world: World, caller: str, whose: str) -> str:
    target = {"own": world.own, "other": world.other, "at_office": world.at_office}
    path = endpoint.route
    if endpoint.target:
        application = endpoint.target
        if caller == "applicant":
            application = "own" if whose == "own" else "other"  # a colleague's: the one at the unit's step
        path = path.replace("{application_id}", target[application])
    params = {
        "attachment_id": world.attachment,
        "push_id": world.push,
        "key:path": world.bridged_field,
        "org_id": world.department_unit,
        **dict(endpoint.params),
    }
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    return path


@pytest.mark.parametrize(
    ("endpoint", "caller", "whose"),
    _cases(),
    ids=[
        f"{e.method} {e.route} {dict(e.params).get('name', '')} {e.target or ''} {c} {w}".replace("  ", " ").strip()
        for e, c, w in _cases()
    ],
)
def test_authorization(matrix_api: MatrixApi, world: World, endpoint: Endpoint, caller: str, whose: str) -> None:
    api = matrix_api
    path = _path(endpoint, world, caller, whose)
    token = api.internal_token_for(APP, path) if caller == "service" else world.tokens[caller]
    headers = bearer(token) if token else {}
    r = api.http.request(
        endpoint.method,
        api.url(APP, path),
        params=dict(endpoint.query),
        json=endpoint.json(world) if endpoint.json else None,
        files=endpoint.files() if endpoint.files else None,
        data=endpoint.data,
        headers=headers,
    )
    allowed = caller in endpoint.allowed and whose != "colleague's"
    code = r.json().get("code") if r.headers.get("content-type", "").startswith("application/problem+json") else None
    if allowed:
        assert r.status_code not in (401, 403, 404) or code in endpoint.past_authorization, r.text
        assert r.status_code < 500, r.text
    else:
        assert r.status_code in ({401} if caller == "anonymous" else {403, 404}), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert code not in endpoint.past_authorization, r.text


@pytest.mark.parametrize("caller", sorted(AUTHENTICATED))
def test_the_list_shows_only_the_callers_scope(stack: Stack, world: World, caller: str) -> None:
    api = Api(stack)
    seen: set[str] = set()
    offset = 0
    while True:
        page = api.get(APP, "/api/v1/applications", world.tokens[caller] or "", limit=500, offset=offset)
        assert page.status_code == 200, page.text
        seen |= {a["id"] for a in page.json()["items"]}
        if len(page.json()["items"]) < 500:
            break
        offset += 500
    inside = caller == "service" or caller.endswith(("@unit", "@office"))
    assert (world.other in seen) == inside, "the list shows an application outside the caller's scope"
    assert (world.own in seen) == (inside or caller == "applicant")


def test_a_draft_is_the_applicants_alone(stack: Stack, world: World) -> None:
    """Not even the unit's reviewers or a service see a draft: for them it does not exist."""
    api = Api(stack)
    api.publish_schedule(YEAR + 1)  # one application per person, year and series: `own` holds YEAR's
    body = _application(submit=False, year=YEAR + 1)
    draft = api.post(APP, "/api/v1/applications", world.tokens["applicant"] or "", body)
    assert draft.status_code == 201, draft.text
    for caller in ("unit_review@unit", "title_office_review@office"):
        r = api.get(APP, f"/api/v1/applications/{draft.json()['id']}", world.tokens[caller] or "")
        assert r.status_code == 404, r.text
