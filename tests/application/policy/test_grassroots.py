"""Grassroots: SCHED-2, POL-GR-1, POL-GR-2, POL-GR-3, POL-GR-4."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application_service.domain.policy import Application, ThreeLongTwoOutstanding, years
from application_service.domain.policy.grassroots import (
    pol_gr_1_grassroots_separate_total,
    pol_gr_2_rural_not_limited_by_quota,
    pol_gr_3_three_long_two_outstanding,
    pol_gr_4_farmer_and_local_talent,
    sched_2_grassroots_track_only_for_marked_series,
)
from application_service.domain.policy.model import Employer
from hypothesis import given
from hypothesis import strategies as st

from .builders import FACTORY, ctx, teacher, with_applicant, with_target, with_work


def rural(level: Any, months: int, hard: bool = True) -> Application:
    return with_work(with_target(teacher(), level=level), rural_months=months, hard_remote_area=hard)


# -- SCHED-2 ------------------------------------------------------------------------------------


def test_SCHED_2_grassroots_track_accepted_for_a_marked_series() -> None:
    o = sched_2_grassroots_track_only_for_marked_series(ctx(with_target(teacher(), track="grassroots")))
    assert o.outcome == "pass" and o.rule_id == "SCHED-2"


def test_SCHED_2_grassroots_track_refused_for_an_unmarked_series_with_the_existing_message() -> None:
    app = with_target(teacher(), series="会计系列", track="grassroots")
    o = sched_2_grassroots_track_only_for_marked_series(ctx(app))
    assert o.outcome == "fail" and o.details["code"] == "grassroots_track_not_offered"
    assert "不是“含基层有效”的系列" in o.explanation_zh


def test_SCHED_2_unknown_series_on_the_grassroots_track_fails_and_normal_track_is_not_applicable() -> None:
    app = with_target(teacher(), series="不存在系列", track="grassroots")
    assert sched_2_grassroots_track_only_for_marked_series(ctx(app)).details["code"] == "unknown_series"
    assert sched_2_grassroots_track_only_for_marked_series(ctx(teacher())).outcome == "not_applicable"


# -- POL-GR-1 -----------------------------------------------------------------------------------


def test_POL_GR_1_grassroots_senior_post_of_a_public_institution_is_a_separate_total() -> None:
    app = with_target(teacher(), level="deputy_senior", track="grassroots")
    o = pol_gr_1_grassroots_separate_total(ctx(app))
    assert o.outcome == "pass" and o.details["separate_total"] is True
    assert "比例单列" in o.explanation_zh


def test_POL_GR_1_grassroots_intermediate_is_not_in_the_separate_senior_total() -> None:
    o = pol_gr_1_grassroots_separate_total(ctx(with_target(teacher(), track="grassroots")))
    assert o.outcome == "pass" and o.details["separate_total"] is False


def test_POL_GR_1_grassroots_track_needs_a_unit_at_county_level_or_below() -> None:
    app = with_applicant(
        with_target(teacher(), level="deputy_senior", track="grassroots"),
        employer=Employer("public_institution", "平凉市第一中学", grassroots=False),
    )
    assert pol_gr_1_grassroots_separate_total(ctx(app)).outcome == "fail"


def test_POL_GR_1_grassroots_enterprise_is_not_in_the_separate_total() -> None:
    app = with_applicant(
        with_target(teacher(), level="deputy_senior", track="grassroots"), employer=replace(FACTORY, grassroots=True)
    )
    assert pol_gr_1_grassroots_separate_total(ctx(app)).details["separate_total"] is False


# -- POL-GR-2 -----------------------------------------------------------------------------------


def test_POL_GR_2_rural_19_years_intermediate_is_limited_20_is_not() -> None:
    limited = pol_gr_2_rural_not_limited_by_quota(ctx(rural("intermediate", years(19, 11))))
    free = pol_gr_2_rural_not_limited_by_quota(ctx(rural("intermediate", years(20))))
    assert limited.outcome == "not_applicable" and limited.details["quota_exempt"] is False
    assert "19年11个月，未满20年" in limited.explanation_zh
    assert free.outcome == "pass" and free.details["quota_exempt"] is True
    assert "乡村不受指标限制" in free.explanation_zh and free.details["annotation"] == "乡村不受指标限制"


def test_POL_GR_2_rural_senior_needs_30_years_for_deputy_senior_and_senior() -> None:
    for level in ("deputy_senior", "senior"):
        assert pol_gr_2_rural_not_limited_by_quota(ctx(rural(level, years(29, 11)))).outcome == "not_applicable"
        assert pol_gr_2_rural_not_limited_by_quota(ctx(rural(level, years(30)))).outcome == "pass"


def test_POL_GR_2_only_in_hard_remote_areas_and_not_for_junior() -> None:
    assert pol_gr_2_rural_not_limited_by_quota(ctx(rural("intermediate", years(25), hard=False))).outcome == (
        "not_applicable"
    )
    assert pol_gr_2_rural_not_limited_by_quota(ctx(rural("junior", years(25)))).outcome == "not_applicable"


@given(
    level=st.sampled_from(["intermediate", "deputy_senior", "senior"]),
    months=st.integers(min_value=0, max_value=years(45)),
)
def test_POL_GR_2_property_exempt_iff_months_reach_the_threshold(level: str, months: int) -> None:
    threshold = years(20) if level == "intermediate" else years(30)
    o = pol_gr_2_rural_not_limited_by_quota(ctx(rural(level, months)))
    assert o.details["quota_exempt"] is (months >= threshold)
    assert (o.outcome == "pass") is (months >= threshold)


# -- POL-GR-3 -----------------------------------------------------------------------------------


def three(**changes: Any) -> ThreeLongTwoOutstanding:
    base = ThreeLongTwoOutstanding(
        grassroots_years=25,
        tenure_years=12,
        years_at_one_post_level=12,
        outstanding_before_current_title=True,
        outstanding_since_current_title=True,
        years_to_retirement=3,
    )
    return replace(base, **changes)


def test_POL_GR_3_three_long_two_outstanding_near_retirement_gets_priority() -> None:
    o = pol_gr_3_three_long_two_outstanding(ctx(replace(teacher(), three_long_two_outstanding=three())))
    assert o.outcome == "pass" and o.details["priority"] is True and o.details["near_retirement"] is True
    assert o.details["score"] == 6 and "临近退休" in o.explanation_zh


def test_POL_GR_3_boundaries_of_the_assumed_thresholds() -> None:
    at = three(grassroots_years=15, tenure_years=10, years_at_one_post_level=10, years_to_retirement=5)
    below = three(grassroots_years=14)
    assert pol_gr_3_three_long_two_outstanding(ctx(replace(teacher(), three_long_two_outstanding=at))).details[
        "priority"
    ]
    o = pol_gr_3_three_long_two_outstanding(ctx(replace(teacher(), three_long_two_outstanding=below)))
    assert o.outcome == "not_applicable" and "缺少基层工作时间长" in o.explanation_zh


def test_POL_GR_3_never_fails_and_is_not_applicable_without_facts() -> None:
    assert pol_gr_3_three_long_two_outstanding(ctx(teacher())).outcome == "not_applicable"
    weak = three(outstanding_since_current_title=False, years_to_retirement=None)
    o = pol_gr_3_three_long_two_outstanding(ctx(replace(teacher(), three_long_two_outstanding=weak)))
    assert o.outcome == "not_applicable" and o.details["score"] == 4


# -- POL-GR-4 -----------------------------------------------------------------------------------


def farmer(track: Any, level: Any = "deputy_senior", selected: bool = True) -> Application:
    app = with_target(teacher(), series="农村实用技术人才专业", specialty="种植", level=level, track=track)
    return replace(app, local_talent_selected=selected)


def test_POL_GR_4_local_talent_is_directly_appointed_farmer_senior_technician() -> None:
    o = pol_gr_4_farmer_and_local_talent(ctx(farmer("local_talent_direct")))
    assert o.outcome == "pass" and o.details["direct_appointment"] is True
    assert "农民高级技师" in o.explanation_zh


def test_POL_GR_4_direct_appointment_needs_selection_and_the_senior_technician_level() -> None:
    assert pol_gr_4_farmer_and_local_talent(ctx(farmer("local_talent_direct", selected=False))).outcome == "fail"
    assert pol_gr_4_farmer_and_local_talent(ctx(farmer("local_talent_direct", level="intermediate"))).outcome == (
        "fail"
    )


def test_POL_GR_4_farmer_track_follows_the_rural_practical_talent_measures() -> None:
    assert pol_gr_4_farmer_and_local_talent(ctx(farmer("farmer", "intermediate", False))).outcome == "pass"
    wrong_series = with_target(farmer("farmer"), series="农业系列")
    assert pol_gr_4_farmer_and_local_talent(ctx(wrong_series)).outcome == "fail"
    assert pol_gr_4_farmer_and_local_talent(ctx(teacher())).outcome == "not_applicable"
