"""review-service alone, on a database of its own, fed application-service's envelopes: the routes to
a title without a committee (ApplicationConcludedWithoutCommittee) and the documents it issues."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from review_service.adapters.tables import expert_pool
from review_service.app import create_app
from review_service.consumers import CONSUMER
from review_service.context import ReviewContext
from review_service.domain.events import (
    COMMITTEE,
    SESSION,
    CandidateResult,
    CommitteeFormed,
    CommitteeSessionOpened,
    ExpertAppointed,
    ResultsPublished,
    VotesTallied,
)
from review_service.domain.rules import latest_term_end
from review_service.service_layer import outcomes
from review_service.settings import ReviewSettings
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.testing import envelope

from tests.harness import Servers

CITY = "/city/"
UNIT = "/city/unit/"
# The employer of the experts in-process tests appoint: not the candidates' "unit" (NAT-4 would recuse them).
EXPERT_EMPLOYER = "expert-employer"


async def appoint_in_pool(
    ctx: ReviewContext,
    expert_ids: list[str],
    organizer: str,
    *,
    employer_org_id: str = EXPERT_EMPLOYER,
    starts_on: date | None = None,
    series: str = "卫生系列",
) -> None:
    """The experts in the pool (ExpertAppointed and its row, as POST /api/v1/expert-pool writes them) for
    a term of NAT-6's full three years that began 400 days before the service's today, so a committee
    of them may form and sit while a test moves its clock around the year's end. Experts already in
    the pool are left as they are."""
    starts = starts_on or china_today(ctx.clock.now()) - timedelta(days=400)
    async with ctx.db.transaction() as conn:
        for expert_id in expert_ids:
            appointed = ExpertAppointed(
                account_id=expert_id,
                organizing_org_id=organizer,
                series=[series],
                specialty="内科学",  # the members' own; panels of 临床医学 draw the experts a test seeds
                title_level="senior",
                employer_org_id=employer_org_id,
                term_starts_on=starts,
                term_ends_on=latest_term_end(starts),
            )
            if await ctx.store.load(conn, expert_id):
                continue  # appointed by an earlier committee of the same test
            await ctx.store.append(conn, appointed.stream_type, expert_id, 0, [appointed], Metadata(actor="test"))
            await conn.execute(expert_pool.insert().values(**appointed.model_dump(mode="python")))


def concluded(application_id: str, route: str, **overrides: Any) -> EventEnvelope:
    """application-service's ApplicationConcludedWithoutCommittee (contract C3) for one application."""
    payload = {
        "application_id": application_id,
        "route": route,
        "year": 2026,
        "series": "工程系列",
        "specialty": "机械工程",
        "level": "junior",
        "applicant_id": f"applicant-{application_id}",
        "applicant_name": "赵建国",
        "org_id": "unit",
        "org_path": UNIT,
        "county_code": "620802",
        "annotations": [],
        **overrides,
    }
    return envelope(
        "application-service", "ApplicationConcludedWithoutCommittee", payload, stream_id=application_id, version=9
    )


def pushed(application_id: str, year: int, **overrides: Any) -> EventEnvelope:
    """application-service's ApplicationPushed: a candidate for a committee."""
    payload = {
        "application_id": application_id,
        "push_id": str(uuid.uuid4()),
        "year": year,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "intermediate",
        "applicant_id": f"applicant-{application_id}",
        "applicant_name": "钱秀英",
        "org_id": "unit",
        "org_path": UNIT,
        "county_code": "620802",
        "annotations": [],
        "remarks": [],
        **overrides,
    }
    return envelope("application-service", "ApplicationPushed", payload, stream_id=application_id, version=8)


def filing_approved(
    pushed_event: EventEnvelope, verdict: str = "approved", reasons: list[str] | None = None
) -> EventEnvelope:
    """application-service's ProvincialVerdictRecorded on the push of `pushed_event` (POL-FI-1): only an
    application the province approved enters a committee session."""
    p = pushed_event.payload
    payload = {
        "application_id": p["application_id"],
        "push_id": p["push_id"],
        "year": p["year"],
        "series": p["series"],
        "level": p["level"],
        "org_id": p["org_id"],
        "applicant_id": p["applicant_id"],
        "verdict": verdict,
        "reasons": reasons or [],
        "decided_at": "2026-11-20T09:00:00+08:00",
        "delivery_id": f"msg_{p['push_id']}_{p['application_id']}",
        "reviewer": "省职改办 张三",
    }
    return envelope(
        "application-service",
        "ProvincialVerdictRecorded",
        payload,
        stream_id=p["application_id"],
        version=pushed_event.version + 1,
    )


@dataclass
class Review:
    """The service's runtime (its context and consumer) and an HTTP client on its app."""

    runtime: ServiceRuntime[ReviewContext]
    http: httpx.AsyncClient

    @property
    def ctx(self) -> ReviewContext:
        return self.runtime.context

    async def feed(self, event: EventEnvelope) -> bool:
        return await self.runtime.consumers[CONSUMER].apply(event)

    async def verify(self, number: str) -> httpx.Response:
        """Public verification (NAT-10): no token."""
        return await self.http.get("/api/v1/documents/verify", params={"number": number})

    async def stream(self, stream_id: str) -> list[EventEnvelope]:
        async with self.ctx.db.read() as conn:
            return list(await self.ctx.store.load(conn, stream_id))

    async def passed_session(
        self, application_id: str, year: int, *, also: Sequence[str] = (), **pushed_overrides: Any
    ) -> str:
        """The application (and those `also` named) pushed (with `pushed_overrides`), taken into a
        committee's session that passed them, and its publicity over: the session's id."""
        application_ids = [application_id, *also]
        for each in application_ids:
            candidate = pushed(each, year, **pushed_overrides)
            assert await self.feed(candidate)
            assert await self.feed(filing_approved(candidate))
        committee_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
        formed = CommitteeFormed(
            committee_id=committee_id,
            name="平凉市卫生系列中级评审委员会",
            series="卫生系列",
            level="intermediate",
            specialty=None,
            organizing_org_id="city-office",
            expert_ids=["e-1", "e-2", "e-3"],
        )
        now = self.ctx.clock.now()
        history = [
            CommitteeSessionOpened(
                session_id=session_id,
                committee_id=committee_id,
                year=year,
                series="卫生系列",
                level="intermediate",
                application_ids=application_ids,
                expert_ids=["e-1", "e-2", "e-3"],
                workflow_id=f"session-{session_id}",
            ),
            VotesTallied(
                session_id=session_id,
                committee_size=3,
                present=3,
                quorum_met=True,
                results=[
                    CandidateResult(application_id=each, yes=3, no=0, abstain=0, passed=True)
                    for each in application_ids
                ],
            ),
            ResultsPublished(
                session_id=session_id,
                publicity_starts_at=now - timedelta(days=8),
                publicity_ends_at=now - timedelta(days=1),
                passed_application_ids=application_ids,
            ),
        ]
        async with self.ctx.db.transaction() as conn:
            await self.ctx.store.append(conn, COMMITTEE, committee_id, 0, [formed], Metadata(actor="test"))
            await self.ctx.store.append(conn, SESSION, session_id, 0, history, Metadata(actor="test"))
        return session_id

    async def committee_document(self, application_id: str, year: int, **pushed_overrides: Any) -> str:
        """The number the committee route gave the application's document."""
        session_id = await self.passed_session(application_id, year, **pushed_overrides)
        report = await outcomes.issue_documents(self.ctx, session_id, "test")
        return str(next(d.number for d in report.issued if d.application_id == application_id))


def isolated(database_url: str) -> ReviewSettings:
    """review-service with no broker, peer or Temporal to reach."""
    nobody = "http://127.0.0.1:9"
    return ReviewSettings(
        environment="test",
        database_url=database_url,
        kafka_bootstrap="127.0.0.1:9",
        org_url=nobody,
        application_url=nobody,
        plagiarism_url=nobody,
        temporal_address="127.0.0.1:9",
        catchup_interval_seconds=3600,
    )


@asynccontextmanager
async def review_alone(servers: Servers) -> AsyncIterator[Review]:
    """review-service on a fresh database of its own, its consumer fed by hand."""
    name = f"zc_rev_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    app = create_app(isolated(str(servers.postgres.url(name))))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://review-service") as http:
            yield Review(app.state.runtime, http)
