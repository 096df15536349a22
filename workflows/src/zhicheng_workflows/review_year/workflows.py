"""ReviewYearWorkflow: one per review year (`review-year-{year}`), following SCHED-3.

It sleeps to each warning instant and has review-service warn the organising offices and the city office;
at the deadline it has the sessions not voted marked overdue (ZcStatus "overdue" when there are any),
then waits until each overdue session is voted (after an extension) or carried over — review-service is
the truth, a `session_changed` signal only wakes it sooner, a recheck timer re-reads it — and ends with
the year's report ("reporting" → "closed"). Deterministic: workflow.now(), timers, signals, activities.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from ..service_calls import RETRY, ZC_STATUS
    from .activities import ReviewYearActivities
    from .models import ReviewYearInput, ReviewYearStatus, Warned, WarningRequest, YearRef


TIMEOUT = timedelta(seconds=60)


@workflow.defn(name="ReviewYearWorkflow")
class ReviewYearWorkflow:
    def __init__(self) -> None:
        self._input: ReviewYearInput | None = None
        self._status = ReviewYearStatus(stage="running")
        self._changes = 0

    @workflow.run
    async def run(self, params: ReviewYearInput) -> ReviewYearStatus:
        self._input = params
        self._status.year, self._status.deadline = params.year, params.deadline
        ref = YearRef(year=params.year)

        # Warnings, largest offset first. One whose instant passed is still issued (a late start, a slow
        # step) unless the next one is due too: the nearest due warning stands for both.
        offsets = sorted(set(params.warning_offsets_seconds), reverse=True)
        for i, offset in enumerate(offsets):
            now = workflow.now()
            if now >= params.deadline:
                break
            if i + 1 < len(offsets) and now >= params.deadline - timedelta(seconds=offsets[i + 1]):
                continue
            at = params.deadline - timedelta(seconds=offset)
            if at > now:
                await workflow.sleep(at - now)
            warned: Warned = await workflow.execute_activity_method(
                ReviewYearActivities.warn,
                WarningRequest(year=params.year, remaining_seconds=offset),
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
            )
            self._status.warnings.append(warned)

        remaining = params.deadline - workflow.now()
        if remaining > timedelta(0):
            await workflow.sleep(remaining)
        # review-service refuses (409, retried) until its own clock reaches the deadline.
        # A change signalled while a read is under way calls for another read: count from before it.
        seen = self._changes
        overdue = await workflow.execute_activity_method(
            ReviewYearActivities.mark_overdue, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )
        self._status.overdue_session_ids = overdue.overdue_session_ids
        self._status.pending_session_ids = overdue.pending_session_ids
        if overdue.overdue_session_ids:
            self._set_stage("overdue")
        while self._status.pending_session_ids:
            await self._change_since(seen, timedelta(seconds=params.recheck_seconds))
            seen = self._changes
            pending = await workflow.execute_activity_method(
                ReviewYearActivities.pending, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
            )
            self._status.pending_session_ids = pending.pending_session_ids

        self._set_stage("reporting")
        self._status.report = await workflow.execute_activity_method(
            ReviewYearActivities.report, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )
        self._set_stage("closed")
        return self._status

    async def _change_since(self, seen: int, within: timedelta) -> None:
        """Until a change was signalled after the `seen`-th, or `within` (the recheck) passed."""
        try:
            await workflow.wait_condition(lambda: self._changes > seen, timeout=within)
        except TimeoutError:
            pass

    def _set_stage(self, stage: str) -> None:
        self._status.stage = stage
        if self._input is not None and self._input.search_attributes:
            workflow.upsert_search_attributes([ZC_STATUS.value_set(stage)])

    @workflow.signal
    def session_changed(self) -> None:
        """review-service extended or carried over a session (or it was voted): re-read sooner."""
        self._changes += 1

    @workflow.query
    def status(self) -> ReviewYearStatus:
        return self._status
