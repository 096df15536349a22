"""CommitteeSessionWorkflow on the real Temporal server, its activities replaced under their real
names by an in-memory review desk: the order of steps, NAT-3 publicity before any document, and
POL-PB-1 holding and split issuance."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from zhicheng_workflows.committee_session.models import SessionStatus
from zhicheng_workflows.committee_session.workflows import CommitteeSessionWorkflow

from tests.workflows.review_desk import ReviewDesk, start, wait_stage

pytestmark = pytest.mark.stack


async def test_session_waits_for_voting_closed_then_tallies_publishes_and_issues_after_publicity_nat3(
    client: Client,
) -> None:
    desk = ReviewDesk(passed=["a1", "a2"])
    worker, handle = await start(client, desk, publicity_seconds=2)
    async with worker:
        await asyncio.sleep(0.5)
        assert [s for s, _ in desk.calls] == ["panels"]  # nothing else before the secretary closes the vote
        await handle.signal("voting_closed")
        result = SessionStatus.model_validate(await handle.result())
    assert [s for s, _ in desk.calls] == ["panels", "tally", "publish", "held", "issue", "close"]
    assert desk.publicity_ends_at is not None
    assert desk.first("issue") >= desk.publicity_ends_at  # NAT-3: no document before publicity ends
    assert result.stage == "closed" and set(result.issued) == {"a1", "a2"}
    described = await handle.describe()
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("ZcStatus")) == "closed"


async def test_a_large_session_is_issued_a_batch_a_call_until_none_remain(client: Client) -> None:
    """review-service issues a session's documents a batch a call (each call within the activity's
    timeout) and answers how many remain; the workflow calls until none do, then closes."""
    desk = ReviewDesk(passed=["a1", "a2", "a3", "a4", "a5"], batch=2)
    worker, handle = await start(client, desk, publicity_seconds=1)
    async with worker:
        await handle.signal("voting_closed")
        result = SessionStatus.model_validate(await handle.result())
    steps = [s for s, _ in desk.calls]
    assert steps[-5:] == ["held", "issue", "issue", "issue", "close"] and steps.count("issue") == 3
    assert result.stage == "closed" and set(result.issued) == {"a1", "a2", "a3", "a4", "a5"}
    replayer = Replayer(workflows=[CommitteeSessionWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())


async def test_session_workflow_history_replays_deterministically(client: Client) -> None:
    desk = ReviewDesk(passed=["a1"])
    worker, handle = await start(client, desk, publicity_seconds=1)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.complain("a1", investigation_seconds=1)
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
    worker, handle = await start(client, desk, publicity_seconds=1)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.complain("a2", investigation_seconds=2)
        await handle.signal("complaint_filed", {"complaint_id": "k1", "application_id": "a2"})
        await wait_stage(handle, "investigating")
        assert desk.issued == {}  # within the investigation period nobody is issued yet
        await wait_stage(handle, "held")
        assert list(desk.issued) == ["a1"]  # the others first, after the investigation period
        assert desk.investigation_ends_at is not None
        assert desk.first("issue") >= desk.investigation_ends_at  # counted from the complaint's filing
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
    worker, handle = await start(client, desk, publicity_seconds=1)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.complain("a2", investigation_seconds=60)
        await wait_stage(handle, "investigating")
        desk.open_complaints.clear()
        desk.refused.add("a2")  # upheld: a2 gets no document
        await handle.signal("complaint_resolved", {"complaint_id": "k1", "application_id": "a2", "outcome": "upheld"})
        result = SessionStatus.model_validate(await handle.result(), strict=False)
    assert result.issued == {"a1": "平人社职称〔2026〕00001号"}
    assert result.refused == ["a2"]
    assert [s for s, _ in desk.calls].count("issue") == 1


async def test_pol_pb_1_a_problem_not_affecting_the_title_is_issued_separately_after_the_others(
    client: Client,
) -> None:
    desk = ReviewDesk(passed=["a1", "a2"])
    worker, handle = await start(client, desk, publicity_seconds=1)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.complain("a2", investigation_seconds=1)
        await wait_stage(handle, "held")
        assert list(desk.issued) == ["a1"]
        desk.open_complaints.clear()
        await handle.signal(
            "complaint_resolved",
            {"complaint_id": "k1", "application_id": "a2", "outcome": "problem_not_affecting"},
        )
        result = SessionStatus.model_validate(await handle.result())
    assert result.issued == {"a1": "平人社职称〔2026〕00001号", "a2": "平人社职称〔2026〕00002号"}
    assert result.refused == []


async def test_pol_pb_1_a_resolution_signalled_while_documents_are_issued_wakes_another_issue(
    client: Client,
) -> None:
    """A complaint resolved (and signalled) while the workflow's issue read still held its candidate:
    the workflow issues again at once instead of sleeping the recheck period (the chaos run's lost wake-up)."""
    desk = ReviewDesk(passed=["a1", "a2"])
    worker, handle = await start(client, desk, publicity_seconds=1, recheck_seconds=3600)
    async with worker:
        await handle.signal("voting_closed")
        await wait_stage(handle, "publicity")
        desk.complain("a2", investigation_seconds=1)
        await wait_stage(handle, "held")

        async def resolved_meanwhile() -> None:
            desk.open_complaints.clear()
            await handle.signal(
                "complaint_resolved",
                {"complaint_id": "k1", "application_id": "a2", "outcome": "problem_not_affecting"},
            )

        desk.while_issuing = resolved_meanwhile
        await handle.signal(
            "complaint_resolved", {"complaint_id": "k0", "application_id": "a9", "outcome": "no_problem"}
        )
        result = SessionStatus.model_validate(await asyncio.wait_for(handle.result(), 20))
    assert result.issued == {"a1": "平人社职称〔2026〕00001号", "a2": "平人社职称〔2026〕00002号"}


async def test_nat_9_pol_vd_1_the_session_waits_in_stage_panels_until_the_panels_completed_signal(
    client: Client,
) -> None:
    """Panels and defenses first: stage "panels" until review-service's panels_completed (re-checked
    through the panels' status), then "voting"; the history replays deterministically."""
    desk = ReviewDesk(passed=["a1"], panels_complete=False)
    worker, handle = await start(client, desk, publicity_seconds=1, recheck_seconds=3600)
    async with worker:
        await wait_stage(handle, "panels")
        await asyncio.sleep(0.5)
        assert [s for s, _ in desk.calls] == ["panels"]
        await handle.signal("panels_completed")  # a signal while the panels are not done: re-checked, still waiting
        await asyncio.sleep(0.5)
        assert (await handle.query("status", result_type=SessionStatus)).stage == "panels"
        desk.panels_complete = True
        await handle.signal("panels_completed")
        await wait_stage(handle, "voting")
        await handle.signal("voting_closed")
        result = SessionStatus.model_validate(await handle.result())
    assert [s for s, _ in desk.calls] == ["panels", "panels", "panels", "tally", "publish", "held", "issue", "close"]
    assert result.stage == "closed"
    replayer = Replayer(workflows=[CommitteeSessionWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())
