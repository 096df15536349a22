"""CommitteeSessionWorkflow: one workflow per committee session (a batch of candidates): the review
panels and their video defenses (NAT-9, POL-VD-1), then the ballot, the tally, publicity and documents.

Deterministic: only workflow.now(), timers and signals; review-service holds the state of each
candidate and every side effect happens in an activity. The service is the truth about complaints;
signals only wake the workflow up sooner, so a lost signal delays but never loses a decision.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from ..service_calls import RETRY, ZC_STATUS
    from .activities import ReviewActivities
    from .models import (
        ComplaintSignal,
        HeldCandidates,
        IssueResult,
        PanelsStatus,
        PublishRequest,
        SessionInput,
        SessionRef,
        SessionStatus,
    )


TIMEOUT = timedelta(seconds=30)
# Workflows started before the panels stage existed replay without it (workflow.patched).
PANELS_PATCH = "panels-before-voting"
# A signal that arrives while review-service is being read calls for another read: workflows started
# before this counted the signals from after the read, and replay that way (workflow.patched).
SIGNALS_PATCH = "signals-counted-before-read"


@workflow.defn(name="CommitteeSessionWorkflow")
class CommitteeSessionWorkflow:
    def __init__(self) -> None:
        self._input: SessionInput | None = None
        self._stage = "voting"
        self._voting_closed = False
        self._panels_signalled = 0
        self._panels_read = 0  # signals seen when panels_status was last read
        self._panels_done = False
        self._filed: dict[str, str] = {}
        self._resolutions = 0
        self._resolutions_read = 0  # resolutions seen when the held candidates were last read
        self._counted_before_read = False
        self._issue = IssueResult(issued=[], held=[], refused=[])
        self._publicity_ends_at: datetime | None = None

    @workflow.run
    async def run(self, params: SessionInput) -> SessionStatus:
        self._input = params
        ref = SessionRef(session_id=params.session_id)
        self._counted_before_read = workflow.patched(SIGNALS_PATCH)

        if workflow.patched(PANELS_PATCH):
            await self._panels(ref)
        else:
            self._panels_done = True
        await workflow.wait_condition(lambda: self._voting_closed)
        self._set_stage("tallying")
        await workflow.execute_activity_method(
            ReviewActivities.tally_votes, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )

        # NAT-3: results are public for the whole period before any document is issued.
        publicity = await workflow.execute_activity_method(
            ReviewActivities.publish_results,
            PublishRequest(
                session_id=params.session_id,
                publicity_seconds=params.publicity_seconds,
                publicity_working_days=params.publicity_working_days,
            ),
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
        )
        self._publicity_ends_at = publicity.publicity_ends_at
        self._set_stage("publicity")
        remaining = publicity.publicity_ends_at - workflow.now()
        if remaining > timedelta(0):
            await workflow.sleep(remaining)

        # POL-PB-1: a complaint under investigation holds the documents until its investigation period
        # (counted by review-service from the complaint's filing) ends; if it is not settled by then,
        # everyone else is issued first.
        held = await self._held(ref)
        if held.application_ids:
            self._set_stage("investigating")
            while held.application_ids and self._before(held.investigation_ends_at):
                assert held.investigation_ends_at is not None
                await self._next_resolution(min(held.investigation_ends_at - workflow.now(), self._recheck))
                held = await self._held(ref)

        self._set_stage("issuing")
        self._issue = await self._issue_documents(ref)
        while self._issue.held:
            # The held candidate is issued separately when the investigation ends with no problem or
            # with one that does not affect the title; an upheld complaint refuses it.
            self._set_stage("held")
            await self._next_resolution(self._recheck)
            self._issue = await self._issue_documents(ref)

        await workflow.execute_activity_method(
            ReviewActivities.close_session, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )
        self._set_stage("closed")
        return self.status()

    async def _panels(self, ref: SessionRef) -> None:
        """Stage "panels": the review panels hold the defenses and give their opinions before the vote;
        review-service signals panels_completed after the last opinion, and the workflow re-reads the
        panels' status on start, on each signal and every recheck period (a lost signal only delays)."""
        self._set_stage("panels")
        while not self._voting_closed:
            self._panels_read = self._panels_signalled
            status: PanelsStatus = await workflow.execute_activity_method(
                ReviewActivities.panels_status, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
            )
            if status.complete:
                break
            await self._next_panels_signal(self._recheck)
        self._panels_done = True
        if self._stage == "panels":
            self._set_stage("voting")

    async def _next_panels_signal(self, within: timedelta) -> None:
        seen = self._panels_read if self._counted_before_read else self._panels_signalled
        try:
            await workflow.wait_condition(lambda: self._panels_signalled > seen or self._voting_closed, timeout=within)
        except TimeoutError:
            pass

    @property
    def _recheck(self) -> timedelta:
        assert self._input is not None
        return timedelta(seconds=self._input.recheck_seconds)

    async def _held(self, ref: SessionRef) -> HeldCandidates:
        self._resolutions_read = self._resolutions
        return await workflow.execute_activity_method(
            ReviewActivities.held_candidates, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )

    @staticmethod
    def _before(ends_at: datetime | None) -> bool:
        return ends_at is not None and workflow.now() < ends_at

    async def _next_resolution(self, within: timedelta) -> None:
        seen = self._resolutions_read if self._counted_before_read else self._resolutions
        try:
            await workflow.wait_condition(lambda: self._resolutions > seen, timeout=within)
        except TimeoutError:
            pass

    async def _issue_documents(self, ref: SessionRef) -> IssueResult:
        """Every issuable document, a batch a call: review-service answers how many remain (histories
        from before it did so read 0, and replay as they ran)."""
        self._resolutions_read = self._resolutions
        issued: IssueResult = await workflow.execute_activity_method(
            ReviewActivities.issue_documents, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )
        while issued.remaining:
            issued = await workflow.execute_activity_method(
                ReviewActivities.issue_documents, ref, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
            )
        return issued

    def _set_stage(self, stage: str) -> None:
        self._stage = stage
        if self._input is not None and self._input.search_attributes:
            workflow.upsert_search_attributes([ZC_STATUS.value_set(stage)])

    @workflow.signal
    def panels_completed(self) -> None:
        self._panels_signalled += 1

    @workflow.signal
    def voting_closed(self) -> None:
        self._voting_closed = True

    @workflow.signal
    def overdue(self) -> None:
        """SCHED-3: not voted by 31 December; the operator sees the session "overdue" until the city
        office extends it (then it is voting again) or carries its candidates over (then it is cancelled)."""
        if not self._voting_closed:
            self._set_stage("overdue")

    @workflow.signal
    def extended(self) -> None:
        if not self._voting_closed and self._stage == "overdue":
            self._set_stage("voting" if self._panels_done else "panels")

    @workflow.signal
    def complaint_filed(self, complaint: ComplaintSignal) -> None:
        self._filed[complaint.complaint_id] = complaint.application_id

    @workflow.signal
    def complaint_resolved(self, complaint: ComplaintSignal) -> None:
        self._filed.pop(complaint.complaint_id, None)
        self._resolutions += 1

    @workflow.query
    def status(self) -> SessionStatus:
        return SessionStatus(
            stage=self._stage,
            voting_closed=self._voting_closed,
            open_complaints=sorted(set(self._filed.values())),
            issued={d.application_id: d.number for d in self._issue.issued},
            held=self._issue.held,
            refused=self._issue.refused,
            publicity_ends_at=self._publicity_ends_at,
        )
