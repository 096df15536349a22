"""Exceptional promotion: POL-EX-1."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from application_service.domain.policy import (
    Application,
    CurrentTitle,
    Education,
    PolicyContext,
    decide_quota_pool,
    evaluate,
)
from application_service.domain.policy.exceptional import pol_ex_1_exceptional_promotion
from hypothesis import given
from hypothesis import strategies as st

from .builders import AS_OF, REGISTRIES, SCHEDULE, ctx, paper, teacher, with_target, with_work


def breaking(track: Any, months_at_lower: int, **changes: Any) -> Application:
    # 中小学教师 intermediate needs 本科 and 4 years as junior; this teacher has 本科 and the title since 2019.
    app = replace(
        teacher(), current_title=CurrentTitle("junior", date(2019, 9, 1)), outstanding_since_current_title=True
    )
    app = with_work(with_target(app, track=track), months_at_next_lower_post=months_at_lower)
    return replace(app, **changes)


def test_POL_EX_1_single_break_with_12_months_at_the_lower_post_passes_11_fails() -> None:
    ok = pol_ex_1_exceptional_promotion(ctx(breaking("exceptional_single", 12)))
    short = pol_ex_1_exceptional_promotion(ctx(breaking("exceptional_single", 11)))
    assert ok.outcome == "pass" and ok.details["not_limited_by_structure_ratio"] is True
    assert "不受岗位结构比例限制" in ok.explanation_zh
    assert short.outcome == "fail" and "11个月，未满1年" in short.explanation_zh


def test_POL_EX_1_double_break_lacks_both_education_and_years() -> None:
    app = breaking("exceptional_double", 24, education=Education("junior_college"))
    o = pol_ex_1_exceptional_promotion(ctx(app))
    assert o.outcome == "pass" and o.details["lacks_education"] and o.details["lacks_years"]


def test_POL_EX_1_single_break_cannot_cover_both_lacks() -> None:
    app = breaking("exceptional_single", 24, education=Education("junior_college"))
    o = pol_ex_1_exceptional_promotion(ctx(app))
    assert o.outcome == "fail" and "属双破" in o.explanation_zh


def test_POL_EX_1_break_type_mismatches_and_unneeded_breaks_are_warnings() -> None:
    double_but_single = pol_ex_1_exceptional_promotion(ctx(breaking("exceptional_double", 24)))
    assert double_but_single.outcome == "warn" and "实为单破" in double_but_single.explanation_zh
    unneeded = breaking("exceptional_single", 24, current_title=CurrentTitle("junior", date(2015, 9, 1)))
    assert "无须破格" in pol_ex_1_exceptional_promotion(ctx(unneeded)).explanation_zh


def test_POL_EX_1_needs_outstanding_results_since_the_current_title() -> None:
    assert (
        pol_ex_1_exceptional_promotion(
            ctx(breaking("exceptional_single", 24, outstanding_since_current_title=False))
        ).outcome
        == "fail"
    )
    assert (
        pol_ex_1_exceptional_promotion(
            ctx(breaking("exceptional_single", 24, outstanding_since_current_title=None))
        ).outcome
        == "warn"
    )


def test_POL_EX_1_not_applicable_on_the_normal_track() -> None:
    assert pol_ex_1_exceptional_promotion(ctx(teacher())).outcome == "not_applicable"


@given(
    months=st.integers(min_value=0, max_value=60), track=st.sampled_from(["exceptional_single", "exceptional_double"])
)
def test_POL_EX_1_property_fails_below_one_year_at_the_lower_post(months: int, track: str) -> None:
    o = pol_ex_1_exceptional_promotion(ctx(breaking(track, months)))
    assert (o.outcome == "fail") is (months < 12)


def test_POL_EX_1_direct_application_is_not_limited_by_the_structure_ratio() -> None:
    """ "符合破格或直接申报条件，可不受岗位结构比例限制申报": 直接申报 too; its conditions are the series'."""
    o = pol_ex_1_exceptional_promotion(ctx(with_target(teacher(), track="direct_application")))
    assert o.outcome == "warn" and o.details["not_limited_by_structure_ratio"] is True
    assert "直接申报" in o.explanation_zh and o.binding == "hard"
    decision = decide_quota_pool(with_target(teacher(), track="direct_application"), REGISTRIES, AS_OF)
    assert decision.pool == "not_counted" and [r.rule_id for r in decision.reasons] == ["POL-EX-1"]


def test_POL_EX_1_the_series_own_minimum_at_the_lower_post_replaces_the_one_year_floor() -> None:
    """ "具体按各系列条件标准要求执行": the level-requirements registry's minimum, 12 months where it has none."""
    key = ("中小学教师系列", "intermediate")
    two_years = replace(REGISTRIES.requirements[key], min_months_at_lower_post=24)
    registries = replace(REGISTRIES, requirements={**REGISTRIES.requirements, key: two_years})
    short = pol_ex_1_exceptional_promotion(PolicyContext(breaking("exceptional_single", 23), registries, AS_OF))
    assert short.outcome == "fail" and "未满该系列条件标准要求2年" in short.explanation_zh
    assert short.details["required_by"] == "series" and short.details["required_months"] == 24
    ok = pol_ex_1_exceptional_promotion(PolicyContext(breaking("exceptional_single", 24), registries, AS_OF))
    assert ok.outcome == "pass"
    assert pol_ex_1_exceptional_promotion(ctx(breaking("exceptional_single", 12))).details["required_by"] == "notice"


def test_POL_EX_1_a_failure_blocks_approval_and_makes_the_application_ineligible() -> None:
    report = evaluate(
        replace(breaking("exceptional_single", 11), papers=(paper(),)), REGISTRIES, AS_OF, schedule=SCHEDULE
    )
    assert not report.eligible and [(b.rule_id, b.binding) for b in report.blocking] == [("POL-EX-1", "hard")]
