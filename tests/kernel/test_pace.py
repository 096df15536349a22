"""Quiet when idle (issue 14, item 4): the kernel's wake-ups and heartbeats, as pure asyncio."""

from __future__ import annotations

import asyncio
import time

from zhicheng_kernel.pace import Pace, Signal, run_paced


async def test_a_signal_wakes_every_waiter_and_none_takes_it_from_another() -> None:
    signal = Signal()
    seen = signal.generation
    waiters = [asyncio.create_task(signal.wait(seen, 5)) for _ in range(3)]
    await asyncio.sleep(0)
    signal.fire()
    assert await asyncio.gather(*waiters) == [seen + 1] * 3
    # a fire while nobody waited is not lost: the next wait returns at once
    signal.fire()
    started = time.monotonic()
    assert await signal.wait(seen + 1, 5) == seen + 2
    assert time.monotonic() - started < 0.5


async def test_a_signal_wait_ends_after_its_bound_when_nothing_fires() -> None:
    signal = Signal()
    started = time.monotonic()
    assert await signal.wait(signal.generation, 0.05) == 0
    assert time.monotonic() - started >= 0.05


def test_a_pace_is_busy_for_a_while_after_a_disturbance_then_quiet() -> None:
    pace = Pace(busy=2, quiet=30, settle=0.05)
    assert pace.interval == 30 and not pace.disturbed
    pace.disturb()
    assert pace.interval == 2 and pace.disturbed
    time.sleep(0.06)
    assert pace.interval == 30
    assert Pace(busy=3600, quiet=30).quiet == 3600  # never quieter than busy


async def test_a_paced_job_runs_at_start_on_each_wake_at_most_once_per_gap_and_survives_its_failures() -> None:
    wake, runs = Signal(), []

    async def job() -> None:
        runs.append(time.monotonic())
        if len(runs) == 2:
            raise RuntimeError("a failing round is logged and tried again")

    task = asyncio.create_task(run_paced("test job", job, heartbeat=60, wake=wake, min_gap=0.2))
    try:
        await asyncio.sleep(0.05)
        assert len(runs) == 1  # at start; then nothing until woken (the heartbeat is a minute)
        for _ in range(5):  # a burst of commits: one more run, not five
            wake.fire()
        await asyncio.sleep(0.3)
        assert len(runs) == 2 and runs[1] - runs[0] >= 0.2
        wake.fire()  # after the failing round the job still runs
        await asyncio.sleep(0.3)
        assert len(runs) == 3
    finally:
        task.cancel()


async def test_a_paced_job_without_a_wake_runs_on_its_heartbeat() -> None:
    runs: list[float] = []

    async def job() -> None:
        runs.append(time.monotonic())

    task = asyncio.create_task(run_paced("heartbeat job", job, heartbeat=0.05))
    await asyncio.sleep(0.18)
    task.cancel()
    assert 3 <= len(runs) <= 5
