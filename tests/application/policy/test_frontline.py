"""Epidemic front line: POL-FL-1, POL-FL-2, POL-FL-3."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from application_service.domain.policy import Application, FrontLine, FrontLineRoster, PolicyContext, evaluate
from application_service.domain.policy.frontline import (
    pol_fl_1_front_line_carry_over,
    pol_fl_2_front_line_roster_authority,
    pol_fl_3_epidemic_results_replace_paper,
)
from zhicheng_tooling.dev_seed.registries import COUNTY_OFFICIAL_ID, NURSE_ID

from .builders import AS_OF, HOSPITAL, REGISTRIES, SCHEDULE, ctx, paper, teacher, with_applicant, with_target


def nurse(front: FrontLine | None, **changes: Any) -> Application:
    app = with_applicant(teacher(), person_id=NURSE_ID, name="李护士", employer=HOSPITAL)
    app = with_target(app, series="卫生系列", specialty="护理学")
    return replace(app, front_line=front, **changes)


FILED = "PL-WJW-2020-001"


def test_POL_FL_2_medical_staff_on_the_filed_roster_are_front_line() -> None:
    o = pol_fl_2_front_line_roster_authority(ctx(nurse(FrontLine(FILED))))
    assert o.outcome == "pass" and o.rule_id == "POL-FL-2"
    assert "市卫生健康委审核后报省卫生健康委备案" in o.explanation_zh


def test_POL_FL_2_a_hospital_list_not_filed_with_the_province_is_not_authoritative() -> None:
    o = pol_fl_2_front_line_roster_authority(ctx(nurse(FrontLine("HOSP-2020-INTERNAL"))))
    assert o.outcome == "fail"
    assert "未经市卫生健康委审核并报省卫生健康委备案" in o.explanation_zh


def test_POL_FL_2_someone_not_on_the_roster_or_an_unknown_roster_or_no_roster_fails() -> None:
    other = with_applicant(nurse(FrontLine(FILED)), person_id="620802199901010000")
    assert pol_fl_2_front_line_roster_authority(ctx(other)).outcome == "fail"
    assert pol_fl_2_front_line_roster_authority(ctx(nurse(FrontLine("NO-SUCH")))).outcome == "fail"
    assert pol_fl_2_front_line_roster_authority(ctx(nurse(FrontLine(None)))).outcome == "fail"


def test_POL_FL_2_non_medical_scope_is_set_by_county_or_department_with_the_employer() -> None:
    app = with_applicant(nurse(FrontLine("KT-2020-07")), person_id=COUNTY_OFFICIAL_ID)
    assert pol_fl_2_front_line_roster_authority(ctx(app)).outcome == "pass"
    employer_only = FrontLineRoster("EMP-1", medical=False, set_by="employer", members=frozenset({COUNTY_OFFICIAL_ID}))
    registries = replace(REGISTRIES, rosters={"EMP-1": employer_only})
    app = with_applicant(nurse(FrontLine("EMP-1")), person_id=COUNTY_OFFICIAL_ID)
    o = pol_fl_2_front_line_roster_authority(PolicyContext(app, registries, AS_OF))
    assert o.outcome == "fail" and "会同用人单位" in o.explanation_zh


def test_POL_FL_2_not_applicable_without_a_front_line_claim() -> None:
    assert pol_fl_2_front_line_roster_authority(ctx(nurse(None))).outcome == "not_applicable"


def test_POL_FL_1_missed_2020_promotion_still_gets_the_preference_in_2021() -> None:
    o = pol_fl_1_front_line_carry_over(ctx(nurse(FrontLine(FILED, missed_2020_promotion=True))))
    assert o.outcome == "pass" and "2021年度仍可享受" in o.explanation_zh


def test_POL_FL_1_carry_over_does_not_apply_after_the_notice_year() -> None:
    """ "今年仍可享受": in 2022 the carry-over is not applicable, not a warning."""
    app = nurse(FrontLine(FILED, missed_2020_promotion=True))
    o = pol_fl_1_front_line_carry_over(ctx(app, as_of=date(2022, 3, 1)))
    assert o.outcome == "not_applicable" and "不再适用" in o.explanation_zh
    # Not even for someone whose roster cannot be verified: the policy is over, there is nothing to fail.
    unverified = nurse(FrontLine("HOSP-2020-INTERNAL", missed_2020_promotion=True))
    assert pol_fl_1_front_line_carry_over(ctx(unverified, as_of=date(2022, 3, 1))).outcome == "not_applicable"


def test_POL_FL_1_carry_over_needs_the_roster() -> None:
    app = nurse(FrontLine("HOSP-2020-INTERNAL", missed_2020_promotion=True))
    assert pol_fl_1_front_line_carry_over(ctx(app)).outcome == "fail"


def test_POL_FL_1_not_applicable_when_2020_was_not_missed() -> None:
    assert pol_fl_1_front_line_carry_over(ctx(nurse(FrontLine(FILED)))).outcome == "not_applicable"


def test_POL_FL_3_epidemic_results_replace_the_paper_and_its_defense() -> None:
    app = nurse(FrontLine(FILED, epidemic_results=("clinical_treatment", "case_records")))
    o = pol_fl_3_epidemic_results_replace_paper(ctx(app))
    assert o.outcome == "pass"
    assert "临床救治情况、病案病例代替论文答辩" in o.explanation_zh
    assert o.details["paper_required"] is False


def test_POL_FL_3_unlisted_result_kinds_are_left_to_the_committee() -> None:
    app = nurse(FrontLine(FILED, epidemic_results=("社区排查台账",)))
    o = pol_fl_3_epidemic_results_replace_paper(ctx(app))
    assert o.outcome == "warn" and o.details["other_results"] == ["社区排查台账"]


def test_POL_FL_3_no_paper_and_no_results_is_a_warning_not_a_failure() -> None:
    assert pol_fl_3_epidemic_results_replace_paper(ctx(nurse(FrontLine(FILED)))).outcome == "warn"


def test_POL_FL_3_unverified_front_line_without_paper_fails_where_the_level_asks_for_one() -> None:
    unverified = FrontLine("HOSP-2020-INTERNAL", epidemic_results=("work_summary",))
    deputy = with_target(nurse(unverified), level="deputy_senior")
    o = pol_fl_3_epidemic_results_replace_paper(ctx(deputy))
    assert o.outcome == "fail" and o.binding == "hard" and "须提交论文" in o.explanation_zh
    with_paper = replace(deputy, papers=(paper(),))
    assert pol_fl_3_epidemic_results_replace_paper(ctx(with_paper)).outcome == "not_applicable"
    # 卫生系列 intermediate: the registry states no paper requirement, the default is none below deputy-senior.
    assert pol_fl_3_epidemic_results_replace_paper(ctx(nurse(unverified))).outcome == "not_applicable"


def test_POL_FL_3_outside_the_front_line_no_paper_at_deputy_senior_is_a_hard_failure() -> None:
    """Point 11: "papers as usual" means a missing paper is missing."""
    app = with_target(teacher(), level="deputy_senior")
    o = pol_fl_3_epidemic_results_replace_paper(ctx(app))
    assert o.outcome == "fail" and o.binding == "hard" and o.details["paper_required"] is True
    assert "申报人不是疫情防控一线人员" in o.explanation_zh and "未提交论文" in o.explanation_zh
    report = evaluate(app, REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert not report.eligible and [b.rule_id for b in report.blocking] == ["POL-FL-3"]


def test_POL_FL_3_an_excluded_paper_does_not_count_as_submitted() -> None:
    electronic = paper(electronic=True, ref="paper-1")  # POL-PA-3 excludes it
    report = evaluate(
        replace(with_target(teacher(), level="deputy_senior"), papers=(electronic,)),
        REGISTRIES,
        AS_OF,
        schedule=SCHEDULE,
    )
    assert [i.ref for i in report.excluded_items] == ["paper-1"]
    (fl3,) = report.outcomes_of("POL-FL-3")
    assert fl3.outcome == "fail" and "已提交的论文均不予认可" in fl3.explanation_zh
    assert not report.eligible


def test_POL_FL_3_the_level_requirements_registry_decides_whether_a_paper_is_required() -> None:
    app = with_target(teacher(), level="deputy_senior")
    key = ("中小学教师系列", "deputy_senior")
    no_paper = replace(REGISTRIES.requirements[key], paper_required=False)
    registries = replace(REGISTRIES, requirements={**REGISTRIES.requirements, key: no_paper})
    assert pol_fl_3_epidemic_results_replace_paper(PolicyContext(app, registries, AS_OF)).outcome == "not_applicable"
    intermediate = ("中小学教师系列", "intermediate")
    with_paper = replace(REGISTRIES.requirements[intermediate], paper_required=True)
    registries = replace(REGISTRIES, requirements={**REGISTRIES.requirements, intermediate: with_paper})
    assert pol_fl_3_epidemic_results_replace_paper(PolicyContext(teacher(), registries, AS_OF)).outcome == "fail"
    # A series the registry does not know: the reviewers check by hand.
    unknown = with_target(app, series="档案系列")
    assert pol_fl_3_epidemic_results_replace_paper(ctx(unknown)).outcome == "warn"
