"""NAT-3 counts with the official holiday calendar the city 职改办 publishes in application-service:
review-service keeps the published years (HolidayCalendarPublished) in a table of its own, loads them
into its calendar at start and reloads it on the event, so the publicity end it hands to the session
workflow (`outcomes.publish` → `publicity_ends_at(ctx.calendar, …)`) follows the published year."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import pytest
from review_service.adapters.tables import holiday_years
from review_service.app import create_app
from review_service.consumers import CONSUMER
from review_service.context import ReviewContext
from review_service.domain.events import SESSION, CandidateResult, CommitteeSessionOpened, VotesTallied
from review_service.domain.rules import publicity_ends_at
from review_service.service_layer import outcomes
from review_service.settings import ReviewSettings
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.testing import envelope

from tests.api_client import Api, bearer
from tests.harness import DATABASES, Servers, Stack
from tests.review.routes import isolated

# Results published on Thursday 31 December 2026, five working days of publicity.
PUBLISHED_AT = datetime(2026, 12, 31, 10, tzinfo=CHINA_TZ)
UNTIL_6_JANUARY = datetime(2027, 1, 7, tzinfo=CHINA_TZ)  # 1 January counted as a working day
UNTIL_7_JANUARY = datetime(2027, 1, 8, tzinfo=CHINA_TZ)  # 1 January a holiday


def published(year: int, holidays: list[str], version: int = 1) -> Any:
    """application-service's HolidayCalendarPublished as it publishes it, on the year's stream."""
    payload = {"year": year, "holidays": holidays, "working_weekends": []}
    return envelope(
        "application-service", "HolidayCalendarPublished", payload, stream_id=f"calendar-{year}", version=version
    )


@asynccontextmanager
async def review_service(settings: ReviewSettings) -> AsyncIterator[ServiceRuntime[ReviewContext]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: ServiceRuntime[ReviewContext] = app.state.runtime
        yield runtime


async def fresh_database(servers: Servers) -> str:
    name = f"zc_rev_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    return str(servers.postgres.url(name))


async def test_nat3_end_follows_the_published_2027_calendar(servers: Servers) -> None:
    """NAT-3 from 31 December 2026: 1 January 2027 is a working day while 2027 is unknown; once the
    city office published it as a holiday, the fifth working day is 7 January."""
    async with review_service(isolated(await fresh_database(servers))) as runtime:
        ctx = runtime.context
        assert not ctx.calendar.knows(2027)
        assert publicity_ends_at(ctx.calendar, PUBLISHED_AT, 5) == UNTIL_6_JANUARY
        assert await runtime.consumers[CONSUMER].apply(published(2027, ["2027-01-01"]))
        assert ctx.calendar.knows(2027)
        assert publicity_ends_at(ctx.calendar, PUBLISHED_AT, 5) == UNTIL_7_JANUARY


async def tallied_session(ctx: ReviewContext) -> str:
    """A session whose votes were counted (one candidate passed), ready to publish its results."""
    session_id = str(uuid.uuid4())
    opened = CommitteeSessionOpened(
        session_id=session_id,
        committee_id=str(uuid.uuid4()),
        year=2026,
        series="卫生系列",
        level="intermediate",
        application_ids=["a-1"],
        expert_ids=["e-1", "e-2", "e-3"],
        workflow_id=f"session-{session_id}",
    )
    tallied = VotesTallied(
        session_id=session_id,
        committee_size=3,
        present=3,
        quorum_met=True,
        results=[CandidateResult(application_id="a-1", yes=3, no=0, abstain=0, passed=True)],
    )
    async with ctx.db.transaction() as conn:
        await ctx.store.append(conn, SESSION, session_id, 0, [opened, tallied], Metadata(actor="test"))
    return session_id


async def test_the_publicity_end_review_service_publishes_follows_the_published_calendar_nat3(
    servers: Servers,
) -> None:
    """NAT-3 as the session workflow receives it: results published on 31 December 2026 stay public
    until 24:00 of 6 January while 2027 is unknown (and the answer says Monday–Friday was assumed),
    until 24:00 of 7 January once 1 January 2027 is published as a holiday."""
    settings = isolated(await fresh_database(servers)).model_copy(update={"fake_now": PUBLISHED_AT})
    async with review_service(settings) as runtime:
        ctx = runtime.context
        before = await outcomes.publish(
            ctx, await tallied_session(ctx), "test", publicity_seconds=None, publicity_working_days=5
        )
        assert before.publicity_ends_at == UNTIL_6_JANUARY and before.calendar_known is False
        assert before.calendar_note is not None and "2027年的节假日安排尚未发布" in before.calendar_note
        assert await runtime.consumers[CONSUMER].apply(published(2027, ["2027-01-01"]))
        after = await outcomes.publish(
            ctx, await tallied_session(ctx), "test", publicity_seconds=None, publicity_working_days=5
        )
        assert after.publicity_ends_at == UNTIL_7_JANUARY
        assert after.calendar_known is True and after.calendar_note is None


async def test_a_republished_year_wins_and_a_late_old_one_changes_nothing_nat3(servers: Servers) -> None:
    async with review_service(isolated(await fresh_database(servers))) as runtime:
        consumer, ctx = runtime.consumers[CONSUMER], runtime.context
        first, correction = published(2027, ["2027-01-01"], 1), published(2027, [], 2)
        assert await consumer.apply(first) and await consumer.apply(correction)
        assert publicity_ends_at(ctx.calendar, PUBLISHED_AT, 5) == UNTIL_6_JANUARY
        # The first publication delivered again (a new envelope of the old version): the correction stays.
        late = published(2027, ["2027-01-01"], 1)
        await consumer.apply(late)
        assert publicity_ends_at(ctx.calendar, PUBLISHED_AT, 5) == UNTIL_6_JANUARY


async def test_a_restarted_review_service_still_knows_the_published_year_nat3(servers: Servers) -> None:
    settings = isolated(await fresh_database(servers))
    async with review_service(settings) as runtime:
        assert await runtime.consumers[CONSUMER].apply(published(2027, ["2027-01-01"]))
    async with review_service(settings) as restarted:
        assert restarted.context.calendar.knows(2027)
        assert publicity_ends_at(restarted.context.calendar, PUBLISHED_AT, 5) == UNTIL_7_JANUARY


# -- through Kafka and the feed, with the services running --------------------------------------------------


@pytest.fixture
def stack_environment(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment the stack gives review-service (broker, peers, Temporal, its client secret)."""
    for name, value in stack.env("review-service").items():
        if name.startswith("ZC_"):
            monkeypatch.setenv(name, value)


async def _recorded_by_review_service(servers: Servers, year: int) -> bool:
    engine = create_async_engine(servers.postgres.url(DATABASES["review-service"]))
    try:
        async with engine.connect() as conn:
            query = select(holiday_years.c.year).where(holiday_years.c.year == year)
            return (await conn.execute(query)).first() is not None
    finally:
        await engine.dispose()


async def _eventually(condition: Callable[[], Awaitable[bool]]) -> bool:
    """Within 30 seconds (Kafka; a replica that did not consume the event rereads the table on its quiet
    heartbeat, a second here)."""
    deadline = time.monotonic() + 30
    while not await condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def test_a_calendar_published_in_application_service_reaches_every_review_service_replica_nat3(
    stack: Stack, servers: Servers, stack_environment: None
) -> None:
    """The city office publishes 2027 over HTTP in application-service; review-service receives it
    over Kafka, and a second review-service process on the same database (a replica: one of the two
    consumes the event) counts NAT-3 with it too."""
    async with review_service(ReviewSettings(quiet_heartbeat_seconds=1)) as replica:
        api = Api(stack)
        r = await asyncio.to_thread(
            api.http.put,
            api.url("application-service", "/api/v1/calendar/years/2027"),
            json={"holidays": ["2027-01-01"]},
            headers=bearer(await asyncio.to_thread(api.operator_token)),
        )
        assert r.status_code == 200, r.text
        assert await _eventually(lambda: _recorded_by_review_service(servers, 2027))

        async def replica_knows() -> bool:
            return bool(replica.context.calendar.knows(2027))

        assert await _eventually(replica_knows)
        assert publicity_ends_at(replica.context.calendar, PUBLISHED_AT, 5) == UNTIL_7_JANUARY
