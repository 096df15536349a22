"""application-service in-process (ASGI) on the real PostgreSQL and Kafka, with a clock the test sets.

org-service's facts are fed to the real consumer as the envelopes org-service publishes; tokens are
signed with a key of the test's own (the service verifies them from a JWKS, as it does in production).
This proves the HTTP layer, the event store, read-your-writes projections and SCHED-1 at its exact
boundary, without waiting for other services (Kafka is proven in test_application_stack.py).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import jwt
import pytest
from application_service.app import CONSUMER, create_app
from application_service.settings import ApplicationSettings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from zhicheng_kernel.auth import AUDIENCE, ISSUER, TokenVerifier
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.tables import events

from tests.harness import Servers

pytestmark = pytest.mark.stack

_positions = {s: itertools.count(1) for s in ("org-service", "plagiarism-service", "review-service")}


@dataclass
class Harness:
    client: httpx.AsyncClient
    clock: FixedClock
    runtime: ServiceRuntime
    key: Ed25519PrivateKey

    def token(self, sub: str, org: dict[str, str] | None, roles: list[str], name: str = "测试") -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "username": sub,
            "kind": "user",
            "org_id": org["org_id"] if org else None,
            "org_path": org["path"] if org else "",
            "org_kind": org.get("kind", "") if org else "",
            "roles": roles,
            "name": name,
            "typ": "access",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 3600,
        }
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": "test"})

    async def feed(self, source: str, event_type: str, payload: dict[str, Any]) -> None:
        """Deliver one event of another service to the real consumer, as Kafka or the feed would."""
        envelope = EventEnvelope(
            event_id=uuid.uuid4(),
            event_type=event_type,
            schema_version=1,
            source=source,
            stream_id=str(uuid.uuid4()),
            stream_type="test",
            version=1,
            position=next(_positions[source]),
            occurred_at=datetime.now(UTC),
            actor="test",
            correlation_id=uuid.uuid4(),
            causation_id=None,
            payload=payload,
        )
        assert await self.runtime.consumers[CONSUMER].apply(envelope)
        assert not await self.runtime.consumers[CONSUMER].apply(envelope)  # a duplicate is a no-op

    async def org(self, kind: str, parent: dict[str, str] | None, level: str = "county") -> dict[str, str]:
        org_id = str(uuid.uuid4())
        path = f"{parent['path'] if parent else '/'}{org_id}/"
        payload = {
            "org_id": org_id,
            "code": org_id[:10],
            "name": f"{kind}-{org_id[:6]}",
            "kind": kind,
            "level": level,
            "division_code": "620821",
            "parent_id": parent["org_id"] if parent else None,
            "path": path,
        }
        await self.feed("org-service", "OrganizationCreated", payload)
        return {"org_id": org_id, "path": path, "kind": kind}

    async def stream(self, application_id: str) -> list[str]:
        async with self.runtime.db.read() as conn:
            rows = await conn.execute(
                select(events.c.event_type).where(events.c.stream_id == application_id).order_by(events.c.version)
            )
            return [r.event_type for r in rows]


@pytest.fixture(scope="module")
async def svc(servers: Servers) -> AsyncIterator[Harness]:
    name = f"zc_app_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    key = Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    verifier = TokenVerifier(jwks={"keys": [{**jwk, "kid": "test", "alg": "EdDSA", "use": "sig"}]})
    settings = ApplicationSettings(
        environment="test",
        database_url=servers.postgres.url(name),
        # A broker of its own that is not there: the session's broker carries the real services'
        # events, whose positions would collide with the ones this test hands to the consumer.
        kafka_bootstrap="127.0.0.1:9",
        org_url="http://127.0.0.1:9",  # nobody there: the feeds are not used in this test
        plagiarism_url="http://127.0.0.1:9",
        review_url="http://127.0.0.1:9",
        catchup_interval_seconds=3600,
    )
    clock = FixedClock(datetime(2026, 6, 1, 10, tzinfo=CHINA_TZ))
    app = create_app(settings, clock=clock, verifier=verifier)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://application-service") as client:
            yield Harness(client, clock, app.state.runtime, key)


@dataclass
class Tree:
    city: dict[str, str]
    county: dict[str, str]
    dept: dict[str, str]
    school: dict[str, str]
    other_school: dict[str, str]


@pytest.fixture
async def tree(svc: Harness) -> Tree:
    city = await svc.org("title_office", None, "city")
    county = await svc.org("title_office", city)
    dept = await svc.org("government_department", county)
    school = await svc.org("state_unit", dept)
    other = await svc.org("state_unit", dept)
    return Tree(city, county, dept, school, other)


def paper(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "基层卫生服务研究",
        "journal": "中国全科医学",
        "journal_level": "core",
        "published_on": "2025-03-01",
        "authors": ["张三"],
        "text": "正文" * 100,
    }
    return body | overrides


def application(**overrides: Any) -> dict[str, Any]:
    body = {
        "year": 2026,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "intermediate",
        "track": "normal",
        "papers": [paper()],
    }
    return body | overrides


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def submit(svc: Harness, tree: Tree, applicant: str = "", **overrides: Any) -> httpx.Response:
    token = svc.token(applicant or str(uuid.uuid4()), tree.school, ["applicant"], "张三")
    return await svc.client.post("/api/v1/applications", json=application(**overrides), headers=auth(token))


async def approve(svc: Harness, app_id: str, org: dict[str, str], role: str, version: int) -> httpx.Response:
    token = svc.token(str(uuid.uuid4()), org, [role])
    body = {"decision": "approve", "opinion": "同意", "expected_version": version}
    return await svc.client.post(f"/api/v1/applications/{app_id}/decisions", json=body, headers=auth(token))


async def pass_checks(svc: Harness, app: dict[str, Any], decision: str = "pass") -> None:
    for p in app["papers"]:
        await svc.feed(
            "plagiarism-service",
            "PaperCheckCompleted",
            {
                "check_id": str(uuid.uuid4()),
                "application_id": app["id"],
                "paper_id": p["paper_id"],
                "total_copy_ratio": 0.05,
                "copy_ratio_excluding_quotes": 0.05,
                "copy_ratio_excluding_own": 0.05 if decision == "pass" else 0.4,
                "max_single_source_ratio": 0.05,
                "threshold": 0.15,
                "decision": decision,
            },
        )


async def office_approved(svc: Harness, tree: Tree, **overrides: Any) -> dict[str, Any]:
    r = await submit(svc, tree, **overrides)
    assert r.status_code == 201, r.text
    app = r.json()
    await pass_checks(svc, app)
    version = (await svc.client.get(f"/api/v1/applications/{app['id']}", headers=auth(reader(svc, tree)))).json()[
        "version"
    ]
    for org, role in (
        (tree.school, "unit_review"),
        (tree.dept, "department_review"),
        (tree.county, "title_office_review"),
    ):
        r = await approve(svc, app["id"], org, role, version)
        assert r.status_code == 200, r.text
        version = r.json()["version"]
    assert r.json()["status"] == "office_approved"
    return dict(r.json())


def reader(svc: Harness, tree: Tree) -> str:
    return svc.token(str(uuid.uuid4()), tree.county, ["auditor"])


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
    applicant = str(uuid.uuid4())
    app = (await submit(svc, tree, applicant=applicant)).json()
    url = f"/api/v1/applications/{app['id']}"
    owner = svc.token(applicant, tree.school, ["applicant"])
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
        assert r.json()["detail"]
    r = await approve(svc, app["id"], tree.school, "unit_review", app["version"])
    assert r.status_code == 200 and r.json()["status"] == "unit_approved"
    assert r.json()["current_step"] == "department"


async def test_concurrent_decisions_give_one_success_and_one_409(svc: Harness, tree: Tree) -> None:
    app = (await submit(svc, tree)).json()
    results = await asyncio.gather(
        *(approve(svc, app["id"], tree.school, "unit_review", app["version"]) for _ in range(2))
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    conflict = next(r for r in results if r.status_code == 409)
    assert conflict.json()["code"] == "concurrent_modification"
    stale = await approve(svc, app["id"], tree.dept, "department_review", app["version"])
    assert stale.status_code == 409


async def test_pol_pa_4_title_office_waits_for_the_checks(svc: Harness, tree: Tree) -> None:
    """POL-PA-4: 409 while a check is pending, 422 when one failed, approved once all pass."""
    app = (await submit(svc, tree)).json()
    version = app["version"]
    for org, role in ((tree.school, "unit_review"), (tree.dept, "department_review")):
        version = (await approve(svc, app["id"], org, role, version)).json()["version"]
    r = await approve(svc, app["id"], tree.county, "title_office_review", version)
    assert r.status_code == 409 and r.json()["code"] == "plagiarism_checks_pending"
    await pass_checks(svc, app, "fail")
    version += 1
    r = await approve(svc, app["id"], tree.county, "title_office_review", version)
    assert r.status_code == 422 and r.json()["code"] == "plagiarism_check_failed"
    await pass_checks(svc, app, "pass")
    version += 1
    r = await approve(svc, app["id"], tree.county, "title_office_review", version)
    assert r.status_code == 200 and r.json()["status"] == "office_approved"
    assert (await svc.stream(app["id"]))[-3:] == ["PaperCheckRecorded", "PaperCheckRecorded", "TitleOfficeApproved"]


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


async def test_push_refusals(svc: Harness, tree: Tree) -> None:
    app = await office_approved(svc, tree)
    pending = (await submit(svc, tree)).json()
    assert (await push(svc, tree, [pending["id"]])).json()["code"] == "not_office_approved"
    assert (await push(svc, tree, [app["id"]], level="senior")).json()["code"] == "push_mismatch"
    unit_pusher = svc.token("p2", tree.school, ["push"])
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = await svc.client.post("/api/v1/pushes", json=body, headers=auth(unit_pusher))
    assert r.status_code == 403 and r.json()["code"] == "not_title_office"
    no_role = svc.token("p3", tree.county, ["title_office_review"])
    r = await svc.client.post("/api/v1/pushes", json=body, headers=auth(no_role))
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    assert (await push(svc, tree, [app["id"]])).status_code == 201
    assert (await push(svc, tree, [app["id"]])).json()["code"] == "not_office_approved"  # pushed once only


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
