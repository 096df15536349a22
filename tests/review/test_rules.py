"""Pure rules of a committee session: NAT-1 quorum, NAT-2 pass threshold and secret ballot,
NAT-3 working-day publicity, NAT-6 committee size, POL-PB-1 holding, document numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from review_service.domain import events as ev
from review_service.domain.committee import form_committee
from review_service.domain.documents import document_id_for, document_number
from review_service.domain.errors import ReviewConflict, ReviewError
from review_service.domain.rules import (
    BEIJING,
    CommitteeSizeRule,
    ballot_passes,
    check_committee_size,
    publicity_end,
    quorum_met,
)
from review_service.domain.session import Session
from zhicheng_kernel.envelope import EventEnvelope

DEFAULT = CommitteeSizeRule()


# -- NAT-1 ----------------------------------------------------------------------------------------


def test_quorum_is_met_at_exactly_two_thirds_present_nat1() -> None:
    assert quorum_met(9, 6)
    assert quorum_met(3, 2)
    assert quorum_met(25, 17)  # 17/25 = 0.68 ≥ 2/3


def test_quorum_fails_one_expert_below_two_thirds_nat1() -> None:
    assert not quorum_met(9, 5)
    assert not quorum_met(25, 16)  # 16/25 = 0.64
    assert not quorum_met(0, 0)


# -- NAT-2 ----------------------------------------------------------------------------------------


def test_candidate_passes_with_yes_of_exactly_two_thirds_of_present_nat2() -> None:
    assert ballot_passes(4, 6)
    assert ballot_passes(6, 9)


def test_candidate_fails_one_yes_below_two_thirds_of_present_nat2() -> None:
    assert not ballot_passes(3, 6)
    assert not ballot_passes(5, 9)
    assert not ballot_passes(0, 0)


# -- NAT-6 ----------------------------------------------------------------------------------------


def test_committee_with_even_number_of_experts_is_refused_nat6() -> None:
    with pytest.raises(ReviewError) as err:
        check_committee_size("intermediate", 6, by_specialty=False, rule=DEFAULT)
    assert err.value.code == "committee_size_even"


def test_senior_committee_by_series_needs_25_experts_nat6() -> None:
    check_committee_size("senior", 25, by_specialty=False, rule=DEFAULT)
    with pytest.raises(ReviewError) as err:
        check_committee_size("deputy_senior", 23, by_specialty=False, rule=DEFAULT)
    assert err.value.code == "committee_too_small"


def test_senior_committee_by_specialty_needs_11_experts_nat6() -> None:
    check_committee_size("senior", 11, by_specialty=True, rule=DEFAULT)
    with pytest.raises(ReviewError):
        check_committee_size("senior", 9, by_specialty=True, rule=DEFAULT)


def test_intermediate_committee_has_no_national_minimum_but_a_configurable_one_nat6() -> None:
    check_committee_size("intermediate", 5, by_specialty=False, rule=DEFAULT)
    with pytest.raises(ReviewError):
        check_committee_size("intermediate", 5, by_specialty=False, rule=CommitteeSizeRule(other_minimum=7))


def test_forming_a_committee_drops_duplicate_experts_before_counting_nat6() -> None:
    with pytest.raises(ReviewError):
        form_committee(
            "c1",
            name="n",
            series="工程",
            level="intermediate",
            organizing_org_id="o",
            expert_ids=["a", "b", "b"],  # three names, two experts: even
            specialty=None,
            size_rule=DEFAULT,
        )


# -- NAT-3 ----------------------------------------------------------------------------------------


def test_publicity_counts_five_chinese_working_days_skipping_weekends_nat3() -> None:
    # Published Monday 2026-06-08 10:00 Beijing: Tue..Fri and Mon 06-15 → ends 2026-06-16 00:00.
    start = datetime(2026, 6, 8, 10, 0, tzinfo=BEIJING)
    assert publicity_end(start, 5) == datetime(2026, 6, 16, 0, 0, tzinfo=BEIJING)


def test_publicity_skips_national_day_holiday_and_counts_adjusted_working_days_nat3() -> None:
    import chinese_calendar

    start = datetime(2026, 9, 30, 9, 0, tzinfo=BEIJING)
    end = publicity_end(start, 5).date()
    counted = [
        d
        for d in (date.fromordinal(o) for o in range(date(2026, 10, 1).toordinal(), end.toordinal()))
        if chinese_calendar.is_workday(d)
    ]
    assert len(counted) == 5
    assert end > date(2026, 10, 8)  # the Golden Week holiday is not counted


# -- NAT-2 secret ballot and POL-PB-1 on the session aggregate ------------------------------------


def _envelope(version: int, event_type: str, payload: dict[str, object]) -> EventEnvelope:
    return EventEnvelope.model_validate(
        {
            "event_id": f"00000000-0000-0000-0000-{version:012d}",
            "event_type": event_type,
            "schema_version": 1,
            "source": "review-service",
            "stream_id": "s1",
            "stream_type": ev.SESSION,
            "version": version,
            "position": version,
            "occurred_at": datetime.now(UTC),
            "actor": "t",
            "correlation_id": "00000000-0000-0000-0000-000000000000",
            "causation_id": None,
            "payload": payload,
        }
    )


def _session(experts: int = 3, present: int | None = 3) -> Session:
    ids = [f"e{i}" for i in range(experts)]
    history = [
        _envelope(
            1,
            ev.SESSION_OPENED,
            {
                "session_id": "s1",
                "committee_id": "c1",
                "year": 2026,
                "series": "工程",
                "level": "intermediate",
                "application_ids": ["a1", "a2"],
                "expert_ids": ids,
                "workflow_id": "committee-session-s1",
            },
        )
    ]
    if present is not None:
        history.append(_envelope(2, ev.ATTENDANCE_RECORDED, {"session_id": "s1", "present_expert_ids": ids[:present]}))
    session = Session.from_events(history)
    assert session is not None
    return session


def test_ballot_event_carries_no_expert_id_nat2() -> None:
    event = _session().cast_ballot("e0", {"a1": "yes", "a2": "no"})
    assert event.payload == {"session_id": "s1", "ballot_no": 1, "votes": {"a1": "yes", "a2": "no"}}
    assert "e0" not in repr(event.payload)


def test_absent_expert_cannot_vote_no_proxy_nat2() -> None:
    with pytest.raises(ReviewError) as err:
        _session(present=2).cast_ballot("e2", {"a1": "yes", "a2": "yes"})
    assert err.value.code == "expert_not_present"


def test_no_ballot_after_the_tally_nat2() -> None:
    session = _session()
    tallied = session.tally_votes()
    assert tallied is not None
    session.apply(tallied.event_type, tallied.payload)
    with pytest.raises(ReviewConflict):
        session.cast_ballot("e0", {"a1": "yes", "a2": "yes"})
    assert session.tally_votes() is None  # tallying twice changes nothing


def test_tally_fails_everyone_without_quorum_nat1() -> None:
    session = _session(experts=5, present=3)  # 3/5 < 2/3
    for expert in ("e0", "e1", "e2"):
        ballot = session.cast_ballot(expert, {"a1": "yes", "a2": "yes"})
        session.apply(ballot.event_type, ballot.payload)
    tallied = session.tally_votes()
    assert tallied is not None
    assert tallied.payload["quorum_met"] is False
    assert [r["passed"] for r in tallied.payload["results"]] == [False, False]


def test_tally_passes_with_two_thirds_of_present_and_fails_below_nat2() -> None:
    session = _session(experts=3, present=3)
    for expert, vote_a2 in (("e0", "yes"), ("e1", "yes"), ("e2", "no")):
        ballot = session.cast_ballot(expert, {"a1": "yes", "a2": vote_a2 if expert != "e1" else "abstain"})
        session.apply(ballot.event_type, ballot.payload)
    tallied = session.tally_votes()
    assert tallied is not None
    results = {r["application_id"]: r for r in tallied.payload["results"]}
    assert results["a1"] == {"application_id": "a1", "yes": 3, "no": 0, "abstain": 0, "passed": True}
    assert results["a2"]["yes"] == 1 and not results["a2"]["passed"]


def test_open_complaint_holds_only_that_candidate_after_publicity_pol_pb1() -> None:
    session = _session()
    for expert in ("e0", "e1", "e2"):
        ballot = session.cast_ballot(expert, {"a1": "yes", "a2": "yes"})
        session.apply(ballot.event_type, ballot.payload)
    decisions = (
        lambda: session.tally_votes(),
        lambda: session.publish_results(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC)),
        lambda: session.file_complaint("k1", "a2", "学历造假", datetime(2026, 6, 2, tzinfo=UTC)),
    )
    for decide in decisions:
        event = decide()
        assert event is not None
        session.apply(event.event_type, event.payload)
    assert session.issuable(datetime(2026, 6, 7, tzinfo=UTC)) == ([], [], [])  # NAT-3: not before the end
    assert session.issuable(datetime(2026, 6, 9, tzinfo=UTC)) == (["a1"], ["a2"], [])
    with pytest.raises(ReviewConflict):
        session.close()
    resolved = session.resolve_complaint("k1", "upheld")
    session.apply(resolved.event_type, resolved.payload)
    assert session.issuable(datetime(2026, 6, 9, tzinfo=UTC)) == (["a1"], [], ["a2"])


def test_complaint_outside_publicity_is_refused_pol_pb1() -> None:
    with pytest.raises(ReviewConflict):
        _session().file_complaint("k1", "a1", "x", datetime.now(UTC))


def test_document_number_is_sequenced_per_year_and_id_derived_from_application() -> None:
    assert document_number("平人社职称", 2026, 1) == "平人社职称〔2026〕00001号"
    assert document_id_for("a1") == document_id_for("a1") != document_id_for("a2")
