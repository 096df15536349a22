"""ProvincialFilingWorkflow on the real Temporal server, its activities replaced under their real names
by an in-memory filing desk (POL-FI-1): delivery, waiting for verdicts woken by a signal or a recheck,
escalations once per reason, the `status` query, and a deterministic replay."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from zhicheng_workflows.filing.models import FilingProgress
from zhicheng_workflows.filing.workflows import ProvincialFilingWorkflow

from tests.filing.filing_desk import FilingDesk, start, wait_until

pytestmark = pytest.mark.stack


async def test_pol_fi_1_delivers_then_waits_and_a_signal_wakes_it_for_each_verdict(client: Client) -> None:
    desk = FilingDesk(application_ids=["a1", "a2"])
    worker, handle = await start(client, desk)
    async with worker:
        waiting = await wait_until(handle, lambda s: s.stage == "waiting_for_province")
        assert waiting.delivered_at is not None and waiting.pending_application_ids == ["a1", "a2"]
        desk.verdicts["a1"] = "approved"
        await handle.signal("verdict_recorded", "a1")
        await wait_until(handle, lambda s: s.pending_application_ids == ["a2"])
        desk.verdicts["a2"] = "returned"
        await handle.signal("verdict_recorded", "a2")
        result = FilingProgress.model_validate(await handle.result())
    assert result.stage == "done" and result.approved_application_ids == ["a1"]
    assert result.returned_application_ids == ["a2"] and result.escalations == []
    assert desk.deliveries == 1
    assert desk.asked == [False, False, False]  # woken by signals: the callbacks are arriving, no need to ask


async def test_pol_fi_1_a_lost_signal_only_delays_the_recheck_reads_the_service(client: Client) -> None:
    desk = FilingDesk(application_ids=["a1"])
    worker, handle = await start(client, desk, recheck_seconds=1)
    async with worker:
        await wait_until(handle, lambda s: s.stage == "waiting_for_province")
        desk.verdicts["a1"] = "approved"  # no signal
        result = FilingProgress.model_validate(await handle.result())
    assert result.stage == "done" and result.approved_application_ids == ["a1"]
    assert desk.asked[0] is False and desk.asked[-1] is True  # a recheck no signal preceded asks the province


async def test_pol_fi_1_a_verdict_signalled_while_the_service_is_read_wakes_another_read(client: Client) -> None:
    """The chaos run's lost wake-up: the second verdict lands (and signals) while the workflow reads the
    state that still lists it pending; the workflow must read again, not sleep the recheck period."""
    desk = FilingDesk(application_ids=["a1"])
    worker, handle = await start(client, desk, recheck_seconds=3600, verdict_deadline_seconds=7200)

    async def verdict_meanwhile() -> None:
        desk.verdicts["a1"] = "approved"
        await handle.signal("verdict_recorded", "a1")

    desk.while_reading = verdict_meanwhile
    async with worker:
        result = FilingProgress.model_validate(await asyncio.wait_for(handle.result(), 20))
    assert result.stage == "done" and result.approved_application_ids == ["a1"]
    assert desk.asked == [False, False]  # the signal, not a recheck, brought the second read


async def test_pol_fi_1_failing_delivery_escalates_once_and_goes_on_then_overdue_verdicts_escalate_once(
    client: Client,
) -> None:
    desk = FilingDesk(application_ids=["a1"], failing=True)
    worker, handle = await start(
        client, desk, escalate_delivery_after_seconds=2, verdict_deadline_seconds=2, recheck_seconds=1
    )
    async with worker:
        escalated = await wait_until(handle, lambda s: s.escalations == ["delivery_failing"])
        assert escalated.stage == "escalated" and escalated.delivered_at is None
        desk.failing = False
        await wait_until(handle, lambda s: s.delivered_at is not None)
        overdue = await wait_until(handle, lambda s: "verdict_overdue" in s.escalations)
        assert overdue.stage == "escalated" and overdue.pending_application_ids == ["a1"]
        desk.verdicts["a1"] = "approved"
        await handle.signal("verdict_recorded", "a1")
        result = FilingProgress.model_validate(await handle.result())
    assert result.escalations == ["delivery_failing", "verdict_overdue"]  # once per reason
    assert desk.escalations == ["delivery_failing", "verdict_overdue"]
    assert result.stage == "done" and desk.deliveries >= 2


async def test_filing_workflow_history_replays_deterministically(client: Client) -> None:
    desk = FilingDesk(application_ids=["a1", "a2"], failing=True)
    worker, handle = await start(
        client, desk, escalate_delivery_after_seconds=1, verdict_deadline_seconds=1, recheck_seconds=1
    )
    async with worker:
        await wait_until(handle, lambda s: s.escalations == ["delivery_failing"])
        desk.failing = False
        await wait_until(handle, lambda s: "verdict_overdue" in s.escalations)
        desk.verdicts.update({"a1": "approved", "a2": "returned"})
        await handle.signal("verdict_recorded", "a1")
        await handle.result()
    replayer = Replayer(workflows=[ProvincialFilingWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())
