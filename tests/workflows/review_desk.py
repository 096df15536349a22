"""An in-memory review desk standing in for review-service's internal endpoints: the workflow's
activities replaced under their real names (the samples-python way), and helpers to drive it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker
from zhicheng_workflows.committee_session.models import (
    HeldCandidates,
    IssuedDocument,
    IssueResult,
    PanelsStatus,
    Publicity,
    PublishRequest,
    SessionRef,
    SessionStatus,
    TallyResult,
)
from zhicheng_workflows.committee_session.workflows import CommitteeSessionWorkflow


@dataclass
class ReviewDesk:
    """Stands in for review-service's internal endpoints: records what the workflow asked, when."""

    passed: list[str]
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    publicity_ends_at: datetime | None = None
    open_complaints: set[str] = field(default_factory=set)
    investigation_ends_at: datetime | None = None
    refused: set[str] = field(default_factory=set)
    issued: dict[str, str] = field(default_factory=dict)
    # NAT-9 / POL-VD-1: whether the panels are done (defenses recorded, opinions given).
    panels_complete: bool = True
    # Runs once, after issue_documents has taken its answer and before it returns: what happens meanwhile.
    while_issuing: Callable[[], Awaitable[None]] | None = None
    # At most this many documents a call, as review-service issues a large session (None: all at once).
    batch: int | None = None

    def activities(self) -> list[object]:
        @activity.defn(name="panels_status")
        async def panels_status(ref: SessionRef) -> PanelsStatus:
            self.calls.append(("panels", datetime.now(UTC)))
            return PanelsStatus(complete=self.panels_complete, pending_opinions=[] if self.panels_complete else ["a1"])

        @activity.defn(name="tally_votes")
        async def tally_votes(ref: SessionRef) -> TallyResult:
            self.calls.append(("tally", datetime.now(UTC)))
            return TallyResult(quorum_met=True, passed_application_ids=self.passed)

        @activity.defn(name="publish_results")
        async def publish_results(request: PublishRequest) -> Publicity:
            self.calls.append(("publish", datetime.now(UTC)))
            now = datetime.now(UTC)
            assert request.publicity_seconds is not None
            self.publicity_ends_at = now + timedelta(seconds=request.publicity_seconds)
            return Publicity(
                publicity_starts_at=now, publicity_ends_at=self.publicity_ends_at, passed_application_ids=self.passed
            )

        @activity.defn(name="held_candidates")
        async def held_candidates(ref: SessionRef) -> HeldCandidates:
            self.calls.append(("held", datetime.now(UTC)))
            ends_at = self.investigation_ends_at if self.open_complaints else None
            return HeldCandidates(application_ids=sorted(self.open_complaints), investigation_ends_at=ends_at)

        @activity.defn(name="issue_documents")
        async def issue_documents(ref: SessionRef) -> IssueResult:
            self.calls.append(("issue", datetime.now(UTC)))
            missing = [a for a in self.passed if a not in self.open_complaints | self.refused and a not in self.issued]
            for application_id in missing[: self.batch]:
                self.issued[application_id] = f"平人社职称〔2026〕{len(self.issued) + 1:05d}号"
            result = IssueResult(
                issued=[IssuedDocument(application_id=a, number=n) for a, n in self.issued.items()],
                held=sorted(self.open_complaints),
                refused=sorted(self.refused),
                remaining=len(missing[self.batch :]) if self.batch is not None else 0,
            )
            if self.while_issuing is not None:
                meanwhile, self.while_issuing = self.while_issuing, None
                await meanwhile()
            return result

        @activity.defn(name="close_session")
        async def close_session(ref: SessionRef) -> None:
            self.calls.append(("close", datetime.now(UTC)))

        return [panels_status, tally_votes, publish_results, held_candidates, issue_documents, close_session]

    def complain(self, application_id: str, investigation_seconds: float) -> None:
        """A complaint filed now, as review-service records it: with the end of its investigation
        period (POL-PB-1), compressed to seconds as outside production."""
        self.open_complaints.add(application_id)
        ends_at = datetime.now(UTC) + timedelta(seconds=investigation_seconds)
        self.investigation_ends_at = min(filter(None, [self.investigation_ends_at, ends_at]))

    def first(self, step: str) -> datetime:
        return next(t for s, t in self.calls if s == step)


async def start(client: Client, desk: ReviewDesk, **params: object) -> tuple[Worker, WorkflowHandle[object, object]]:
    task_queue = f"test-review-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[CommitteeSessionWorkflow],
        activities=desk.activities(),  # type: ignore[arg-type]
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    session_id = str(uuid.uuid4())
    handle = await client.start_workflow(
        "CommitteeSessionWorkflow",
        {
            "session_id": session_id,
            "year": 2026,
            "series": "工程",
            "publicity_working_days": 5,
            "search_attributes": True,
            **params,
        },
        id=f"committee-session-{session_id}",
        task_queue=task_queue,
    )
    return worker, handle


async def status(handle: WorkflowHandle[object, object]) -> SessionStatus:
    current: SessionStatus = await handle.query("status", result_type=SessionStatus)
    return current


async def wait_stage(handle: WorkflowHandle[object, object], stage: str, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while (await status(handle)).stage != stage:
            await asyncio.sleep(0.1)
