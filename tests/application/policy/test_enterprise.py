"""Enterprises and off-staff employees: POL-EN-1, POL-EN-2, POL-EN-3, POL-EN-4."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application_service.domain.policy import Application, Education, years
from application_service.domain.policy.enterprise import (
    OFF_STAFF_REMARK,
    pol_en_1_enterprise_professionals_may_apply,
    pol_en_2_enterprise_not_limited_by_posts,
    pol_en_3_major_mismatch,
    pol_en_4_off_staff_treated_like_on_staff,
)
from hypothesis import given
from hypothesis import strategies as st

from .builders import FACTORY, INSTITUTE, SOE, ctx, teacher, with_applicant, with_target, with_work


def engineer(**applicant: Any) -> Application:
    app = with_target(teacher(), series="工程系列", specialty="机械")
    return with_applicant(app, **{"employer": FACTORY, **applicant})


def test_POL_EN_1_enterprise_professional_from_outside_the_city_applies_through_the_employer() -> None:
    o = pol_en_1_enterprise_professionals_may_apply(ctx(engineer(household_outside_city=True)))
    assert o.outcome == "pass" and "户籍不在本市，不影响申报" in o.explanation_zh


def test_POL_EN_1_scope_is_an_enterprise_in_the_city_and_the_employer_is_a_channel_it_may_use() -> None:
    """ "市内各类企业……可通过其所在单位进行职称申报": outside the city fails (hard); another channel is a "可"."""
    other_channel = pol_en_1_enterprise_professionals_may_apply(ctx(engineer(applied_through_employer=False)))
    assert other_channel.outcome == "warn" and "需核实申报渠道" in other_channel.explanation_zh
    outside = engineer(employer=replace(FACTORY, in_city=False))
    assert pol_en_1_enterprise_professionals_may_apply(ctx(outside)).outcome == "fail"
    assert pol_en_1_enterprise_professionals_may_apply(ctx(teacher())).outcome == "not_applicable"


def test_POL_EN_2_enterprises_are_not_limited_by_posts() -> None:
    o = pol_en_2_enterprise_not_limited_by_posts(ctx(engineer()))
    assert o.outcome == "pass" and o.details["not_limited_by_posts"] is True
    assert pol_en_2_enterprise_not_limited_by_posts(ctx(teacher())).outcome == "not_applicable"


def mismatch(months: int, education: Any = "bachelor") -> Application:
    app = replace(teacher(), education=Education(education, major_matches_work=False))
    return with_work(app, months_in_current_specialty=months)


def test_POL_EN_3_major_mismatch_accepted_at_3_years_refused_at_2_years_11_months() -> None:
    assert pol_en_3_major_mismatch(ctx(mismatch(years(3)))).outcome == "pass"
    o = pol_en_3_major_mismatch(ctx(mismatch(years(2, 11))))
    assert o.outcome == "fail" and "2年11个月，未满3年" in o.explanation_zh


def test_POL_EN_3_major_mismatch_still_needs_the_required_education() -> None:
    o = pol_en_3_major_mismatch(ctx(mismatch(years(8), "junior_college")))
    assert o.outcome == "fail" and "学历（大专）未达到本科的要求" in o.explanation_zh


def test_POL_EN_3_without_a_known_requirement_is_a_warning_and_matching_major_is_not_applicable() -> None:
    unknown = with_target(mismatch(years(5)), series="档案系列")
    assert pol_en_3_major_mismatch(ctx(unknown)).outcome == "warn"
    assert pol_en_3_major_mismatch(ctx(teacher())).outcome == "not_applicable"


@given(months=st.integers(min_value=0, max_value=years(10)))
def test_POL_EN_3_property_passes_iff_36_months(months: int) -> None:
    assert (pol_en_3_major_mismatch(ctx(mismatch(months))).outcome == "pass") is (months >= 36)


def off_staff(stated: bool = True) -> Application:
    return with_applicant(teacher(), employer=INSTITUTE, staff_status="off_staff", off_staff_stated_by_employer=stated)


def test_POL_EN_4_off_staff_in_a_public_institution_is_not_limited_by_post_numbers() -> None:
    o = pol_en_4_off_staff_treated_like_on_staff(ctx(off_staff()))
    assert o.outcome == "pass" and o.details["not_limited_by_posts"] is True
    assert o.details["remark"] == OFF_STAFF_REMARK


def test_POL_EN_4_employer_must_state_the_off_staff_status_when_recommending() -> None:
    o = pol_en_4_off_staff_treated_like_on_staff(ctx(off_staff(stated=False)))
    assert o.outcome == "warn" and "备注说明" in o.explanation_zh


def test_POL_EN_4_not_applicable_to_on_staff_or_to_enterprises() -> None:
    assert pol_en_4_off_staff_treated_like_on_staff(ctx(teacher())).outcome == "not_applicable"
    ent = engineer(staff_status="off_staff")
    assert pol_en_4_off_staff_treated_like_on_staff(ctx(ent)).outcome == "not_applicable"


def test_POL_EN_1_and_EN_2_apply_to_a_state_owned_enterprise_as_to_a_private_one() -> None:
    """ "市内各类企业": a 国有企业 is an enterprise, not a public institution."""
    soe = engineer(employer=SOE)
    assert pol_en_1_enterprise_professionals_may_apply(ctx(soe)).outcome == "pass"
    o = pol_en_2_enterprise_not_limited_by_posts(ctx(soe))
    assert o.outcome == "pass" and o.details["not_limited_by_posts"] is True


def test_POL_EN_4_not_applicable_to_an_off_staff_employee_of_a_state_owned_enterprise() -> None:
    """事业单位编外 only: the off-staff policy does not reach a 国有企业's employees."""
    o = pol_en_4_off_staff_treated_like_on_staff(ctx(engineer(employer=SOE, staff_status="off_staff")))
    assert o.outcome == "not_applicable" and o.details["not_limited_by_posts"] is False


def test_POL_EN_1_and_EN_3_bind_hard_EN_2_and_EN_4_are_advisory() -> None:
    outside = engineer(employer=replace(FACTORY, in_city=False))
    assert pol_en_1_enterprise_professionals_may_apply(ctx(outside)).binding == "hard"
    assert pol_en_3_major_mismatch(ctx(mismatch(years(2, 11)))).binding == "hard"
    assert pol_en_2_enterprise_not_limited_by_posts(ctx(engineer())).binding == "advisory"
    assert pol_en_4_off_staff_treated_like_on_staff(ctx(off_staff())).binding == "advisory"
