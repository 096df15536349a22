"""The applicant's review (复查) of a committee's result (NAT-11): its time limit and its one stream.

One request per application, ever: the stream id is derived from the application, so a second
request collides at version 0 and is refused. The organising unit answers it once, in writing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from zhicheng_kernel.calendar import china_today, end_of_day
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, InvalidInput

from .events import CATALOGUE, ReviewAnswered, ReviewRequested
from .session import Session

REEXAMINATION_NAMESPACE = uuid.UUID("9d3f6c1a-52b4-4e0e-8a3d-1c7e5b2f9a64")
REVIEW_REQUEST_DAYS = 30

ReviewOutcome = Literal["upheld", "changed"]


def request_id_for(application_id: str) -> str:
    """One review request per application: the id is derived, so a second request collides."""
    return str(uuid.uuid5(REEXAMINATION_NAMESPACE, f"reexamination:{application_id}"))


def review_request_deadline(
    publicity_ends_at: datetime, days: int = REVIEW_REQUEST_DAYS, compressed_seconds: int | None = None
) -> datetime:
    """NAT-11: an applicant may request a review for `days` (default 30) calendar days after the
    results publicity ends; our reading, as the Civil Code reckons periods in days (民法典 第二百零一条):
    counting starts the day after the publicity's last day (Asia/Shanghai), and the period ends at
    24:00 of its `days`-th day. A publicity ending at 24:00 of 7 January gives 24:00 of 6 February.
    `compressed_seconds` (tests and demonstrations only; refused in production by the settings)
    replaces the days with that many seconds from the publicity's end."""
    if compressed_seconds is not None:
        return publicity_ends_at + timedelta(seconds=compressed_seconds)
    last_publicity_day = china_today(publicity_ends_at - timedelta(microseconds=1))
    return end_of_day(last_publicity_day + timedelta(days=days))


def check_review_request_in_time(now: datetime, deadline: datetime) -> None:
    """NAT-11: a request at `deadline` or later is refused (409 review_request_too_late)."""
    if now >= deadline:
        raise Conflict(
            "review_request_too_late",
            "申请复查的期限已过（评审结果公示期满后规定时间内提出），不再受理。",
            rule="NAT-11",
            extra={"deadline": deadline.isoformat()},
        )


def decide_request(
    session: Session,
    *,
    application_id: str,
    applicant_id: str,
    organizing_org_id: str,
    reason: str,
    now: datetime,
    days: int = REVIEW_REQUEST_DAYS,
    compressed_seconds: int | None = None,
) -> ReviewRequested:
    """NAT-11: an applicant whose candidate did not pass the committee's tally may request a review
    once the results are published, until the deadline (`review_request_deadline`). A passed
    candidate has nothing to request."""
    if application_id not in session.application_ids:
        raise InvalidInput(
            "not_a_candidate", "该申报不在本次评审会议的评审范围内。", field="application_id", rule="NAT-11"
        )
    if session.publicity is None or session.tally is None:
        raise Conflict("results_not_published", "评审结果尚未公示，暂不能申请复查。", rule="NAT-11")
    if application_id in session.passed_application_ids:
        raise Conflict("candidate_passed", "该申报已通过评审，无需申请复查。", field="application_id", rule="NAT-11")
    deadline = review_request_deadline(session.publicity.publicity_ends_at, days, compressed_seconds)
    check_review_request_in_time(now, deadline)
    return ReviewRequested(
        request_id=request_id_for(application_id),
        application_id=application_id,
        session_id=session.session_id,
        applicant_id=applicant_id,
        organizing_org_id=organizing_org_id,
        reason=reason,
        requested_at=now,
        deadline=deadline,
    )


@dataclass
class ReviewRequest:
    """A review request rebuilt from its stream."""

    requested: ReviewRequested
    answered: ReviewAnswered | None = None
    version: int = 0

    @classmethod
    def from_events(cls, history: Sequence[EventEnvelope]) -> ReviewRequest | None:
        if not history:
            return None
        first = CATALOGUE.parse(history[0])
        assert isinstance(first, ReviewRequested), first
        request = cls(first)
        for envelope in history[1:]:
            event = CATALOGUE.parse(envelope)
            if isinstance(event, ReviewAnswered):
                request.answered = event
        request.version = history[-1].version
        return request

    def answer(self, outcome: ReviewOutcome, answer: str, answered_by: str, now: datetime) -> ReviewAnswered:
        """NAT-11: the organising unit answers in writing, once: the result stands or the candidate passes."""
        if self.answered is not None:
            raise Conflict("review_already_answered", "该复查申请已答复，不能重复答复。", rule="NAT-11")
        return ReviewAnswered(
            request_id=self.requested.request_id,
            application_id=self.requested.application_id,
            session_id=self.requested.session_id,
            applicant_id=self.requested.applicant_id,
            outcome=outcome,
            answer=answer,
            answered_by=answered_by,
            answered_at=now,
        )
