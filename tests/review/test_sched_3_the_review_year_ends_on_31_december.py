"""SCHED-3 at the real review-service ("各系列中、高评会12月31日前完成评审工作"): from 00:00 of 1 January
(Asia/Shanghai) a session of the past year can no longer be opened, nor a ballot recorded in one
(409 problem+json naming SCHED-3, nothing written); at 23:59:59 on 31 December both are accepted.
Counting the votes and the publicity of a session voted in time may run into January; junior
committees are not bound.

The service runs in this process on a database of its own, its clock a FixedClock given to create_app
that the test moves across midnight; candidates arrive as application-service's ApplicationPushed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from review_service.adapters import ballot_box
from review_service.adapters.tables import candidates, session_voters, sessions
from review_service.app import create_app
from review_service.consumers import CONSUMER
from review_service.context import ReviewContext
from review_service.domain.events import COMMITTEE, CommitteeFormed
from review_service.service_layer import outcomes
from sqlalchemy import func, select
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.problems import PROBLEM_JSON
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.testing import TokenSigner

from tests.harness import Servers
from tests.review.defenses import hold_defenses
from tests.review.routes import appoint_in_pool, filing_approved, isolated, pushed

YEAR = 2026
LAST_SECOND = datetime(YEAR, 12, 31, 23, 59, 59, tzinfo=CHINA_TZ)
NEW_YEAR = datetime(YEAR + 1, 1, 1, 0, 0, 0, tzinfo=CHINA_TZ)
OFFICE = "city-office"
EXPERTS = ["e-1", "e-2", "e-3"]


@dataclass
class Review:
    runtime: ServiceRuntime[ReviewContext]
    http: httpx.AsyncClient
    signer: TokenSigner

    @property
    def ctx(self) -> ReviewContext:
        return self.runtime.context

    def at(self, instant: datetime) -> None:
        """Move the service's clock (the FixedClock the test gave it)."""
        clock = self.ctx.clock
        assert isinstance(clock, FixedClock)
        clock.set(instant)

    def secretary(self) -> dict[str, str]:
        token = self.signer.token("secretary-1", roles=["committee_secretary"], org_id=OFFICE, org_path="/city/")
        return {"Authorization": f"Bearer {token}"}

    def expert(self, expert_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.signer.token(expert_id, roles=['expert'])}"}

    async def committee(self, level: str) -> str:
        committee_id = str(uuid.uuid4())
        formed = CommitteeFormed(
            committee_id=committee_id,
            name="平凉市卫生系列评审委员会",
            series="卫生系列",
            level=level,
            specialty=None,
            organizing_org_id=OFFICE,
            expert_ids=EXPERTS,
        )
        async with self.ctx.db.transaction() as conn:
            await self.ctx.store.append(conn, COMMITTEE, committee_id, 0, [formed], Metadata(actor="test"))
        await appoint_in_pool(self.ctx, EXPERTS, OFFICE)  # NAT-6: the members are in the pool
        return committee_id

    async def candidate(self, level: str = "intermediate") -> str:
        application_id = str(uuid.uuid4())
        candidate = pushed(application_id, YEAR, level=level)
        assert await self.runtime.consumers[CONSUMER].apply(candidate)
        assert await self.runtime.consumers[CONSUMER].apply(filing_approved(candidate))  # POL-FI-1
        return application_id

    async def open_session(self, committee_id: str) -> httpx.Response:
        body = {"year": YEAR}
        return await self.http.post(f"/api/v1/committees/{committee_id}/sessions", json=body, headers=self.secretary())

    async def ballot(self, session_id: str, expert_id: str, votes: dict[str, str]) -> httpx.Response:
        path = f"/api/v1/sessions/{session_id}/ballots"
        return await self.http.post(path, json={"votes": votes}, headers=self.expert(expert_id))

    async def session_attended(self, committee_id: str) -> str:
        """A session opened and its experts' attendance recorded (NAT-1); answers its id."""
        opened = await self.open_session(committee_id)
        assert opened.status_code == 201, opened.text
        session_id = str(opened.json()["session_id"])
        await hold_defenses(self.http, session_id, headers=self.secretary(), db_url=self.ctx.settings.database_url)
        path = f"/api/v1/sessions/{session_id}/attendance"
        attended = await self.http.post(path, json={"present_expert_ids": EXPERTS}, headers=self.secretary())
        assert attended.status_code == 201, attended.text
        return session_id

    async def scalar(self, query: Any) -> Any:
        async with self.ctx.db.read() as conn:
            return (await conn.execute(query)).scalar_one()


@asynccontextmanager
async def review_at(servers: Servers, now: datetime) -> AsyncIterator[Review]:
    """review-service on a fresh database, its clock fixed at `now`, accepting a test signer's tokens
    (no Temporal to reach: a session's workflow stays in the start outbox, which is enough here)."""
    name = f"zc_rev_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    signer = TokenSigner()
    app = create_app(isolated(str(servers.postgres.url(name))), clock=FixedClock(now), verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://review-service") as http:
            yield Review(app.state.runtime, http, signer)


def assert_sched_3_refusal(response: httpx.Response, doing_zh: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == "review_year_closed" and body["rule"] == "SCHED-3"
    assert f"{YEAR}年度" in body["detail"] and f"{YEAR}年12月31日24时" in body["detail"]
    assert doing_zh in body["detail"]


async def test_sched_3_a_session_of_the_year_opens_at_23_59_59_on_31_december_not_at_00_00_on_1_january(
    servers: Servers,
) -> None:
    async with review_at(servers, LAST_SECOND) as review:
        committee_id = await review.committee("intermediate")
        first = await review.candidate()
        opened = await review.open_session(committee_id)
        assert opened.status_code == 201, opened.text
        assert opened.json()["application_ids"] == [first]

        late = await review.candidate()
        review.at(NEW_YEAR)
        refused = await review.open_session(committee_id)
        assert_sched_3_refusal(refused, "召开该年度的评审会议")
        # Nothing written: no second session, the candidate still waits for a committee.
        assert await review.scalar(select(func.count()).select_from(sessions)) == 1
        async with review.ctx.db.read() as conn:
            waiting = (await conn.execute(select(candidates).where(candidates.c.application_id == late))).one()
        assert (waiting.status, waiting.session_id) == ("pushed", None)


async def test_sched_3_a_ballot_is_recorded_at_23_59_59_refused_at_00_00_and_the_count_runs_into_january(
    servers: Servers,
) -> None:
    async with review_at(servers, LAST_SECOND - timedelta(minutes=5)) as review:
        committee_id = await review.committee("deputy_senior")
        application_id = await review.candidate("deputy_senior")
        session_id = await review.session_attended(committee_id)
        votes = {application_id: "yes"}

        review.at(LAST_SECOND)
        for expert_id in ("e-1", "e-2"):
            accepted = await review.ballot(session_id, expert_id, votes)
            assert accepted.status_code == 201, accepted.text

        review.at(NEW_YEAR)
        assert_sched_3_refusal(await review.ballot(session_id, "e-3", votes), "在该年度的评审会议中投票")
        # Nothing written: two ballots in the private box (NAT-2), e-3 not marked as having voted.
        async with review.ctx.db.read() as conn:
            assert await ballot_box.held(conn, session_id) == 2
        voted = select(func.count()).select_from(session_voters).where(session_voters.c.session_id == session_id)
        assert await review.scalar(voted) == 2

        # "完成评审工作" is the review and the vote: counting the ballots cast in time is a January step.
        tallied = await outcomes.tally(review.ctx, session_id, "test")
        assert tallied.present == 3
        [result] = tallied.results
        assert (result.yes, result.passed) == (2, True)  # NAT-2: two of the three present


async def test_sched_3_does_not_bind_a_junior_committee(servers: Servers) -> None:
    """The notice's sentence names "中、高评会": a junior committee opens a 2026 session on 1 January 2027
    and its experts vote in it."""
    async with review_at(servers, NEW_YEAR) as review:
        committee_id = await review.committee("junior")
        application_id = await review.candidate("junior")
        session_id = await review.session_attended(committee_id)
        accepted = await review.ballot(session_id, "e-1", {application_id: "yes"})
        assert accepted.status_code == 201, accepted.text
