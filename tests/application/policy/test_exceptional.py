"""Exceptional promotion: POL-EX-1."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from application_service.domain.policy import Application, CurrentTitle, Education
from application_service.domain.policy.exceptional import pol_ex_1_exceptional_promotion
from hypothesis import given
from hypothesis import strategies as st

from .builders import ctx, teacher, with_target, with_work


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
