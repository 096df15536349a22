"""An in-memory filing desk standing in for application-service's internal filing endpoints: the
workflow's activities replaced under their real names, and helpers to drive it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker
from zhicheng_workflows.filing.models import (
    Delivery,
    EscalationRequest,
    FilingInput,
    FilingProgress,
    FilingRef,
    FilingState,
    StateRequest,
)
from zhicheng_workflows.filing.workflows import ProvincialFilingWorkflow


@dataclass
class FilingDesk:
    """Stands in for application-service: delivery fails while `failing`, verdicts are set by the test."""

    application_ids: list[str]
    failing: bool = False
    deliveries: int = 0
    delivered: bool = False
    verdicts: dict[str, str] = field(default_factory=dict)
    escalations: list[str] = field(default_factory=list)
    asked: list[bool] = field(default_factory=list)  # ask_province of each filing_state call
    # Runs once, after a read has taken its answer and before it returns: what happens meanwhile.
    while_reading: Callable[[], Awaitable[None]] | None = None

    def state(self) -> FilingState:
        return FilingState(
            pending_application_ids=[a for a in self.application_ids if a not in self.verdicts],
            approved_application_ids=[a for a, v in self.verdicts.items() if v == "approved"],
            returned_application_ids=[a for a, v in self.verdicts.items() if v == "returned"],
            escalations=list(self.escalations),
        )

    def activities(self) -> list[object]:
        @activity.defn(name="deliver_filing")
        async def deliver_filing(ref: FilingRef) -> Delivery:
            self.deliveries += 1
            if self.failing:
                raise ApplicationError("province unreachable", type="HTTP503")
            self.delivered = True
            return Delivery(received_at=datetime.now(UTC), duplicate=self.deliveries > 1)

        @activity.defn(name="filing_state")
        async def filing_state(request: StateRequest) -> FilingState:
            self.asked.append(request.ask_province)
            state = self.state()
            if self.while_reading is not None:
                meanwhile, self.while_reading = self.while_reading, None
                await meanwhile()
            return state

        @activity.defn(name="escalate_filing")
        async def escalate_filing(request: EscalationRequest) -> FilingState:
            if request.reason not in self.escalations:
                self.escalations.append(request.reason)
            return self.state()

        return [deliver_filing, filing_state, escalate_filing]


async def start(
    client: Client, desk: FilingDesk, **durations: Any
) -> tuple[Worker, WorkflowHandle[Any, FilingProgress]]:
    queue = f"filing-{uuid.uuid4()}"
    worker = Worker(client, task_queue=queue, workflows=[ProvincialFilingWorkflow], activities=desk.activities())
    push_id = str(uuid.uuid4())
    params = FilingInput(
        push_id=push_id,
        year=2026,
        series="卫生系列",
        level="intermediate",
        office_org_id="county",
        search_attributes=False,
        **{"escalate_delivery_after_seconds": 60, "verdict_deadline_seconds": 60, "recheck_seconds": 60, **durations},
    )
    handle = await client.start_workflow(
        ProvincialFilingWorkflow.run, params, id=f"filing-2026-卫生系列-{push_id}", task_queue=queue
    )
    return worker, handle


async def wait_until(handle: WorkflowHandle[Any, FilingProgress], check: Any, within: float = 20) -> FilingProgress:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        status = FilingProgress.model_validate(await handle.query("status"))
        if check(status):
            return status
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"workflow stayed at {status}")
        await asyncio.sleep(0.1)
