"""NAT-4 as pure rules: the draw is reproducible from its recorded seed; an expert of a candidate's
employer, or one who declared a conflict, does not judge that candidate (no line on their ballot form,
422 on a vote); a reserve steps in when the judges fall below the quorum; two thirds count only the
candidate's judges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from review_service.domain.draw import draw, new_seed, place, same_employer_recusals
from review_service.domain.events import (
    AttendanceRecorded,
    CommitteeSessionOpened,
    ConflictDeclared,
    ExpertsDrawn,
    SessionEvent,
)
from review_service.domain.rules import candidate_judges, check_sitting_size
from review_service.domain.session import Session
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.testing import envelope

from tests.review.ballots import cast, tally

MEMBERS = [f"expert-{i:02d}" for i in range(11)]


def test_nat_4_the_same_seed_gives_the_same_draw_whatever_the_order_of_the_candidates() -> None:
    seed = new_seed()
    first = draw(seed, MEMBERS, 5, 2)
    again = draw(seed, list(reversed(MEMBERS)), 5, 2)
    assert first == again
    assert len(set(first.sitting) | set(first.reserves)) == 7
    # Recomputed from the recorded seed by anyone with SHA-256: the lowest places sit, the next are reserves.
    by_place = sorted(MEMBERS, key=lambda e: place(seed, e))
    assert (list(first.sitting), list(first.reserves)) == (by_place[:5], by_place[5:7])
    assert draw(new_seed(), MEMBERS, 5, 2).seed != seed


def test_nat_4_a_recorded_draw_is_recomputed_from_its_seed() -> None:
    recorded = ExpertsDrawn(
        session_id="s1",
        seed="3f1c9a0b7d2e4f60a1b2c3d4e5f60718",
        candidates=MEMBERS,
        excluded={},
        sitting_expert_ids=list(draw("3f1c9a0b7d2e4f60a1b2c3d4e5f60718", MEMBERS, 7, 1).sitting),
        reserve_expert_ids=list(draw("3f1c9a0b7d2e4f60a1b2c3d4e5f60718", MEMBERS, 7, 1).reserves),
        recusals={},
        meeting_starts_at=datetime(2026, 6, 1, tzinfo=UTC),
        meeting_ends_at=datetime(2026, 6, 2, tzinfo=UTC),
    )
    recomputed = draw(recorded.seed, recorded.candidates, len(recorded.sitting_expert_ids), 1)
    assert list(recomputed.sitting) == recorded.sitting_expert_ids
    assert list(recomputed.reserves) == recorded.reserve_expert_ids


def test_nat_4_too_few_experts_to_draw_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        draw(new_seed(), MEMBERS[:3], 3, 1)
    assert (err.value.code, err.value.rule) == ("not_enough_experts", "NAT-4")


def test_nat_4_the_sitting_size_is_odd_and_the_reserves_bounded() -> None:
    check_sitting_size(5, 2)
    for sitting, reserves, code in ((4, 0, "sitting_size_even"), (5, 21, "too_many_reserves")):
        with pytest.raises(InvalidInput) as err:
            check_sitting_size(sitting, reserves)
        assert err.value.code == code


def test_nat_4_an_expert_of_the_candidates_employer_is_recused() -> None:
    employers = {"e1": "hospital", "e2": "clinic", "e3": "hospital"}
    assert same_employer_recusals(employers, {"a1": "hospital", "a2": "school"}) == {"a1": ["e1", "e3"]}


def test_nat_4_a_reserve_steps_in_only_up_to_the_quorum_in_drawn_order() -> None:
    sitting, reserves = ["s1", "s2", "s3"], ["r1", "r2"]
    present = [*sitting, *reserves]
    assert candidate_judges(sitting, reserves, present, set()) == sitting
    # One sitting expert recused: 2 of 3 is already the quorum (2/3), no reserve needed.
    assert candidate_judges(sitting, reserves, present, {"s1"}) == ["s2", "s3"]
    # Two recused: 1 of 3 is below; the first reserve steps in (2 of 3).
    assert candidate_judges(sitting, reserves, present, {"s1", "s2"}) == ["s3", "r1"]
    # The first reserve recused too, or absent: the next one steps in.
    assert candidate_judges(sitting, reserves, present, {"s1", "s2", "r1"}) == ["s3", "r2"]
    assert candidate_judges(sitting, reserves, ["s3", "r2"], {"s1", "s2"}) == ["s3", "r2"]


# -- the session: ballot forms, votes on recused candidates, the tally per candidate's judges ----------------


def _session(*extra: SessionEvent, present: list[str] | None = None) -> Session:
    history: list[SessionEvent] = [
        CommitteeSessionOpened(
            session_id="s1",
            committee_id="c1",
            year=2026,
            series="卫生系列",
            level="intermediate",
            application_ids=["a1", "a2"],
            expert_ids=["s1", "s2", "s3"],
            workflow_id="committee-session-s1",
        ),
        ExpertsDrawn(
            session_id="s1",
            seed="seed",
            candidates=["r1", "s1", "s2", "s3"],
            excluded={"x9": "同一时间已在其他评审会议（NAT-4）"},
            sitting_expert_ids=["s1", "s2", "s3"],
            reserve_expert_ids=["r1"],
            recusals={"a1": ["s1"]},  # s1 works at a1's employer
            meeting_starts_at=datetime(2026, 6, 1, tzinfo=UTC),
            meeting_ends_at=datetime(2026, 6, 2, tzinfo=UTC),
        ),
        *extra,
    ]
    if present is not None:
        history.append(AttendanceRecorded(session_id="s1", present_expert_ids=present))
    session = Session.from_events(
        [envelope("review-service", e, stream_id="s1", version=v) for v, e in enumerate(history, 1)]
    )
    assert session is not None
    return session


def _vote(session: Session, expert: str, votes: dict[str, str]) -> None:
    cast(session, expert, votes)


def test_nat_4_an_expert_of_the_candidates_employer_has_no_line_for_that_candidate() -> None:
    session = _session(present=["s1", "s2", "s3", "r1"])
    assert session.ballot_form("s1") == ["a2"]
    assert session.ballot_form("s2") == ["a1", "a2"]
    assert session.ballot_form("r1") == []  # 2 of 3 judge a1: no reserve needed
    with pytest.raises(InvalidInput) as err:
        session.cast_ballot("s1", {"a1": "yes", "a2": "yes"})
    assert (err.value.code, err.value.rule, err.value.field) == ("recused_candidate", "NAT-4", "votes")
    with pytest.raises(InvalidInput) as err:
        session.cast_ballot("s2", {"a1": "yes"})
    assert err.value.code == "ballot_incomplete"
    with pytest.raises(InvalidInput) as err:
        session.cast_ballot("r1", {"a1": "yes"})
    assert (err.value.code, err.value.rule) == ("nothing_to_judge", "NAT-4")


def test_nat_4_a_declared_conflict_takes_the_candidate_off_the_form_and_a_reserve_steps_in() -> None:
    session = _session(present=["s1", "s2", "s3", "r1"])
    declared = session.declare_conflict("s2", "a1", "系其导师")
    assert isinstance(declared, ConflictDeclared)
    session.apply(declared)
    assert session.judges("a1") == ["s3", "r1"]
    assert session.ballot_form("r1") == ["a1"]
    with pytest.raises(Conflict) as conflict:
        session.declare_conflict("s2", "a1", "again")
    assert conflict.value.code == "conflict_already_declared"
    with pytest.raises(InvalidInput):
        session.declare_conflict("stranger", "a1", "?")


def test_nat_4_no_conflict_declared_once_the_vote_began() -> None:
    session = _session(present=["s1", "s2", "s3"])
    _vote(session, "s2", {"a1": "yes", "a2": "yes"})
    with pytest.raises(Conflict) as err:
        session.declare_conflict("s3", "a2", "late")
    assert (err.value.code, err.value.rule) == ("voting_started", "NAT-4")


def test_nat_2_with_nat_4_two_thirds_count_only_the_candidates_judges() -> None:
    session = _session(present=["s1", "s2", "s3"])
    _vote(session, "s1", {"a2": "no"})
    _vote(session, "s2", {"a1": "yes", "a2": "yes"})
    _vote(session, "s3", {"a1": "yes", "a2": "yes"})
    tallied = tally(session)
    assert tallied is not None
    results = {r.application_id: r for r in tallied.results}
    # a1: judged by s2 and s3 only (s1 recused): 2 yes of 2 judges passes, though 2 of 3 present.
    assert (results["a1"].judges, results["a1"].yes, results["a1"].passed) == (2, 2, True)
    assert (results["a2"].judges, results["a2"].yes, results["a2"].passed) == (3, 2, True)


def test_nat_4_a_candidate_with_too_few_judges_does_not_pass() -> None:
    session = _session(ConflictDeclared(session_id="s1", expert_id="s2", application_id="a1", reason="亲属"))
    session.apply(AttendanceRecorded(session_id="s1", present_expert_ids=["s1", "s2", "s3"]))  # the reserve is absent
    assert session.judges("a1") == ["s3"]
    _vote(session, "s3", {"a1": "yes", "a2": "yes"})
    tallied = tally(session)
    assert tallied is not None
    a1 = next(r for r in tallied.results if r.application_id == "a1")
    assert (a1.judges, a1.yes, a1.passed) == (1, 1, False)  # 1 of 3 sitting is below the quorum


def test_nat_4_attendance_names_only_drawn_experts() -> None:
    session = _session()
    assert session.record_attendance(["s1", "r1"]).present_expert_ids == ["s1", "r1"]
    with pytest.raises(InvalidInput) as err:
        session.record_attendance(["s1", "x9"])
    assert err.value.code == "not_committee_experts"
