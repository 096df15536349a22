"""PushWindowWorkflow: one workflow per year and series (id `push-window-{year}-{series}`), SCHED-1.

It sleeps until each reminder instant before the window closes, reminds through application-service,
sleeps until the close and closes the window there (what was pushed, what was left behind). The service
is the truth about the window: the workflow re-reads it each time it wakes, so a republished schedule
that moves the month (signal `schedule_changed`, or the recheck timer) is followed, and a series removed
from the schedule ends the workflow as "withdrawn". Deterministic: only workflow.now(), timers, signals.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from ..service_calls import RETRY, ZC_STATUS
    from .activities import PushWindowActivities
    from .models import (
        CloseResult,
        PushWindowInput,
        PushWindowStatus,
        ReminderRequest,
        ReminderResult,
        WindowRef,
        WindowState,
    )


TIMEOUT = timedelta(seconds=30)


@workflow.defn(name="PushWindowWorkflow")
class PushWindowWorkflow:
    def __init__(self) -> None:
        self._input: PushWindowInput | None = None
        self._stage = "open"
        self._closes_at: datetime | None = None
        self._reminders: list[ReminderResult] = []
        self._closed: CloseResult | None = None
        self._changes = 0
        # The schedule_changed signals counted when the window was last read: one arriving during the
        # read (or after it) must still wake the next sleep.
        self._changes_read = 0
        # (close instant, offset) of the reminders issued or skipped as stale, so a moved close reminds anew.
        self._done: set[tuple[datetime, int]] = set()

    @workflow.run
    async def run(self, params: PushWindowInput) -> PushWindowStatus:
        self._input = params
        self._closes_at = params.closes_at
        ref = WindowRef(year=params.year, series=params.series)
        window = await self._read(ref)
        while True:
            self._closes_at = window.closes_at
            if not window.in_schedule:
                self._set_stage("withdrawn")
                return self.status()
            now = workflow.now()
            if window.closed or now >= window.closes_at:
                self._closed = await workflow.execute_activity_method(
                    PushWindowActivities.close_push_window, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
                )
                self._set_stage("closed")
                return self.status()
            due = self._due(window, now)
            if due:
                # Only the latest due reminder is worth sending; the earlier ones are stale.
                for offset in due:
                    self._done.add((window.closes_at, offset))
                reminder = await workflow.execute_activity_method(
                    PushWindowActivities.issue_push_window_reminder,
                    ReminderRequest(year=params.year, series=params.series, remaining_seconds=due[-1]),
                    start_to_close_timeout=TIMEOUT,
                    retry_policy=RETRY,
                )
                if reminder.issued:
                    self._reminders.append(reminder)
                    self._set_stage("reminding")
            else:
                await self._sleep_until(self._next_wake(window, now))
            window = await self._read(ref)

    def _offsets(self) -> list[int]:
        """The reminder offsets, largest (earliest reminder) first."""
        assert self._input is not None
        return sorted({o for o in self._input.reminder_offsets_seconds if o > 0}, reverse=True)

    def _is_done(self, window: WindowState, offset: int) -> bool:
        return offset in window.reminders_issued or (window.closes_at, offset) in self._done

    def _due(self, window: WindowState, now: datetime) -> list[int]:
        return [
            o
            for o in self._offsets()
            if window.closes_at - timedelta(seconds=o) <= now and not self._is_done(window, o)
        ]

    def _next_wake(self, window: WindowState, now: datetime) -> datetime:
        for o in self._offsets():
            at = window.closes_at - timedelta(seconds=o)
            if at > now and not self._is_done(window, o):
                return at
        return window.closes_at

    async def _sleep_until(self, instant: datetime) -> None:
        """Until `instant`, a schedule_changed signal, or the recheck period, whichever comes first."""
        assert self._input is not None
        within = min(instant - workflow.now(), timedelta(seconds=self._input.recheck_seconds))
        if within <= timedelta(0):
            return
        try:
            await workflow.wait_condition(lambda: self._changes > self._changes_read, timeout=within)
        except TimeoutError:
            pass

    async def _read(self, ref: WindowRef) -> WindowState:
        self._changes_read = self._changes
        return await workflow.execute_activity_method(
            PushWindowActivities.read_push_window, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )

    def _set_stage(self, stage: str) -> None:
        self._stage = stage
        if self._input is not None and self._input.search_attributes:
            workflow.upsert_search_attributes([ZC_STATUS.value_set(stage)])

    @workflow.signal
    def schedule_changed(self) -> None:
        self._changes += 1

    @workflow.query
    def status(self) -> PushWindowStatus:
        return PushWindowStatus(
            stage=self._stage, closes_at=self._closes_at, reminders=list(self._reminders), closed=self._closed
        )
