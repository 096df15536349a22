"""The session aggregate decides from its own stream: attendance and quorum (NAT-1), secret ballots
and the 2/3 threshold (NAT-2), no document before the publicity ends (NAT-3), complaints holding
their candidate (POL-PB-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from review_service.domain.events import (
    CATALOGUE,
    AttendanceRecorded,
    BallotCast,
    CommitteeSessionOpened,
    SessionEvent,
)
from review_service.domain.rules import ballot_passes, quorum_met
from review_service.domain.session import Session
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.testing import envelope

from tests.review.ballots import SEAL, box, cast, collect, tally

PUBLISHED = datetime(2026, 6, 1, tzinfo=UTC)
ENDS = datetime(2026, 6, 8, tzinfo=UTC)


def _opening(experts: int = 3, present: int | None = 3) -> list[SessionEvent]:
    ids = [f"e{i}" for i in range(experts)]
    history: list[SessionEvent] = [
        CommitteeSessionOpened(
            session_id="s1",
            committee_id="c1",
            year=2026,
            series="工程",
            level="intermediate",
            application_ids=["a1", "a2"],
            expert_ids=ids,
            workflow_id="committee-session-s1",
        )
    ]
    if present is not None:
        history.append(AttendanceRecorded(session_id="s1", present_expert_ids=ids[:present]))
    return history


def _rebuilt(history: list[SessionEvent]) -> Session:
    session = Session.from_events(
        [envelope("review-service", e, stream_id="s1", version=v) for v, e in enumerate(history, 1)]
    )
    assert session is not None
    return session


def _session(experts: int = 3, present: int | None = 3) -> Session:
    return _rebuilt(_opening(experts, present))


def _decide(session: Session, *events: SessionEvent | None) -> None:
    for event in events:
        assert event is not None
        session.apply(event)
        session.version += 1


def _voted(session: Session, votes: dict[str, dict[str, str]]) -> Session:
    for expert, ballot in votes.items():
        cast(session, expert, ballot)
    return session


def _published(session: Session) -> Session:
    _voted(session, {e: {"a1": "yes", "a2": "yes"} for e in ("e0", "e1", "e2")})
    _decide(session, tally(session))
    _decide(session, session.publish_results(PUBLISHED, ENDS))
    return session


# -- NAT-1 ----------------------------------------------------------------------------------------


def test_quorum_is_met_at_exactly_two_thirds_present_nat1() -> None:
    assert quorum_met(9, 6)
    assert quorum_met(3, 2)
    assert quorum_met(25, 17)  # 17/25 = 0.68 ≥ 2/3


def test_quorum_fails_one_expert_below_two_thirds_nat1() -> None:
    assert not quorum_met(9, 5)
    assert not quorum_met(25, 16)  # 16/25 = 0.64
    assert not quorum_met(0, 0)


def test_tally_fails_everyone_without_quorum_nat1() -> None:
    session = _voted(_session(experts=5, present=3), {e: {"a1": "yes", "a2": "yes"} for e in ("e0", "e1", "e2")})
    tallied = tally(session)  # 3/5 < 2/3
    assert tallied is not None
    assert tallied.quorum_met is False
    assert [r.passed for r in tallied.results] == [False, False]


def test_only_the_committees_experts_can_be_recorded_present_nat1() -> None:
    with pytest.raises(InvalidInput) as err:
        _session(present=None).record_attendance(["e0", "stranger"])
    assert (err.value.code, err.value.rule) == ("not_committee_experts", "NAT-1")


# -- NAT-2 ----------------------------------------------------------------------------------------


def test_candidate_passes_with_yes_of_exactly_two_thirds_of_present_nat2() -> None:
    assert ballot_passes(4, 6)
    assert ballot_passes(6, 9)


def test_candidate_fails_one_yes_below_two_thirds_of_present_nat2() -> None:
    assert not ballot_passes(3, 6)
    assert not ballot_passes(5, 9)
    assert not ballot_passes(0, 0)


def test_ballot_event_carries_no_expert_id_nat2() -> None:
    session = _session()
    assert session.cast_ballot("e0", {"a1": "yes", "a2": "no"}) == {"a1": "yes", "a2": "no"}
    event = box(session, "e0", {"a1": "yes", "a2": "no"})
    assert set(event.to_new_event().payload) == {"session_id", "boxes"}
    [sealed] = event.boxes
    assert "e0" not in (event.session_id, sealed)  # the rest is the sealed box
    assert SEAL.open("s1", sealed) == {"a1": "yes", "a2": "no"}


def test_a_ballot_of_schema_1_is_still_counted_nat2() -> None:
    """Ballots cast before issue 12 carried their votes in the clear: they are read and counted as they are."""
    session = _session()
    old = envelope("review-service", "BallotCast", {"session_id": "s1", "ballot_no": 1, "votes": {"a1": "no"}})
    parsed = CATALOGUE.parse(old.model_copy(update={"schema_version": 1}))
    assert isinstance(parsed, BallotCast) and parsed.votes == {"a1": "no"} and parsed.sealed is None
    _decide(session, parsed)
    cast(session, "e1", {"a1": "yes", "a2": "yes"})
    tallied = tally(session)
    assert tallied is not None
    assert [(r.yes, r.no) for r in tallied.results] == [(1, 1), (1, 0)]


def test_finding_8_no_tally_before_the_vote_is_closed_nat2() -> None:
    """Finding 8: "`tally` has no 'voting closed' precondition (calling it early fails every candidate
    for good)". The session counts only a closed vote, and takes no ballot after it is closed."""
    session = _voted(_session(), {"e0": {"a1": "yes", "a2": "yes"}})
    with pytest.raises(Conflict) as err:
        session.tally_votes(opened=[{"a1": "yes", "a2": "yes"}])
    assert (err.value.code, err.value.rule) == ("voting_not_closed", "NAT-2")
    closed = session.close_voting()
    assert closed is not None and closed.ballots_cast == 1
    _decide(session, closed)
    assert session.close_voting() is None  # closing twice changes nothing
    with pytest.raises(Conflict) as err:
        session.cast_ballot("e1", {"a1": "yes", "a2": "yes"})
    assert (err.value.code, err.value.rule) == ("voting_closed", "NAT-2")
    with pytest.raises(Conflict) as err:  # every box is counted, or none
        session.tally_votes(opened=[])
    assert (err.value.code, err.value.rule) == ("ballots_unopened", "NAT-2")


def test_absent_expert_cannot_vote_no_proxy_nat2() -> None:
    with pytest.raises(InvalidInput) as err:
        _session(present=2).cast_ballot("e2", {"a1": "yes", "a2": "yes"})
    assert (err.value.code, err.value.rule) == ("expert_not_present", "NAT-2")


def test_no_ballot_before_attendance_is_recorded_nat2() -> None:
    with pytest.raises(Conflict) as err:
        _session(present=None).cast_ballot("e0", {"a1": "yes", "a2": "yes"})
    assert (err.value.code, err.value.rule) == ("attendance_not_recorded", "NAT-2")


def test_no_ballot_after_the_tally_nat2() -> None:
    session = _session()
    _decide(session, tally(session))
    with pytest.raises(Conflict) as err:
        session.cast_ballot("e0", {"a1": "yes", "a2": "yes"})
    assert err.value.rule == "NAT-2"
    assert tally(session) is None  # tallying twice changes nothing


def test_a_ballot_must_judge_every_candidate_and_only_them() -> None:
    with pytest.raises(InvalidInput) as err:
        _session().cast_ballot("e0", {"a1": "yes"})
    assert err.value.code == "ballot_incomplete"
    with pytest.raises(InvalidInput) as err:
        _session().cast_ballot("e0", {"a1": "yes", "a2": "yes", "a9": "no"})
    assert err.value.code == "unknown_candidates"
    with pytest.raises(InvalidInput) as err:
        _session().cast_ballot("e0", {"a1": "yes", "a2": "maybe"})
    assert err.value.code == "invalid_vote"


def test_tally_passes_with_two_thirds_of_present_and_fails_below_nat2() -> None:
    session = _voted(
        _session(),
        {"e0": {"a1": "yes", "a2": "yes"}, "e1": {"a1": "yes", "a2": "abstain"}, "e2": {"a1": "yes", "a2": "no"}},
    )
    tallied = tally(session)
    assert tallied is not None
    results = {r.application_id: r for r in tallied.results}
    assert results["a1"].model_dump() == {
        "application_id": "a1",
        "yes": 3,
        "no": 0,
        "abstain": 0,
        "passed": True,
        "judges": 3,
    }
    assert results["a2"].yes == 1 and not results["a2"].passed


# -- NAT-3 and POL-PB-1 -----------------------------------------------------------------------------


def test_no_document_before_the_results_are_published_and_their_publicity_is_over_nat3() -> None:
    session = _session()
    with pytest.raises(Conflict) as err:
        session.issuable(ENDS)
    assert (err.value.code, err.value.rule) == ("not_published", "NAT-3")
    _published(session)
    with pytest.raises(Conflict) as err:
        session.issuable(ENDS - timedelta(seconds=1))
    assert (err.value.code, err.value.rule) == ("publicity_not_over", "NAT-3")
    assert session.issuable(ENDS) == (["a1", "a2"], [], [])


def test_open_complaint_holds_only_that_candidate_after_publicity_pol_pb1() -> None:
    session = _published(_session())
    _decide(session, session.file_complaint("k1", "a2", "学历造假", PUBLISHED + timedelta(days=1)))
    assert session.issuable(ENDS) == (["a1"], ["a2"], [])
    with pytest.raises(Conflict) as err:
        session.close()
    assert (err.value.code, err.value.rule) == ("complaints_open", "POL-PB-1")
    _decide(session, session.resolve_complaint("k1", "upheld"))
    assert session.issuable(ENDS) == (["a1"], [], ["a2"])
    assert session.close() is not None


def test_complaint_outside_publicity_is_refused_pol_pb1() -> None:
    with pytest.raises(Conflict) as err:
        _session().file_complaint("k1", "a1", "x", PUBLISHED)
    assert (err.value.code, err.value.rule) == ("not_in_publicity", "POL-PB-1")
    with pytest.raises(Conflict):
        _published(_session()).file_complaint("k1", "a1", "x", ENDS)  # the period is over


# -- the stream ---------------------------------------------------------------------------------------


def test_a_session_rebuilt_from_its_stream_is_the_session_that_decided() -> None:
    history = _opening()
    live = _rebuilt(history)
    decisions: list[SessionEvent] = []
    cast(live, "e0", {"a1": "yes", "a2": "no"})  # into the private box: no event (NAT-2)
    cast(live, "e1", {"a1": "yes", "a2": "no"})
    for decide in (
        live.close_voting,
        lambda: collect(live),
        lambda: tally(live),
        lambda: live.publish_results(PUBLISHED, ENDS),
        lambda: live.file_complaint("k1", "a2", "学历造假", PUBLISHED),
        lambda: live.resolve_complaint("k1", "no_problem"),
    ):
        event = decide()
        assert event is not None
        decisions.append(event)
        _decide(live, event)
    assert _rebuilt(history + decisions) == live
    assert [CATALOGUE.parse(envelope("review-service", e)) for e in decisions] == decisions
