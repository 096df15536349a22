"""CommitteeSessionWorkflow on the real Temporal server, its activities replaced under their real
names by an in-memory review desk (the samples-python way): the order of steps, NAT-3 publicity
before any document, and POL-PB-1 holding and split issuance."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, Worker
from zhicheng_workflows.committee_session.models import (
    IssuedDocument,
    IssueResult,
    Publicity,
    PublishRequest,
    SessionRef,
    SessionStatus,
    TallyResult,
)
from zhicheng_workflows.committee_session.workflows import CommitteeSessionWorkflow

from tests.harness import Servers

pytestmark = pytest.mark.stack


@dataclass
class ReviewDesk:
    """Stands in for review-service's internal endpoints: records what the workflow asked, when."""

    passed: list[str]
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    publicity_ends_at: datetime | None = None
    open_complaints: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    issued: dict[str, str] = field(default_factory=dict)

    def activities(self) -> list[object]:
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
        async def held_candidates(ref: SessionRef) -> list[str]:
            self.calls.append(("held", datetime.now(UTC)))
            return sorted(self.open_complaints)

        @activity.defn(name="issue_documents")
        async def issue_documents(ref: SessionRef) -> IssueResult:
            self.calls.append(("issue", datetime.now(UTC)))
            for application_id in self.passed:
                if application_id not in self.open_complaints | self.refused:
                    self.issued.setdefault(application_id, f"平人社职称〔2026〕{len(self.issued) + 1:05d}号")
            return IssueResult(
                issued=[IssuedDocument(application_id=a, number=n) for a, n in self.issued.items()],
                held=sorted(self.open_complaints),
                refused=sorted(self.refused),
            )

        @activity.defn(name="close_session")
        async def close_session(ref: SessionRef) -> None:
            self.calls.append(("close", datetime.now(UTC)))

        return [tally_votes, publish_results, held_candidates, issue_documents, close_session]

    def first(self, step: str) -> datetime:
        return next(t for s, t in self.calls if s == step)


@pytest.fixture
async def client(servers: Servers) -> AsyncIterator[Client]:
    yield await Client.connect(servers.temporal.address, data_converter=pydantic_data_converter)


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
        {"session_id": session_id, "year": 2026, "series": "工程", "search_attributes": True, **params},
        id=f"committee-session-{session_id}",
        task_queue=task_queue,
    )
    return worker, handle


async def status(handle: WorkflowHandle[object, object]) -> SessionStatus:
    return await handle.query("status", result_type=SessionStatus)


async def wait_stage(handle: WorkflowHandle[object, object], stage: str, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while (await status(handle)).stage != stage:
            await asyncio.sleep(0.1)


async def test_session_waits_for_voting_closed_then_tallies_publishes_and_issues_after_publicity_nat3(
    client: Client,
) -> None:
    desk = ReviewDesk(passed=["a1", "a2"])
    worker, handle = await start(client, desk, publicity_seconds=2)
    async with worker:
        await asyncio.sleep(0.5)
        assert desk.calls == []  # nothing happens before the secretary closes the vote
        await handle.signal("voting_closed")
        result = SessionStatus.model_validate(await handle.result())
    assert [s for s, _ in desk.calls] == ["tally", "publish", "held", "issue", "close"]
    assert desk.publicity_ends_at is not None
    assert desk.first("issue") >= desk.publicity_ends_at  # NAT-3: no document before publicity ends
    assert result.stage == "closed" and set(result.issued) == {"a1", "a2"}
    described = await handle.describe()
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("ZcStatus")) == "closed"


async def test_session_workflow_history_replays_deterministically(client: Client) -> None:
    desk = ReviewDesk(passed=["a1"])
    worker, handle = await start(client, desk, publicity_seconds=1, complaint_investigation_seconds=1)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.open_complaints.add("a1")
        await wait_stage(handle, "held")
        desk.open_complaints.clear()
        await handle.signal(
            "complaint_resolved", {"complaint_id": "k", "application_id": "a1", "outcome": "no_problem"}
        )
        await handle.result()
    replayer = Replayer(workflows=[CommitteeSessionWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())


async def test_open_complaint_holds_everyone_until_investigation_limit_then_others_first_pol_pb1(
    client: Client,
) -> None:
    desk = ReviewDesk(passed=["a1", "a2"])
    worker, handle = await start(client, desk, publicity_seconds=1, complaint_investigation_seconds=2)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.open_complaints.add("a2")
        await handle.signal("complaint_filed", {"complaint_id": "k1", "application_id": "a2"})
        await wait_stage(handle, "investigating")
        assert desk.issued == {}  # within the investigation period nobody is issued yet
        await wait_stage(handle, "held")
        assert list(desk.issued) == ["a1"]  # the others first, after the investigation period
        investigation_ended = desk.first("issue") - desk.publicity_ends_at  # type: ignore[operator]
        assert investigation_ended >= timedelta(seconds=2)
        desk.open_complaints.clear()
        await handle.signal(
            "complaint_resolved", {"complaint_id": "k1", "application_id": "a2", "outcome": "no_problem"}
        )
        result = SessionStatus.model_validate(await handle.result())
    assert result.issued == {"a1": "平人社职称〔2026〕00001号", "a2": "平人社职称〔2026〕00002号"}
    assert [s for s, _ in desk.calls][-1] == "close"


async def test_complaint_settled_within_investigation_period_issues_everyone_together_pol_pb1(
    client: Client,
) -> None:
    desk = ReviewDesk(passed=["a1", "a2"])
    worker, handle = await start(client, desk, publicity_seconds=1, complaint_investigation_seconds=60)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.open_complaints.add("a2")
        await wait_stage(handle, "investigating")
        desk.open_complaints.clear()
        desk.refused.add("a2")  # upheld: a2 gets no document
        await handle.signal("complaint_resolved", {"complaint_id": "k1", "application_id": "a2", "outcome": "upheld"})
        result = SessionStatus.model_validate(await handle.result(), strict=False)
    assert result.issued == {"a1": "平人社职称〔2026〕00001号"}
    assert result.refused == ["a2"]
    assert [s for s, _ in desk.calls].count("issue") == 1
