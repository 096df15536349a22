"""POL-ER-1 / POL-ER-3 / NAT-4: the blind review of an expert recommendation as pure decisions — who may
be drawn, the 2/3 edges, anonymous opinions, the reviewer's anonymised view, the office's misconduct
decision. No servers."""

from __future__ import annotations

import dataclasses

import pytest
from review_service.domain.blind_review import (
    BlindReview,
    check_reviewer_count,
    eligible_reviewers,
    recommendation_counts,
    reviewer_view,
)
from review_service.domain.events import (
    BlindReviewConcluded,
    BlindReviewersDrawn,
    BlindReviewOpinionRecorded,
    BlindReviewStalled,
    ExpertRecommendationReceived,
    RecommendationMisconductConfirmed,
    RecommendationMisconductDismissed,
)
from zhicheng_kernel.errors import Conflict, InvalidInput

APPLICANT_ORG = "hospital"
POOL = {"e1": "school", "e2": "institute", "e3": "factory", "e4": APPLICANT_ORG, "recommender": "university"}


def received() -> BlindReview:
    review = BlindReview("rev-1")
    review.apply(
        ExpertRecommendationReceived(
            review_id="rev-1",
            application_id="app-1",
            year=2021,
            series="卫生系列",
            level="intermediate",
            specialty="临床医学",
            applicant_id="applicant-1",
            org_id=APPLICANT_ORG,
            recommending_expert_id="recommender",
            recommendation_text="该同志在基层医疗工作中成绩突出。",
        )
    )
    return review


def drawn(count: int = 3) -> BlindReview:
    review = received()
    for event in review.drawn("seed-1", POOL, count):
        review.apply(event)
    return review


def test_POL_ER_1_two_of_three_counts_one_of_two_and_one_of_three_do_not() -> None:
    assert recommendation_counts(2, 3) and recommendation_counts(3, 3) and not recommendation_counts(3, 5)
    assert not recommendation_counts(1, 2) and not recommendation_counts(1, 3) and not recommendation_counts(0, 0)


def test_POL_ER_1_the_number_of_blind_reviewers_is_odd_and_at_least_three() -> None:
    check_reviewer_count(3)
    check_reviewer_count(5)
    for bad in (1, 2, 4):
        with pytest.raises(ValueError):
            check_reviewer_count(bad)


def test_nat_4_neither_the_recommending_expert_nor_the_applicants_employer_reviews() -> None:
    candidates, excluded = eligible_reviewers(
        POOL, recommending_expert_id="recommender", applicant_org_id=APPLICANT_ORG
    )
    assert candidates == ["e1", "e2", "e3"]
    assert excluded == {"recommender": "recommending_expert", "e4": "same_employer"}
    (event,) = received().drawn("seed-1", POOL, 3)
    assert isinstance(event, BlindReviewersDrawn) and sorted(event.reviewer_ids) == ["e1", "e2", "e3"]
    assert event.excluded == excluded and event.seed == "seed-1"


def test_POL_ER_1_the_same_seed_gives_the_same_reviewers_and_too_few_stalls() -> None:
    pool = {f"e{i}": f"org{i}" for i in range(10)}
    first, second = received().drawn("seed-x", pool, 3), received().drawn("seed-x", pool, 3)
    assert first == second
    (stalled,) = received().drawn("seed-1", POOL, 5)
    assert isinstance(stalled, BlindReviewStalled) and (stalled.available, stalled.needed) == (3, 5)
    review = received()
    review.apply(stalled)
    assert review.status == "stalled"
    with pytest.raises(Conflict):
        drawn().drawn("seed-2", POOL, 3)


def test_POL_ER_1_opinions_carry_no_reviewer_and_the_last_concludes_with_two_thirds() -> None:
    review = drawn()
    assert "reviewer_id" not in BlindReviewOpinionRecorded.model_fields
    for approve in (True, False):
        (event,) = review.opinion(approve=approve, comment="", misconduct_kind=None, misconduct_detail=None)
        review.apply(event)
    recorded, concluded = review.opinion(approve=True, comment="同意", misconduct_kind=None, misconduct_detail=None)
    assert isinstance(recorded, BlindReviewOpinionRecorded) and isinstance(concluded, BlindReviewConcluded)
    assert (concluded.approvals, concluded.total, concluded.counts) == (2, 3, True)
    assert concluded.misconduct_reported is False and concluded.application_id == "app-1"
    review.apply(recorded)
    review.apply(concluded)
    assert review.status == "concluded"
    with pytest.raises(Conflict):
        review.opinion(approve=True, comment="", misconduct_kind=None, misconduct_detail=None)


def test_POL_ER_1_one_of_three_does_not_count() -> None:
    review = drawn()
    events = []
    for approve in (True, False, False):
        events = review.opinion(approve=approve, comment="", misconduct_kind=None, misconduct_detail=None)
        for event in events:
            review.apply(event)
    concluded = events[-1]
    assert isinstance(concluded, BlindReviewConcluded) and (concluded.approvals, concluded.counts) == (1, False)


def test_POL_ER_1_the_reviewer_sees_neither_the_applicant_nor_the_employer_nor_other_reviewers() -> None:
    view = reviewer_view(drawn(), answered=False)
    shown = {f.name for f in dataclasses.fields(view)}
    assert shown == {"review_id", "series", "specialty", "level", "recommendation_text", "answered"}
    values = set(map(str, dataclasses.asdict(view).values()))
    assert not values & {"applicant-1", APPLICANT_ORG, "recommender", "e1", "e2", "e3", "app-1"}


def test_POL_ER_3_a_report_needs_detail_and_the_office_confirms_or_dismisses_once() -> None:
    review = drawn()
    with pytest.raises(Conflict) as nothing:
        review.confirm_misconduct("无", "office", None)
    assert nothing.value.code == "no_misconduct_reported"
    with pytest.raises(InvalidInput):
        review.opinion(approve=False, comment="", misconduct_kind="plagiarism", misconduct_detail=" ")
    (report,) = review.opinion(
        approve=False, comment="", misconduct_kind="plagiarism", misconduct_detail="第二段抄自他人论文"
    )
    review.apply(report)
    with pytest.raises(InvalidInput):
        review.confirm_misconduct("核实", "office", "fabrication")  # not what was reported
    (confirmed,) = review.confirm_misconduct("经核实属实", "office", None)
    assert isinstance(confirmed, RecommendationMisconductConfirmed)
    assert (confirmed.kind, confirmed.recommending_expert_id, confirmed.applicant_id) == (
        "plagiarism",
        "recommender",
        "applicant-1",
    )
    review.apply(confirmed)
    assert review.status == "misconduct_confirmed"
    with pytest.raises(Conflict):
        review.dismiss_misconduct("不成立", "office")
    other = drawn()
    other.apply(report)
    (dismissed,) = other.dismiss_misconduct("不成立", "office")
    assert isinstance(dismissed, RecommendationMisconductDismissed)
