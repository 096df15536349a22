"""SCHED-3 after the boundary, as pure rules: a session the city office extended records ballots until
`until` (exclusive) and not after; only an intermediate or senior session not voted by the deadline may
be extended or carried over; the compressed review year is refused in production."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from review_service.domain.events import (
    BallotCast,
    CandidateResult,
    CommitteeSessionOpened,
    SessionOverdue,
    VotesTallied,
)
from review_service.domain.rules import check_review_year_open, review_year_ends_at
from review_service.domain.session import Session
from review_service.domain.year import (
    ReviewYear,
    carry_over,
    check_city_office_may_decide,
    grant_extension,
    mark_overdue,
    review_deadline,
)
from review_service.settings import ReviewSettings
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import DomainError

# Production settings need the issuing office's key (NAT-10); the rule under test is another one.
OFFICE_KEY = {
    "certificate_key_file": Path("/run/secrets/key.pem"),
    "certificate_cert_file": Path("/run/secrets/cert.pem"),
}

YEAR = 2026
DEADLINE = datetime(YEAR + 1, 1, 1, tzinfo=CHINA_TZ)
UNTIL = datetime(YEAR + 1, 1, 15, 18, 0, tzinfo=CHINA_TZ)


def session(level: str = "intermediate") -> Session:
    opened = CommitteeSessionOpened(
        session_id="s-1",
        committee_id="c-1",
        year=YEAR,
        series="卫生系列",
        level=level,
        application_ids=["a-1", "a-2"],
        expert_ids=["e-1", "e-2", "e-3"],
        workflow_id="committee-session-s-1",
    )
    return Session(
        session_id=opened.session_id,
        committee_id=opened.committee_id,
        year=YEAR,
        series=opened.series,
        level=level,
        application_ids=list(opened.application_ids),
        expert_ids=list(opened.expert_ids),
        workflow_id=opened.workflow_id,
    )


def refused(exc: pytest.ExceptionInfo[DomainError], code: str) -> None:
    assert exc.value.code == code and exc.value.rule == "SCHED-3"


def test_sched_3_the_deadline_is_24_00_of_31_december_unless_compressed_outside_production() -> None:
    assert review_year_ends_at(YEAR) == DEADLINE
    assert review_deadline(YEAR) == DEADLINE
    compressed = datetime(YEAR, 6, 1, 12, tzinfo=CHINA_TZ)
    assert review_deadline(YEAR, compressed) == compressed


def test_sched_3_an_extended_session_records_ballots_until_its_extension_and_not_after() -> None:
    check_review_year_open(YEAR, "intermediate", UNTIL - timedelta(seconds=1), "投票", extended_until=UNTIL)
    with pytest.raises(DomainError) as exc:
        check_review_year_open(YEAR, "intermediate", UNTIL, "投票", extended_until=UNTIL)
    refused(exc, "review_year_closed")
    assert exc.value.extra["extended_until"] == UNTIL.isoformat()
    assert "延期亦已届满" in exc.value.message
    # Without an extension the boundary stays 00:00 of 1 January.
    with pytest.raises(DomainError):
        check_review_year_open(YEAR, "intermediate", DEADLINE, "投票")
    check_review_year_open(YEAR, "intermediate", DEADLINE - timedelta(seconds=1), "投票")


def test_sched_3_a_compressed_deadline_moves_the_boundary() -> None:
    deadline = datetime(YEAR, 3, 1, 9, tzinfo=CHINA_TZ)
    check_review_year_open(YEAR, "senior", deadline - timedelta(seconds=1), "投票", deadline=deadline)
    with pytest.raises(DomainError):
        check_review_year_open(YEAR, "senior", deadline, "投票", deadline=deadline)


def test_sched_3_an_unvoted_session_is_overdue_once_at_the_deadline() -> None:
    s = session()
    overdue = mark_overdue(s, DEADLINE, "city-office")
    assert isinstance(overdue, SessionOverdue)
    assert (overdue.application_ids, overdue.organizing_org_id, overdue.deadline) == (
        ["a-1", "a-2"],
        "city-office",
        DEADLINE,
    )
    s.apply(overdue)
    assert mark_overdue(s, DEADLINE, "city-office") is None  # marked once
    assert mark_overdue(session("junior"), DEADLINE, "city-office") is None  # not bound


def test_sched_3_only_an_unvoted_bound_session_past_the_deadline_is_the_city_office_s_to_decide() -> None:
    with pytest.raises(DomainError) as exc:
        check_city_office_may_decide(session(), DEADLINE - timedelta(seconds=1), DEADLINE)
    refused(exc, "review_year_not_over")
    check_city_office_may_decide(session(), DEADLINE, DEADLINE)
    with pytest.raises(DomainError) as exc:
        check_city_office_may_decide(session("junior"), DEADLINE, DEADLINE)
    refused(exc, "session_not_bound")
    voted = session()
    voted.apply(BallotCast(session_id="s-1", ballot_no=1, votes={"a-1": "yes", "a-2": "yes"}))
    voted.apply(
        VotesTallied(
            session_id="s-1",
            committee_size=3,
            present=3,
            quorum_met=True,
            results=[CandidateResult(application_id=a, yes=3, no=0, abstain=0, passed=True) for a in ("a-1", "a-2")],
        )
    )
    with pytest.raises(DomainError) as exc:
        check_city_office_may_decide(voted, DEADLINE, DEADLINE)
    refused(exc, "session_already_voted")


def test_sched_3_an_extension_needs_a_future_bounded_instant_and_a_reason() -> None:
    s = session()
    granted = grant_extension(
        s,
        until=UNTIL,
        reason="  专家集中时间冲突  ",
        granted_by="u",
        organizing_org_id="o",
        now=DEADLINE,
        deadline=DEADLINE,
    )
    assert (granted.until, granted.reason) == (UNTIL, "专家集中时间冲突")
    for until in (DEADLINE, DEADLINE + timedelta(days=181)):
        with pytest.raises(DomainError) as exc:
            grant_extension(
                s, until=until, reason="r", granted_by="u", organizing_org_id="o", now=DEADLINE, deadline=DEADLINE
            )
        refused(exc, "extension_until_invalid")
    with pytest.raises(DomainError) as exc:
        grant_extension(
            s, until=UNTIL, reason="  ", granted_by="u", organizing_org_id="o", now=DEADLINE, deadline=DEADLINE
        )
    assert exc.value.code == "reason_required"


def test_sched_3_carried_over_candidates_go_to_the_next_year_and_the_session_takes_no_more_ballots() -> None:
    s = session()
    s.apply(s.record_attendance(["e-1", "e-2", "e-3"]))
    carried = carry_over(
        s, reason="年内无法完成评审", carried_by="u", organizing_org_id="o", now=DEADLINE, deadline=DEADLINE
    )
    assert (carried.to_year, carried.application_ids) == (YEAR + 1, ["a-1", "a-2"])
    s.apply(carried)
    assert s.status == "carried_over"
    with pytest.raises(DomainError) as exc:
        s.cast_ballot("e-1", {"a-1": "yes", "a-2": "yes"})
    refused(exc, "session_carried_over")
    with pytest.raises(DomainError) as exc:
        s.tally_votes()
    refused(exc, "session_carried_over")
    with pytest.raises(DomainError) as exc:  # nor extended afterwards
        grant_extension(
            s, until=UNTIL, reason="r", granted_by="u", organizing_org_id="o", now=DEADLINE, deadline=DEADLINE
        )
    refused(exc, "session_carried_over")


def test_sched_3_one_warning_per_offset() -> None:
    year = ReviewYear(YEAR)
    first = year.warn(86_400, DEADLINE, [("s-2", "county-office"), ("s-1", "city-office")], ["city-office"])
    assert first is not None
    assert first.session_ids == ["s-1", "s-2"]
    assert first.organizing_org_ids == ["city-office", "county-office"]
    assert first.office_org_ids == ["city-office", "county-office"]
    year.warnings[first.remaining_seconds] = first
    assert year.warn(86_400, DEADLINE, [], ["city-office"]) is None


def test_sched_3_a_compressed_review_year_is_refused_in_production() -> None:
    for setting in ({"review_year_deadline_override": DEADLINE}, {"review_year_warning_seconds": "5,2"}):
        with pytest.raises(ValidationError, match="refused in production"):
            ReviewSettings(environment="production", service_client_secret="s", **OFFICE_KEY, **setting)
    assert ReviewSettings().review_year_warning_offsets_seconds == [30 * 86_400, 7 * 86_400, 86_400]
    assert ReviewSettings(review_year_warning_seconds="2,5").review_year_warning_offsets_seconds == [5, 2]
    for bad in ({"review_year_warning_days": "30,-1"}, {"review_year_warning_seconds": "0"}):
        with pytest.raises(ValidationError, match="warning offsets"):
            ReviewSettings(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="time zone"):
        ReviewSettings(review_year_deadline_override=datetime(YEAR, 12, 31))
