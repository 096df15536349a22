"""Epidemic front line: POL-FL-1, POL-FL-2, POL-FL-3."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from application_service.domain.policy import Application, FrontLine, FrontLineRoster, PolicyContext
from application_service.domain.policy.frontline import (
    pol_fl_1_front_line_carry_over,
    pol_fl_2_front_line_roster_authority,
    pol_fl_3_epidemic_results_replace_paper,
)
from zhicheng_tooling.dev_seed.registries import COUNTY_OFFICIAL_ID, NURSE_ID

from .builders import AS_OF, HOSPITAL, REGISTRIES, ctx, paper, teacher, with_applicant, with_target


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


def test_POL_FL_1_carry_over_is_for_the_notice_year_only() -> None:
    app = nurse(FrontLine(FILED, missed_2020_promotion=True))
    assert pol_fl_1_front_line_carry_over(ctx(app, as_of=date(2022, 3, 1))).outcome == "warn"


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


def test_POL_FL_3_unverified_front_line_without_paper_fails_with_paper_is_ordinary() -> None:
    unverified = FrontLine("HOSP-2020-INTERNAL", epidemic_results=("work_summary",))
    assert pol_fl_3_epidemic_results_replace_paper(ctx(nurse(unverified))).outcome == "fail"
    with_paper = nurse(unverified, papers=(paper(),))
    assert pol_fl_3_epidemic_results_replace_paper(ctx(with_paper)).outcome == "not_applicable"
