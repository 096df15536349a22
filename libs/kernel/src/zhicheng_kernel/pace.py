"""How a background loop waits: woken at once by the work it is told of, otherwise on a slow heartbeat.

A service with nothing to do should cost nothing (issue 14, item 4). Its loops therefore do not poll on a
short period: each waits for a `Signal` (a commit of this process, a consumer's applied event, a check
requested) and looks for what nobody announced — another replica's writes, a record the broker lost — only
on the heartbeat (`ZC_QUIET_HEARTBEAT_SECONDS`, 30 s by default). While the system is disturbed (the broker
lost, topics re-created, a catch-up that found what Kafka never announced) a `Pace` keeps the short period
for a while, so recovery stays as quick as it was with a tight poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Signal:
    """A wake-up any number of loops can wait on without taking it from each other.

    An `asyncio.Event` cleared by one waiter swallows a wake-up meant for another; here each waiter keeps
    the generation it last saw and returns as soon as the generation moved on."""

    def __init__(self) -> None:
        self.generation = 0
        self._event = asyncio.Event()

    def fire(self) -> None:
        self.generation += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seen: int, at_most: float) -> int:
        """Returns the current generation once it differs from `seen`, or after `at_most` seconds."""
        if self.generation == seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), at_most)
        return self.generation


class Pace:
    """The period of a loop looking for unannounced work: `busy` while disturbed, `quiet` otherwise."""

    def __init__(self, busy: float, quiet: float, *, settle: float = 30.0) -> None:
        self.busy = busy
        self.quiet = max(quiet, busy)
        self.settle = settle  # how long one disturbance keeps the busy period
        self._busy_until = 0.0

    def disturb(self) -> None:
        self._busy_until = time.monotonic() + self.settle

    @property
    def disturbed(self) -> bool:
        return time.monotonic() < self._busy_until

    @property
    def interval(self) -> float:
        return self.busy if self.disturbed else self.quiet


async def run_paced(
    name: str,
    job: Callable[[], Awaitable[object]],
    *,
    heartbeat: float,
    wake: Signal | None = None,
    min_gap: float = 0.0,
) -> None:
    """Run `job` at start, then whenever `wake` fires (at most once per `min_gap` seconds, so a busy
    service does not run it after every commit) and at least every `heartbeat` seconds. A failing job is
    logged and tried again at the next turn; cancellation ends the loop."""
    seen = wake.generation if wake is not None else 0
    while True:
        started = time.monotonic()
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("%s failed: %s; it is tried again", name, exc)
        if wake is None:
            await asyncio.sleep(heartbeat)
            continue
        seen = await wake.wait(seen, heartbeat)
        rest = min_gap - (time.monotonic() - started)
        if rest > 0:
            await asyncio.sleep(rest)
