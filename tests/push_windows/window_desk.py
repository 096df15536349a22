"""An in-memory window desk standing in for application-service's internal push-window endpoints: the
workflow's activities replaced under their real names, and helpers to drive it."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker
from zhicheng_workflows.push_window.models import (
    CloseResult,
    PushWindowStatus,
    ReminderRequest,
    ReminderResult,
    WindowRef,
    WindowState,
)
from zhicheng_workflows.push_window.workflows import PushWindowWorkflow


@dataclass
class WindowDesk:
    """Stands in for application-service: the window as published, and what the workflow asked, when."""

    closes_at: datetime
    in_schedule: bool = True
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    reminded: list[tuple[int, datetime]] = field(default_factory=list)
    closed_at: datetime | None = None
    # Seconds a read takes after it took its snapshot (a signal may arrive meanwhile).
    read_delay: float = 0.0

    def activities(self) -> list[object]:
        @activity.defn(name="read_push_window")
        async def read_push_window(ref: WindowRef) -> WindowState:
            self.calls.append(("read", datetime.now(UTC)))
            issued = [o for o, closes_at in self.reminded if closes_at == self.closes_at]
            state = WindowState(
                year=ref.year,
                series=ref.series,
                push_month=12,
                closes_at=self.closes_at,
                in_schedule=self.in_schedule,
                closed=self.closed_at is not None,
                reminders_issued=issued,
            )
            await asyncio.sleep(self.read_delay)
            return state

        @activity.defn(name="issue_push_window_reminder")
        async def issue_push_window_reminder(request: ReminderRequest) -> ReminderResult:
            now = datetime.now(UTC)
            self.calls.append(("remind", now))
            self.reminded.append((request.remaining_seconds, self.closes_at))
            return ReminderResult(
                remaining_seconds=request.remaining_seconds, issued=True, holder_org_ids=["dept"], unfinished_count=1
            )

        @activity.defn(name="close_push_window")
        async def close_push_window(ref: WindowRef) -> CloseResult:
            now = datetime.now(UTC)
            self.calls.append(("close", now))
            if now < self.closes_at:
                raise RuntimeError("still open")  # as the service's 409: retried
            self.closed_at = self.closed_at or now
            return CloseResult(pushed_count=2, left_behind_count=1, left_behind_by_org={"dept": 1})

        return [read_push_window, issue_push_window_reminder, close_push_window]

    def steps(self) -> list[str]:
        return [s for s, _ in self.calls if s != "read"]


async def start(
    client: Client, desk: WindowDesk, offsets: list[int], recheck_seconds: int = 3600
) -> tuple[Worker, WorkflowHandle[object, object]]:
    task_queue = f"test-push-window-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[PushWindowWorkflow],
        activities=desk.activities(),  # type: ignore[arg-type]
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    series = f"测试系列{uuid.uuid4().hex[:6]}"
    handle = await client.start_workflow(
        "PushWindowWorkflow",
        {
            "year": 2026,
            "series": series,
            "closes_at": desk.closes_at.isoformat(),
            "reminder_offsets_seconds": offsets,
            "recheck_seconds": recheck_seconds,
            "search_attributes": True,
        },
        id=f"push-window-2026-{series}",
        task_queue=task_queue,
    )
    return worker, handle


async def status(handle: WorkflowHandle[object, object]) -> PushWindowStatus:
    current: PushWindowStatus = await handle.query("status", result_type=PushWindowStatus)
    return current


async def wait_stage(handle: WorkflowHandle[object, object], stage: str, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while (await status(handle)).stage != stage:
            await asyncio.sleep(0.1)
