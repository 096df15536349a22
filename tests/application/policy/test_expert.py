"""Expert recommendation: POL-ER-1, POL-ER-2, POL-ER-3."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from application_service.domain.policy import Application, ExpertRecommendation, evaluate
from application_service.domain.policy.expert import (
    pol_er_1_expert_recommendation_counts,
    pol_er_2_expert_recommendation_exclusions,
    pol_er_3_recommendation_misconduct,
)
from hypothesis import given
from hypothesis import strategies as st

from .builders import AS_OF, REGISTRIES, SCHEDULE, ctx, teacher


def recommended(**changes: Any) -> Application:
    rec = replace(ExpertRecommendation(True, True, blind_approvals=4, blind_total=5), **changes)
    return replace(teacher(), expert_recommendation=rec)


def test_POL_ER_1_two_thirds_of_blind_reviewers_is_enough_3_of_5_is_not() -> None:
    assert pol_er_1_expert_recommendation_counts(ctx(recommended(blind_approvals=2, blind_total=3))).outcome == "pass"
    assert pol_er_1_expert_recommendation_counts(ctx(recommended(blind_approvals=4, blind_total=6))).outcome == "pass"
    o = pol_er_1_expert_recommendation_counts(ctx(recommended(blind_approvals=3, blind_total=5)))
    assert o.outcome == "excluded" and "5人中3人同意，未达到2/3" in o.explanation_zh
    assert o.binding == "item" and "撤回" in o.explanation_zh


def test_POL_ER_1_edges_2_of_3_counts_1_of_2_and_1_of_3_do_not() -> None:
    """The engine's input is what the system recorded (domain.recommendation.owned_facts)."""
    assert pol_er_1_expert_recommendation_counts(ctx(recommended(blind_approvals=2, blind_total=3))).outcome == "pass"
    for approvals, total in ((1, 2), (1, 3)):
        o = pol_er_1_expert_recommendation_counts(ctx(recommended(blind_approvals=approvals, blind_total=total)))
        assert o.outcome == "excluded" and f"{total}人中{approvals}人同意，未达到2/3" in o.explanation_zh


def test_POL_ER_1_needs_a_written_application_the_employer_agreed_to() -> None:
    assert pol_er_1_expert_recommendation_counts(ctx(recommended(applied_in_writing=False))).outcome == "excluded"
    assert pol_er_1_expert_recommendation_counts(ctx(recommended(employer_agreed=False))).outcome == "excluded"
    none = recommended(blind_approvals=0, blind_total=0)
    assert pol_er_1_expert_recommendation_counts(ctx(none)).outcome == "excluded"
    assert pol_er_1_expert_recommendation_counts(ctx(teacher())).outcome == "not_applicable"


@given(total=st.integers(min_value=1, max_value=40), data=st.data())
def test_POL_ER_1_property_passes_iff_three_approvals_reach_twice_the_total(total: int, data: st.DataObject) -> None:
    approvals = data.draw(st.integers(min_value=0, max_value=total))
    o = pol_er_1_expert_recommendation_counts(ctx(recommended(blind_approvals=approvals, blind_total=total)))
    assert (o.outcome == "pass") is (3 * approvals >= 2 * total)


def test_POL_ER_1_inconsistent_counts_are_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        ExpertRecommendation(True, True, blind_approvals=6, blind_total=5)


CASES = {
    1: {"employer_agreed": False},
    2: {"recommends_established_results": True},
    3: {"benefit_at_level": False},
    4: {"expert_knew_policy": False},
    5: {"expert_knows_applicant": False},
    6: {"expert_has_small_scope_senior_title": True},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_POL_ER_2_each_of_the_six_exclusions_is_reported_on_its_own(case: int) -> None:
    o = pol_er_2_expert_recommendation_exclusions(ctx(recommended(**CASES[case])))
    assert o.outcome == "excluded" and o.binding == "item"
    assert [k for k, hit in o.details["cases"].items() if hit] == [f"case_{case}"]
    assert f"（{case}）" in o.explanation_zh and "不按具备一条业绩对待" in o.explanation_zh


def test_POL_ER_2_case_3_and_case_4_cover_each_of_their_parts() -> None:
    for change in ({"has_benefit": False}, {"benefit_at_level": False}):
        assert pol_er_2_expert_recommendation_exclusions(ctx(recommended(**change))).details["cases"]["case_3"]
    for flag in (
        "applicant_in_good_standing",
        "expert_in_good_standing",
        "applicant_knew_policy",
        "expert_knew_policy",
    ):
        assert pol_er_2_expert_recommendation_exclusions(ctx(recommended(**{flag: False}))).details["cases"]["case_4"]


def test_POL_ER_2_several_cases_at_once_and_a_clean_recommendation() -> None:
    o = pol_er_2_expert_recommendation_exclusions(ctx(recommended(**CASES[2], **CASES[6])))
    assert sum(o.details["cases"].values()) == 2
    assert pol_er_2_expert_recommendation_exclusions(ctx(recommended())).outcome == "pass"


def test_POL_ER_3_misconduct_cancels_the_year_and_a_false_recommendation_blacklists() -> None:
    o = pol_er_3_recommendation_misconduct(ctx(recommended(misconduct_found=True)))
    assert (
        o.outcome == "fail"
        and o.binding == "hard"
        and o.details["cancelled_for_year"] == 2021
        and o.details["blacklist"] is False
    )
    assert "取消申报人2021年度职称评审资格" in o.explanation_zh
    false = pol_er_3_recommendation_misconduct(ctx(recommended(recommendation_false=True)))
    assert false.outcome == "fail" and false.details["blacklist"] is True and "黑名单" in false.explanation_zh


def test_POL_ER_3_clean_recommendation_still_rechecked_by_every_level() -> None:
    o = pol_er_3_recommendation_misconduct(ctx(recommended()))
    assert o.outcome == "pass" and o.details["recheck_every_level"] is True
    assert pol_er_3_recommendation_misconduct(ctx(teacher())).outcome == "not_applicable"


def test_POL_ER_2_a_recommendation_that_does_not_count_is_withdrawn_the_application_stands() -> None:
    """ "不按具备一条业绩对待 … 劝本人撤回该业绩": the item goes, not the application."""
    report = evaluate(recommended(**CASES[6]), REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert report.eligible and report.blocking == []
    (item,) = report.excluded_items
    assert (item.item, item.ref, item.rule_id) == ("expert_recommendation", "expert_recommendation", "POL-ER-2")
    assert "撤回" in item.explanation_zh


def test_POL_ER_3_misconduct_makes_the_application_ineligible_and_blocks() -> None:
    report = evaluate(recommended(misconduct_found=True), REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert not report.eligible and [o.rule_id for o in report.blocking] == ["POL-ER-3"]
