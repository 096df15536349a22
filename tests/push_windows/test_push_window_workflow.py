"""PushWindowWorkflow on the real Temporal server, its activities replaced under their real names by an
in-memory window desk: reminders at their instants before the close, the close (SCHED-1), a moved
close followed, a withdrawn series ended, and a history that replays deterministically."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from zhicheng_workflows.push_window.models import PushWindowStatus
from zhicheng_workflows.push_window.workflows import PushWindowWorkflow

from tests.push_windows.window_desk import WindowDesk, start, wait_stage

pytestmark = pytest.mark.stack
ZC_STATUS = SearchAttributeKey.for_keyword("ZcStatus")


async def test_sched_1_reminds_at_each_offset_then_closes_at_the_close(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=9))
    worker, handle = await start(client, desk, offsets=[6, 3])
    async with worker:
        result = PushWindowStatus.model_validate(await handle.result())
    assert [o for o, _ in desk.reminded] == [6, 3]
    steps = [(s, t) for s, t in desk.calls if s != "read"]
    assert [s for s, _ in steps][:2] == ["remind", "remind"] and {s for s, _ in steps[2:]} == {"close"}
    (_, remind_6), (_, remind_3) = steps[:2]
    assert remind_6 >= desk.closes_at - timedelta(seconds=6)
    assert remind_3 >= desk.closes_at - timedelta(seconds=3)
    assert desk.closed_at is not None and desk.closed_at >= desk.closes_at  # never before the close
    assert result.stage == "closed" and result.closed is not None and result.closed.left_behind_count == 1
    described = await handle.describe()
    assert described.typed_search_attributes.get(ZC_STATUS) == "closed"


async def test_sched_1_window_published_late_sends_only_the_latest_due_reminder(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=8))
    worker, handle = await start(client, desk, offsets=[600, 300, 2])
    async with worker:
        await handle.result()
    assert [o for o, _ in desk.reminded] == [300, 2]  # 600 s was stale when it started


async def test_a_moved_close_is_followed_and_the_history_replays(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=600))
    worker, handle = await start(client, desk, offsets=[1])
    async with worker:
        await asyncio.sleep(1)
        assert desk.steps() == []
        desk.closes_at = datetime.now(UTC) + timedelta(seconds=4)  # republished: the month moved
        await handle.signal("schedule_changed")
        result = PushWindowStatus.model_validate(await handle.result())
    assert desk.steps()[0] == "remind" and set(desk.steps()[1:]) == {"close"}
    assert result.stage == "closed" and result.closes_at == desk.closes_at
    replayer = Replayer(workflows=[PushWindowWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())


async def test_a_series_removed_from_the_schedule_ends_withdrawn(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=600))
    worker, handle = await start(client, desk, offsets=[1])
    async with worker:
        await wait_stage(handle, "open")
        desk.in_schedule = False
        await handle.signal("schedule_changed")
        result = PushWindowStatus.model_validate(await handle.result())
    assert result.stage == "withdrawn" and desk.steps() == []
    assert (await handle.describe()).typed_search_attributes.get(ZC_STATUS) == "withdrawn"


async def test_a_lost_signal_is_made_up_by_the_recheck(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=600))
    worker, handle = await start(client, desk, offsets=[], recheck_seconds=1)
    async with worker:
        desk.closes_at = datetime.now(UTC) + timedelta(seconds=1)  # no signal
        result = PushWindowStatus.model_validate(await handle.result())
    assert result.stage == "closed"


async def test_a_signal_arriving_while_the_window_is_read_is_not_lost(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=600), read_delay=2.0)
    worker, handle = await start(client, desk, offsets=[1])
    async with worker:
        async with asyncio.timeout(20):
            while not desk.calls:
                await asyncio.sleep(0.05)
        desk.in_schedule = False  # the read under way still answers "in the schedule"
        await handle.signal("schedule_changed")
        async with asyncio.timeout(20):  # not at the recheck, an hour later
            result = PushWindowStatus.model_validate(await handle.result())
    assert result.stage == "withdrawn"
