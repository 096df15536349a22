"""Grassroots: SCHED-2, POL-GR-1, POL-GR-2, POL-GR-3, POL-GR-4."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application_service.domain.policy import (
    DEFAULT_PARAMETERS,
    Application,
    PolicyParameters,
    RuleOutcome,
    ThreeLongTwoOutstanding,
    evaluate,
    years,
)
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

from .builders import AS_OF, FACTORY, REGISTRIES, SCHEDULE, SOE, ctx, teacher, with_applicant, with_target, with_work


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
    """基层事业单位 only: a county-level private or state-owned enterprise is not in it."""
    for employer in (FACTORY, SOE):
        app = with_applicant(
            with_target(teacher(), level="deputy_senior", track="grassroots"),
            employer=replace(employer, grassroots=True),
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


OFFICE = PolicyParameters(
    long_grassroots_years=15, long_tenure_years=10, long_at_one_post_level_years=10, near_retirement_years=5
)


def gr3(facts: ThreeLongTwoOutstanding | None, params: PolicyParameters = OFFICE) -> RuleOutcome:
    return pol_gr_3_three_long_two_outstanding(ctx(replace(teacher(), three_long_two_outstanding=facts), params=params))


def test_POL_GR_3_without_office_settings_nothing_is_presented_as_policy() -> None:
    """The notice gives no figures: with the defaults (None) the "long" criteria are not assessed."""
    assert DEFAULT_PARAMETERS.long_grassroots_years is None and DEFAULT_PARAMETERS.near_retirement_years is None
    o = gr3(three(), DEFAULT_PARAMETERS)
    assert o.outcome == "warn" and o.binding == "advisory" and o.details["priority"] is None
    assert "未设定" in o.explanation_zh and "非政策规定" in o.explanation_zh
    assert "在分配岗位使用计划时" in o.explanation_zh
    assert o.details["criteria"]["基层工作时间长"] is None and o.details["near_retirement"] is None
    assert o.details["office_settings"]["long_grassroots_years"] is None


def test_POL_GR_3_with_the_office_settings_near_retirement_gets_priority_in_post_allocation() -> None:
    o = gr3(three())
    assert o.outcome == "pass" and o.details["priority"] is True and o.details["near_retirement"] is True
    assert "临近退休" in o.explanation_zh and "在分配岗位使用计划时" in o.explanation_zh
    assert "职改办设定的标准" in o.explanation_zh


def test_POL_GR_3_boundaries_of_the_office_settings() -> None:
    at = three(grassroots_years=15, tenure_years=10, years_at_one_post_level=10, years_to_retirement=5)
    assert gr3(at).details["priority"] is True
    o = gr3(three(grassroots_years=14))
    assert o.outcome == "not_applicable" and "缺少基层工作时间长" in o.explanation_zh


def test_POL_GR_3_never_fails_and_is_not_applicable_without_facts() -> None:
    assert gr3(None).outcome == "not_applicable"
    o = gr3(three(outstanding_since_current_title=False, years_to_retirement=None))
    assert o.outcome == "not_applicable" and o.details["near_retirement"] is None
    # A missing outstanding record is known without any setting.
    assert gr3(three(outstanding_before_current_title=False), DEFAULT_PARAMETERS).outcome == "not_applicable"


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


def test_SCHED_2_POL_GR_1_and_POL_GR_4_failures_bind_hard_GR_2_and_GR_3_are_advisory() -> None:
    unmarked = with_target(teacher(), series="会计系列", track="grassroots")
    assert sched_2_grassroots_track_only_for_marked_series(ctx(unmarked)).binding == "hard"
    city_unit = with_applicant(
        with_target(teacher(), level="deputy_senior", track="grassroots"),
        employer=Employer("public_institution", "平凉市第一中学", grassroots=False),
    )
    assert pol_gr_1_grassroots_separate_total(ctx(city_unit)).binding == "hard"
    assert pol_gr_4_farmer_and_local_talent(ctx(farmer("local_talent_direct", selected=False))).binding == "hard"
    assert pol_gr_2_rural_not_limited_by_quota(ctx(rural("intermediate", years(25)))).binding == "advisory"
    assert gr3(three()).binding == "advisory"


def test_POL_GR_4_a_failed_direct_appointment_goes_to_no_route_of_its_own() -> None:
    report = evaluate(farmer("local_talent_direct", selected=False), REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert report.route == "committee" and not report.eligible
    assert [b.rule_id for b in report.blocking] == ["POL-GR-4"]
