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
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=5))
    worker, handle = await start(client, desk, offsets=[3, 1])
    async with worker:
        result = PushWindowStatus.model_validate(await handle.result())
    assert desk.steps() == ["remind", "remind", "close"]
    assert [o for o, _ in desk.reminded] == [3, 1]
    remind_3, remind_1, close = (t for s, t in desk.calls if s != "read")
    assert remind_3 >= desk.closes_at - timedelta(seconds=3)
    assert remind_1 >= desk.closes_at - timedelta(seconds=1)
    assert close >= desk.closes_at  # never before the close
    assert result.stage == "closed" and result.closed is not None and result.closed.left_behind_count == 1
    described = await handle.describe()
    assert described.typed_search_attributes.get(ZC_STATUS) == "closed"


async def test_sched_1_window_published_late_sends_only_the_latest_due_reminder(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=3))
    worker, handle = await start(client, desk, offsets=[600, 300, 1])
    async with worker:
        await handle.result()
    assert [o for o, _ in desk.reminded] == [300, 1]  # 600 s was stale when it started


async def test_a_moved_close_is_followed_and_the_history_replays(client: Client) -> None:
    desk = WindowDesk(closes_at=datetime.now(UTC) + timedelta(seconds=600))
    worker, handle = await start(client, desk, offsets=[1])
    async with worker:
        await asyncio.sleep(1)
        assert desk.steps() == []
        desk.closes_at = datetime.now(UTC) + timedelta(seconds=2)  # republished: the month moved
        await handle.signal("schedule_changed")
        result = PushWindowStatus.model_validate(await handle.result())
    assert desk.steps() == ["remind", "close"]
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
