"""ProvincialFilingWorkflow: one workflow per push batch, id `filing-{year}-{series}-{push_id}` (POL-FI-1).

Delivers the batch's key information to the province through application-service (retries with
backoff; delivery failing longer than `escalate_delivery_after_seconds` escalates to the city office
once, and delivery goes on), then waits for the province's verdict on every application: the signal
`verdict_recorded` wakes it sooner, a recheck timer re-reads the service (which asks the province for
verdicts a lost callback did not bring); verdicts missing `verdict_deadline_seconds` after delivery
escalate once ("verdict_overdue") and the wait goes on. Deterministic: only workflow.now(), timers
and signals; application-service holds every fact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from ..service_calls import ZC_STATUS
    from .activities import FilingActivities
    from .models import EscalationRequest, FilingInput, FilingProgress, FilingRef, FilingState, StateRequest

TIMEOUT = timedelta(seconds=60)
# A verdict signalled while the service is being read calls for another read: workflows started
# before this counted the signals from after the read, and replay that way (workflow.patched).
WAKEUPS_PATCH = "wakeups-counted-before-read"


@workflow.defn(name="ProvincialFilingWorkflow")
class ProvincialFilingWorkflow:
    def __init__(self) -> None:
        self._input: FilingInput | None = None
        self._stage = "delivering"
        self._delivered_at: datetime | None = None
        self._attempts = 0
        self._state = FilingState(pending_application_ids=[])
        self._escalations: list[str] = []
        self._wakeups = 0

    @workflow.run
    async def run(self, params: FilingInput) -> FilingProgress:
        self._input = params
        self._set_stage("delivering")
        ref = FilingRef(push_id=params.push_id)
        await self._deliver(ref)
        self._set_stage("waiting_for_province")
        deadline = workflow.now() + timedelta(seconds=params.verdict_deadline_seconds)
        woken = True  # right after delivery nothing is decided: no need to ask the province
        counted_before_read = workflow.patched(WAKEUPS_PATCH)
        while True:
            seen = self._wakeups
            self._state = await workflow.execute_activity_method(
                FilingActivities.filing_state,
                StateRequest(push_id=params.push_id, ask_province=not woken),
                start_to_close_timeout=TIMEOUT,
                retry_policy=self._retry,
            )
            if not self._state.pending_application_ids:
                break
            if workflow.now() >= deadline and "verdict_overdue" not in self._escalations:
                await self._escalate(
                    "verdict_overdue", f"省职改办在期限内未审核完毕：{len(self._state.pending_application_ids)}份待审"
                )
                continue
            wait = self._recheck
            if "verdict_overdue" not in self._escalations:
                wait = max(min(wait, deadline - workflow.now()), timedelta(milliseconds=1))
            woken = await self._next_verdict(seen if counted_before_read else self._wakeups, wait)
        self._set_stage("done")
        return self.status()

    async def _deliver(self, ref: FilingRef) -> None:
        """Retried with backoff; past the escalation delay the city office is told once, and delivery
        goes on (each later round bounded by the recheck period)."""
        assert self._input is not None
        window = timedelta(seconds=self._input.escalate_delivery_after_seconds)
        while True:
            self._attempts += 1
            try:
                delivery = await workflow.execute_activity_method(
                    FilingActivities.deliver_filing,
                    ref,
                    start_to_close_timeout=TIMEOUT,
                    schedule_to_close_timeout=window if "delivery_failing" not in self._escalations else self._recheck,
                    retry_policy=self._retry,
                )
            except ActivityError as exc:
                if "delivery_failing" not in self._escalations:
                    await self._escalate("delivery_failing", f"报送省职改办失败：{exc.cause or exc}"[:1900])
                else:
                    await workflow.sleep(self._recheck)
                continue
            self._delivered_at = delivery.received_at
            return

    async def _escalate(self, reason: str, detail: str) -> None:
        assert self._input is not None
        self._state = await workflow.execute_activity_method(
            FilingActivities.escalate_filing,
            EscalationRequest(push_id=self._input.push_id, reason=reason, detail=detail),
            start_to_close_timeout=TIMEOUT,
            retry_policy=self._retry,
        )
        self._escalations.append(reason)
        self._set_stage("escalated")

    async def _next_verdict(self, seen: int, within: timedelta) -> bool:
        """Wait for a `verdict_recorded` signal after the `seen`-th, at most `within`; whether one came."""
        try:
            await workflow.wait_condition(lambda: self._wakeups > seen, timeout=within)
        except TimeoutError:
            return False
        return True

    @property
    def _recheck(self) -> timedelta:
        assert self._input is not None
        return timedelta(seconds=self._input.recheck_seconds)

    @property
    def _retry(self) -> RetryPolicy:
        assert self._input is not None
        ceiling = timedelta(seconds=max(1, min(self._input.recheck_seconds, 300)))
        return RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2, maximum_interval=ceiling)

    def _set_stage(self, stage: str) -> None:
        self._stage = stage
        if self._input is not None and self._input.search_attributes:
            workflow.upsert_search_attributes([ZC_STATUS.value_set(stage)])

    @workflow.signal
    def verdict_recorded(self, application_id: str) -> None:
        self._wakeups += 1

    @workflow.query
    def status(self) -> FilingProgress:
        return FilingProgress(
            push_id=self._input.push_id if self._input else "",
            stage=self._stage,
            delivered_at=self._delivered_at,
            delivery_attempts=self._attempts,
            pending_application_ids=self._state.pending_application_ids,
            approved_application_ids=self._state.approved_application_ids,
            returned_application_ids=self._state.returned_application_ids,
            escalations=list(self._escalations),
        )
