"""Issue 12, findings 19, 20 and 27 (review side): who sees which qualification documents and which
part of a finished session, document numbers nobody can guess, a public check that cannot be
enumerated, and odd query input answered without a 500.

The real review-service (in-process, on a database of its own on the real PostgreSQL), fed the org
tree and issued documents as org- and application-service publish them; tokens of the test's signer.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from review_service.app import create_app
from review_service.consumers import CONSUMER
from review_service.domain.documents import document_id_for
from review_service.domain.events import (
    COMMITTEE,
    SESSION,
    CandidateResult,
    CommitteeFormed,
    CommitteeSessionOpened,
    ResultsPublished,
    SessionClosed,
    VotesTallied,
)
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.testing import TokenSigner, envelope

from tests.harness import Servers
from tests.review.routes import concluded, isolated

CITY = "/f19-city/"
COUNTY = f"{CITY}f19-county/"
UNIT = f"{COUNTY}f19-unit/"
OTHER_COUNTY = f"{CITY}f19-county-2/"
OTHER_UNIT = f"{OTHER_COUNTY}f19-unit-2/"
VERIFY_PER_ADDRESS = 8


@dataclass
class Svc:
    runtime: ServiceRuntime[Any]
    http: httpx.AsyncClient
    signer: TokenSigner

    def auth(
        self, subject: str, roles: list[str], org_id: str | None, org_path: str, kind: str = "state_unit"
    ) -> dict[str, str]:
        token = self.signer.token(subject, roles=roles, org_id=org_id, org_path=org_path, org_kind=kind)
        return {"Authorization": f"Bearer {token}"}

    async def feed(self, event: Any) -> None:
        assert await self.runtime.consumers[CONSUMER].apply(event)

    async def issue(self, applicant_id: str) -> tuple[str, str]:
        """A document issued to an applicant of UNIT: (application id, number)."""
        application_id = str(uuid.uuid4())
        await self.feed(
            concluded(
                application_id, "employer_assessment", org_id="f19-unit", org_path=UNIT, applicant_id=applicant_id
            )
        )
        async with self.runtime.context.db.read() as conn:
            [issued] = await self.runtime.context.store.load(conn, document_id_for(application_id))
        return application_id, str(issued.payload["number"])

    async def listed(self, headers: dict[str, str], **params: str) -> set[str]:
        r = await self.http.get("/api/v1/documents", headers=headers, params=params)
        assert r.status_code == 200, r.text
        return {d["application_id"] for d in r.json()["items"]}


def _org(org_id: str, kind: str, level: str, path: str) -> Any:
    payload = {"org_id": org_id, "name": org_id, "kind": kind, "level": level, "path": path}
    return envelope("org-service", "OrganizationCreated", payload, stream_id=org_id)


@pytest.fixture(scope="module")
async def svc(servers: Servers) -> AsyncIterator[Svc]:
    name = f"zc_rev_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    signer = TokenSigner()
    settings = isolated(str(servers.postgres.url(name))).model_copy(
        update={"public_verify_per_address": VERIFY_PER_ADDRESS}
    )
    app = create_app(settings, verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://review-service") as http:
            s = Svc(app.state.runtime, http, signer)
            await s.feed(_org("f19-city", "title_office", "city", CITY))
            await s.feed(_org("f19-county", "title_office", "county", COUNTY))
            await s.feed(_org("f19-unit", "state_unit", "county", UNIT))
            await s.feed(_org("f19-county-2", "title_office", "county", OTHER_COUNTY))
            await s.feed(_org("f19-unit-2", "state_unit", "county", OTHER_UNIT))
            yield s


async def test_finding_19_each_role_lists_only_the_documents_it_may_see(svc: Svc) -> None:
    """Finding 19: "GET /api/v1/documents and finished sessions show more than the caller's role should
    see". An applicant lists their own documents only, an expert nothing but their own, a unit and a
    title office their subtree; everyone else's stay out of the answer, filtered or asked by id."""
    mine, _ = await svc.issue("f19-applicant-a")
    theirs, _ = await svc.issue("f19-applicant-b")
    both = {mine, theirs}

    applicant = svc.auth("f19-applicant-a", ["applicant"], "f19-unit", UNIT)
    assert await svc.listed(applicant) == {mine}
    assert await svc.listed(applicant, application_id=theirs) == set()
    colleague = svc.auth("f19-applicant-c", ["applicant"], "f19-unit", UNIT)
    assert await svc.listed(colleague) == set()
    expert = svc.auth("f19-expert", ["expert"], "f19-unit", UNIT)
    assert await svc.listed(expert) == set()

    assert both <= await svc.listed(svc.auth("f19-unit-review", ["unit_review"], "f19-unit", UNIT))
    assert both <= await svc.listed(svc.auth("f19-unit-admin", ["applicant_management"], "f19-unit", UNIT))
    assert await svc.listed(svc.auth("f19-other-unit", ["unit_review"], "f19-unit-2", OTHER_UNIT)) & both == set()
    county = svc.auth("f19-county-review", ["title_office_review"], "f19-county", COUNTY, "title_office")
    assert both <= await svc.listed(county)
    city = svc.auth("f19-city-secretary", ["committee_secretary"], "f19-city", CITY, "title_office")
    assert both <= await svc.listed(city)
    other_county = svc.auth("f19-county-2", ["title_office_review"], "f19-county-2", OTHER_COUNTY, "title_office")
    assert await svc.listed(other_county) & both == set()


async def _finished_session(svc: Svc, *, closed: bool) -> tuple[str, str, str]:
    """A session of the city office's committee (experts e-1..e-3) that passed one candidate and failed
    another, its results published (and, if `closed`, the session closed): (session, passed, failed)."""
    ctx = svc.runtime.context
    committee_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    passed, failed = str(uuid.uuid4()), str(uuid.uuid4())
    formed = CommitteeFormed(
        committee_id=committee_id,
        name="平凉市卫生系列中级评审委员会",
        series="卫生系列",
        level="intermediate",
        specialty=None,
        organizing_org_id="f19-city",
        expert_ids=["f19-e-1", "f19-e-2", "f19-e-3"],
    )
    now = ctx.clock.now()
    history: list[Any] = [
        CommitteeSessionOpened(
            session_id=session_id,
            committee_id=committee_id,
            year=2026,
            series="卫生系列",
            level="intermediate",
            application_ids=[passed, failed],
            expert_ids=["f19-e-1", "f19-e-2", "f19-e-3"],
            workflow_id=f"session-{session_id}",
        ),
        VotesTallied(
            session_id=session_id,
            committee_size=3,
            present=3,
            quorum_met=True,
            results=[
                CandidateResult(application_id=passed, yes=3, no=0, abstain=0, passed=True, judges=3),
                CandidateResult(application_id=failed, yes=1, no=2, abstain=0, passed=False, judges=3),
            ],
        ),
        ResultsPublished(
            session_id=session_id,
            publicity_starts_at=now - timedelta(days=8),
            publicity_ends_at=now - timedelta(days=1),
            passed_application_ids=[passed],
        ),
    ]
    if closed:
        history.append(SessionClosed(session_id=session_id))
    async with ctx.db.transaction() as conn:
        await ctx.store.append(conn, COMMITTEE, committee_id, 0, [formed], Metadata(actor="test"))
        await ctx.store.append(conn, SESSION, session_id, 0, history, Metadata(actor="test"))
    return session_id, passed, failed


async def test_finding_19_a_finished_session_shows_outsiders_and_past_experts_only_the_published_results(
    svc: Svc,
) -> None:
    """Finding 19: "finished sessions show more than the caller's role should see". After the session,
    an expert of the committee sees what the publicity shows, like any other account: the passed
    candidates and their results; the failed candidate, the held ones and the document numbers stay
    with the organising office."""
    sid, passed, failed = await _finished_session(svc, closed=True)
    path = f"/api/v1/sessions/{sid}"
    secretary = svc.auth("f19-city-secretary", ["committee_secretary"], "f19-city", CITY, "title_office")
    full = (await svc.http.get(path, headers=secretary)).json()
    assert set(full["application_ids"]) == {passed, failed}
    assert {r["application_id"] for r in full["results"]} == {passed, failed}

    for who in (
        svc.auth("f19-e-1", ["expert"], "f19-unit", UNIT),
        svc.auth("f19-applicant-x", ["applicant"], "f19-unit", UNIT),
        svc.auth("f19-other-unit", ["unit_review"], "f19-unit-2", OTHER_UNIT),
    ):
        seen = await svc.http.get(path, headers=who)
        assert seen.status_code == 200, seen.text
        body = seen.json()
        assert body["application_ids"] == [passed], body
        assert [r["application_id"] for r in body["results"]] == [passed]
        assert failed not in seen.text
        assert body["documents"] == [] and body["held_application_ids"] == []

    # Before the session ends its experts follow it whole; before publication nobody else sees it.
    open_sid, p2, f2 = await _finished_session(svc, closed=False)
    during = (
        await svc.http.get(f"/api/v1/sessions/{open_sid}", headers=svc.auth("f19-e-2", ["expert"], None, UNIT))
    ).json()
    assert set(during["application_ids"]) == {p2, f2}


async def test_finding_20_document_numbers_cannot_be_guessed_and_the_public_check_is_rate_limited(
    svc: Svc,
) -> None:
    """Finding 20: "Document numbers are sequential and the public check can be enumerated". A number
    keeps its human prefix (office, year) but the part that names the document is random with a check
    character; a mistyped or made-up number is unknown, exactly like a number never issued; and one
    client address checks at most VERIFY_PER_ADDRESS numbers per window (429 after)."""
    _, first = await svc.issue("f20-applicant-1")
    _, second = await svc.issue("f20-applicant-2")
    shape = re.compile(r"^平人社职称〔2026〕([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})号$")
    assert shape.match(first) and shape.match(second), (first, second)
    assert first != second and first[-6:] != second[-6:]

    headers = {"X-Forwarded-For": "203.0.113.20"}
    ok = await svc.http.get("/api/v1/documents/verify", params={"number": first}, headers=headers)
    assert ok.status_code == 200 and ok.json()["valid"] is True
    typo = first[:-2] + ("0" if first[-2] != "0" else "1") + "号"
    unknown = await svc.http.get("/api/v1/documents/verify", params={"number": typo}, headers=headers)
    sequential = await svc.http.get(
        "/api/v1/documents/verify", params={"number": "平人社职称〔2026〕00001号"}, headers=headers
    )
    for r, asked in ((unknown, typo), (sequential, "平人社职称〔2026〕00001号")):
        assert r.status_code == 404 and r.json()["code"] == "document_not_found", r.text
        assert r.json()["detail"].replace(asked, "") == unknown.json()["detail"].replace(typo, "")

    statuses = [
        (await svc.http.get("/api/v1/documents/verify", params={"number": second}, headers=headers)).status_code
        for _ in range(VERIFY_PER_ADDRESS)
    ]
    assert statuses[-1] == 429 and statuses[0] == 200, statuses
    elsewhere = await svc.http.get(
        "/api/v1/documents/verify", params={"number": second}, headers={"X-Forwarded-For": "203.0.113.21"}
    )
    assert elsewhere.status_code == 200


@pytest.mark.parametrize(
    "path,param",
    [
        ("/api/v1/documents/verify", "number"),
        ("/api/v1/documents", "application_id"),
        ("/api/v1/review-requests", "application_id"),
    ],
)
async def test_finding_27_odd_query_text_is_refused_without_a_500(svc: Svc, path: str, param: str) -> None:
    """Finding 27: "GET /api/v1/documents/verify?number= with a NUL character answers 500". Query text
    with NUL, control, bidi or zero-width characters, or longer than its bound, is a 422 naming the
    field; no query reaches PostgreSQL with it."""
    headers = {
        **svc.auth("f27-city", ["title_office_review"], "f19-city", CITY, "title_office"),
        "X-Forwarded-For": "203.0.113.27",
    }
    for odd in ("平人社职称〔2026〕\x00号", "平人社\u202e职称〔2026〕0001号", "平人社职称\u200b〔2026〕号", "号" * 300):
        r = await svc.http.get(path, params={param: odd}, headers=headers)
        assert r.status_code == 422, (odd, r.status_code, r.text[:200])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/public/publicity?offset=10472689468565861957632",
        "/api/v1/public/publicity?limit=274156808752997",
        "/api/v1/expert-pool?expiring_within_days=274156808752997",
        "/api/v1/external/results?year=274156808752997",
        "/api/v1/external/documents?year=2026&limit=274156808752997",
        "/api/v1/review-years/274156808752997/report",
    ],
)
async def test_finding_27_every_query_integer_is_bounded(svc: Svc, path: str) -> None:
    """Finding 27: "integers without bounds reach PostgreSQL" (answering 500). Every integer a
    review-service query or path carries has both bounds: beyond them, a 422."""
    headers = svc.auth("f27-city", ["title_office_review"], "f19-city", CITY, "title_office")
    r = await svc.http.get(path, headers=headers)
    assert r.status_code == 422, (path, r.status_code, r.text[:200])
