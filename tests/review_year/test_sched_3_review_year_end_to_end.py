"""SCHED-3 end to end on the real Temporal server: review-service (in this process, the system clock, the
year's deadline compressed to seconds from now) requests `review-year-{year}` through its start outbox and
its background starter starts it; the worker runs ReviewYearWorkflow with its real activities, which reach
the service's internal endpoints (through the in-process transport, with a service token). The workflow
warns, marks the two unvoted sessions overdue at the deadline (ZcStatus "overdue"), waits while the city
office extends one (voted within the extension) and carries the other over — woken by the service's
signals, its hourly recheck never due here — then reports and closes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from review_service.adapters.tables import workflow_starts
from review_service.service_layer import outcomes
from sqlalchemy import select
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer, Worker
from zhicheng_kernel.calendar import china_today
from zhicheng_workflows.committee_session.workflows import CommitteeSessionWorkflow
from zhicheng_workflows.review_year.activities import ReviewYearActivities
from zhicheng_workflows.review_year.models import ReviewYearStatus
from zhicheng_workflows.review_year.workflows import ReviewYearWorkflow

from tests.harness import Servers
from tests.review_year.year_service import CITY, COUNTY, EXPERTS, YearService, year_service

ZC_STATUS = SearchAttributeKey.for_keyword("ZcStatus")
ZC_OFFICE = SearchAttributeKey.for_keyword("ZcOffice")
ZC_YEAR = SearchAttributeKey.for_int("ZcYear")


class InProcessYearActivities(ReviewYearActivities):
    """The real activities, their HTTP calls sent to the in-process review-service."""

    def __init__(self, review: YearService) -> None:
        super().__init__("http://review-service", None)  # type: ignore[arg-type]
        self.review = review

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.review.http.request(method, path, json=body, headers=self.review.service())
        if response.status_code < 300:
            return response.json()
        raise ApplicationError(
            f"{method} {path} → {response.status_code}: {response.text[:300]}",
            non_retryable=response.status_code in {400, 403, 404, 422},
        )


@asynccontextmanager
async def worker_for(client: Client, review: YearService) -> AsyncIterator[Worker]:
    worker = Worker(
        client,
        task_queue=review.ctx.settings.workflow_task_queue,
        workflows=[ReviewYearWorkflow, CommitteeSessionWorkflow],  # the sessions' own wait for a vote
        activities=InProcessYearActivities(review).all(),
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    async with worker:
        yield worker


async def status(handle: WorkflowHandle[Any, Any]) -> ReviewYearStatus:
    current: ReviewYearStatus = await handle.query("status", result_type=ReviewYearStatus)
    return current


async def wait_stage(handle: WorkflowHandle[Any, Any], stage: str, seconds: float = 60) -> ReviewYearStatus:
    async with asyncio.timeout(seconds):
        while True:
            try:
                current = await status(handle)
                if current.stage == stage:
                    return current
            except Exception:  # not started yet: the outbox starts it within a moment
                pass
            await asyncio.sleep(0.2)


@pytest.mark.timeout(180)
async def test_sched_3_the_review_year_runs_from_warnings_to_its_report(servers: Servers, client: Client) -> None:
    deadline = datetime.now(UTC) + timedelta(seconds=25)
    # A year of its own: review-service requests `review-year-{current year}` when it starts, and a stack
    # test's review-service on the same Temporal server would already hold that id (on another queue).
    year = china_today(datetime.now(UTC)).year + 7
    async with (
        year_service(
            servers,
            temporal_address=servers.temporal.address,
            workflow_task_queue=f"test-review-year-{uuid.uuid4().hex[:8]}",
            workflow_start_retry_seconds=0.3,
            review_year_deadline_override=deadline,
            review_year_warning_seconds="15,8",
            review_year_recheck_seconds=3600,  # only the service's signals wake it within this test
        ) as review,
        worker_for(client, review),
    ):
        voted_committee = await review.committee("intermediate")
        senior_committee = await review.committee("senior", organizer=COUNTY)
        engineering_committee = await review.committee("intermediate", series="工程系列")
        voted_candidate = await review.candidate(year)
        voted = await review.session_attended(voted_committee, year)
        senior_candidate = await review.candidate(year, level="senior")
        senior = await review.session_attended(senior_committee, year, organizer=COUNTY)
        await review.candidate(year, series="工程系列")
        engineering = await review.session_attended(engineering_committee, year)
        for expert_id in EXPERTS:
            assert (await review.ballot(voted, expert_id, {voted_candidate: "yes"})).status_code == 201
        await outcomes.tally(review.ctx, voted, "test")

        handle = client.get_workflow_handle(f"review-year-{year}")
        overdue = await wait_stage(handle, "overdue")
        assert overdue.overdue_session_ids == sorted([senior, engineering])
        assert overdue.warnings and overdue.warnings[-1].remaining_seconds == 8
        assert overdue.warnings[-1].session_ids == sorted([senior, engineering])
        warnings = [e.payload for e in await review.events(str(year))]
        assert warnings[-1]["office_org_ids"] == sorted([CITY, COUNTY])
        attributes = (await handle.describe()).typed_search_attributes
        assert (attributes.get(ZC_STATUS), attributes.get(ZC_OFFICE), attributes.get(ZC_YEAR)) == (
            "overdue",
            CITY,
            year,
        )

        # The sessions' own workflows show it too (item 5: "an event and a search attribute").
        senior_workflow = client.get_workflow_handle(f"committee-session-{senior}")
        async with asyncio.timeout(20):
            while (await senior_workflow.describe()).typed_search_attributes.get(ZC_STATUS) != "overdue":
                await asyncio.sleep(0.2)

        until = datetime.now(UTC) + timedelta(seconds=60)
        body = {"until": until.isoformat(), "reason": "专家集中时间冲突"}
        granted = await review.http.post(
            f"/api/v1/sessions/{senior}/extension", json=body, headers=review.city_office()
        )
        assert granted.status_code == 200, granted.text
        async with asyncio.timeout(20):
            while (await senior_workflow.describe()).typed_search_attributes.get(ZC_STATUS) == "overdue":
                await asyncio.sleep(0.2)
        for expert_id in EXPERTS:
            assert (await review.ballot(senior, expert_id, {senior_candidate: "yes"})).status_code == 201
        await outcomes.tally(review.ctx, senior, "test")
        assert (await status(handle)).stage == "overdue"  # the other session still waits for the city office
        body = {"reason": "年内无法组织评审，结转下一年度"}
        carried = await review.http.post(
            f"/api/v1/sessions/{engineering}/carry-over", json=body, headers=review.city_office()
        )
        assert carried.status_code == 200, carried.text

        async with asyncio.timeout(30):
            result = ReviewYearStatus.model_validate(await handle.result())
        assert result.stage == "closed" and result.pending_session_ids == []
        assert result.report is not None
        totals = result.report.totals
        assert (totals["sessions_voted"], totals["sessions_overdue"]) == (2, 2)
        assert (totals["sessions_extended"], totals["sessions_carried_over"], totals["candidates_carried_over"]) == (
            1,
            1,
            1,
        )
        assert (await handle.describe()).typed_search_attributes.get(ZC_STATUS) == "closed"
        async with review.ctx.db.read() as conn:
            started = (
                await conn.execute(select(workflow_starts.c.started).where(workflow_starts.c.workflow_id == handle.id))
            ).scalar_one()
        assert started
        # The carried-over session's own workflow, which waited for a vote, was cancelled.
        engineering_workflow = client.get_workflow_handle(f"committee-session-{engineering}")
        async with asyncio.timeout(20):
            while (described := await engineering_workflow.describe()).status == WorkflowExecutionStatus.RUNNING:
                await asyncio.sleep(0.2)
        assert described.status == WorkflowExecutionStatus.CANCELED

    replayer = Replayer(workflows=[ReviewYearWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())
