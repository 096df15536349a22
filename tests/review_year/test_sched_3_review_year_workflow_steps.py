"""ReviewYearWorkflow (SCHED-3) on the real Temporal server, its activities replaced under their real names
by an in-memory year desk: warnings at each offset before the deadline (of those already due at the
start, only the nearest), overdue
marking at the deadline (ZcStatus "overdue"), waiting for the city office (a signal wakes it, the recheck
timer re-reads without one), then the report ("reporting" → "closed"); and its history replays."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, Worker
from zhicheng_workflows.review_year.models import (
    Overdue,
    Pending,
    ReportSummary,
    ReviewYearStatus,
    Warned,
    WarningRequest,
    YearRef,
)
from zhicheng_workflows.review_year.workflows import ReviewYearWorkflow

ZC_STATUS = SearchAttributeKey.for_keyword("ZcStatus")


@dataclass
class YearDesk:
    """Stands in for review-service's /internal/review-years endpoints: records what was asked, when."""

    overdue: list[str]
    pending: list[str] = field(default_factory=list)
    calls: list[tuple[str, object, datetime]] = field(default_factory=list)

    def activities(self) -> list[object]:
        @activity.defn(name="review_year_warn")
        async def warn(request: WarningRequest) -> Warned:
            self.calls.append(("warn", request.remaining_seconds, datetime.now(UTC)))
            return Warned(remaining_seconds=request.remaining_seconds, session_ids=["s-1"])

        @activity.defn(name="review_year_mark_overdue")
        async def mark_overdue(ref: YearRef) -> Overdue:
            self.calls.append(("overdue", ref.year, datetime.now(UTC)))
            self.pending = list(self.overdue)
            return Overdue(overdue_session_ids=self.overdue, pending_session_ids=self.pending)

        @activity.defn(name="review_year_pending")
        async def pending(ref: YearRef) -> Pending:
            self.calls.append(("pending", ref.year, datetime.now(UTC)))
            return Pending(pending_session_ids=self.pending)

        @activity.defn(name="review_year_report")
        async def report(ref: YearRef) -> ReportSummary:
            self.calls.append(("report", ref.year, datetime.now(UTC)))
            return ReportSummary(totals={"sessions_overdue": len(self.overdue)})

        return [warn, mark_overdue, pending, report]

    def steps(self) -> list[str]:
        return [step for step, _, _ in self.calls]


@asynccontextmanager
async def running(
    client: Client, desk: YearDesk, deadline: datetime, offsets: list[int], recheck_seconds: int
) -> AsyncIterator[WorkflowHandle[object, object]]:
    """A worker polling first, then the workflow started (a cold worker's first poll may take seconds)."""
    task_queue = f"test-review-year-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[ReviewYearWorkflow],
        activities=desk.activities(),  # type: ignore[arg-type]
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    async with worker:
        yield await client.start_workflow(
            "ReviewYearWorkflow",
            {
                "year": 2026,
                "deadline": deadline.isoformat(),
                "warning_offsets_seconds": offsets,
                "recheck_seconds": recheck_seconds,
                "search_attributes": True,
            },
            id=f"review-year-test-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )


async def stage_of(handle: WorkflowHandle[object, object]) -> str:
    status: ReviewYearStatus = await handle.query("status", result_type=ReviewYearStatus)
    return str(status.stage)


async def wait_stage(handle: WorkflowHandle[object, object], stage: str, seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while await stage_of(handle) != stage:
            await asyncio.sleep(0.1)


async def replays(handle: WorkflowHandle[object, object]) -> None:
    replayer = Replayer(workflows=[ReviewYearWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())


async def test_sched_3_warns_at_each_offset_marks_overdue_at_the_deadline_and_waits_for_the_city_office(
    client: Client,
) -> None:
    desk = YearDesk(overdue=["s-1"])
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    # 100 s before the deadline is already past: issued at once (late); then 12 s and 4 s before it (a
    # cold worker may take seconds to its first task).
    async with running(client, desk, deadline, [4, 100, 12], recheck_seconds=3600) as handle:
        await wait_stage(handle, "overdue")
        assert desk.steps() == ["warn", "warn", "warn", "overdue"]
        [(_, late, _), (_, first, at_12), (_, second, at_4), (_, _, at_deadline)] = desk.calls
        assert (late, first, second) == (100, 12, 4)
        assert at_12 >= deadline - timedelta(seconds=12) and at_4 >= deadline - timedelta(seconds=4)
        assert at_deadline >= deadline
        described = await handle.describe()
        assert described.typed_search_attributes.get(ZC_STATUS) == "overdue"
        await asyncio.sleep(0.5)
        assert desk.steps()[-1] == "overdue"  # waiting: nothing re-read without a signal before the recheck

        desk.pending = []  # the city office carried the session over
        await handle.signal("session_changed")
        result = ReviewYearStatus.model_validate(await handle.result())
    assert desk.steps()[-2:] == ["pending", "report"]
    assert result.stage == "closed"
    assert [w.remaining_seconds for w in result.warnings] == [100, 12, 4]
    assert result.overdue_session_ids == ["s-1"] and result.pending_session_ids == []
    assert result.report is not None and result.report.totals == {"sessions_overdue": 1}
    assert (await handle.describe()).typed_search_attributes.get(ZC_STATUS) == "closed"
    await replays(handle)


async def test_sched_3_the_recheck_timer_finds_a_vote_without_a_signal(client: Client) -> None:
    desk = YearDesk(overdue=["s-1", "s-2"])
    async with running(client, desk, datetime.now(UTC) + timedelta(seconds=1), [], recheck_seconds=1) as handle:
        await wait_stage(handle, "overdue")
        desk.pending = ["s-2"]  # s-1 voted after its extension
        await asyncio.sleep(1.5)
        assert await stage_of(handle) == "overdue"
        desk.pending = []  # s-2 carried over; the signal is lost
        result = ReviewYearStatus.model_validate(await handle.result())
    assert result.stage == "closed" and desk.steps().count("pending") >= 2
    await replays(handle)


async def test_sched_3_a_year_with_every_session_voted_goes_straight_to_its_report(client: Client) -> None:
    desk = YearDesk(overdue=[])
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    # Three warnings all due at the start: only the nearest is issued.
    async with running(client, desk, deadline, [30, 20, 10], recheck_seconds=3600) as handle:
        result = ReviewYearStatus.model_validate(await handle.result())
    assert desk.steps() == ["warn", "overdue", "report"]
    assert [w.remaining_seconds for w in result.warnings] == [10]
    assert result.stage == "closed" and result.overdue_session_ids == []
    await replays(handle)


async def test_sched_3_a_new_worker_resumes_the_year_where_the_old_one_stopped(client: Client) -> None:
    """The worker stops while the year waits for the city office; a new one (same task queue, no
    cache) resumes it: nothing issued twice, the signal to the new worker ends the wait."""
    desk = YearDesk(overdue=["s-1"])
    task_queue = f"test-review-year-{uuid.uuid4().hex[:8]}"

    def worker() -> Worker:
        return Worker(
            client,
            task_queue=task_queue,
            workflows=[ReviewYearWorkflow],
            activities=desk.activities(),  # type: ignore[arg-type]
            sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
        )

    deadline = datetime.now(UTC) + timedelta(seconds=8)
    async with worker():
        handle = await client.start_workflow(
            "ReviewYearWorkflow",
            {"year": 2026, "deadline": deadline.isoformat(), "warning_offsets_seconds": [4], "recheck_seconds": 3600},
            id=f"review-year-test-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        await wait_stage(handle, "overdue")
    assert desk.steps() == ["warn", "overdue"]
    desk.pending = []
    await handle.signal("session_changed")  # while no worker runs: kept in the history
    async with worker():
        result = ReviewYearStatus.model_validate(await handle.result())
    assert desk.steps() == ["warn", "overdue", "pending", "report"]  # replayed, not repeated
    assert result.stage == "closed" and [w.remaining_seconds for w in result.warnings] == [4]
    await replays(handle)
