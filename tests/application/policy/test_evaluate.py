"""evaluate() on whole applications, as a clerk would see them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from application_service.domain.policy import (
    ALL_RULES,
    Applicant,
    Application,
    CurrentTitle,
    Education,
    EligibilityReport,
    Employer,
    FrontLine,
    Paper,
    PolicyContext,
    PolicyRule,
    RuleOutcome,
    Similarity,
    SkillCertificate,
    Target,
    ThreeLongTwoOutstanding,
    WorkHistory,
    engine,
    evaluate,
    years,
)
from application_service.domain.policy.enterprise import OFF_STAFF_REMARK
from application_service.domain.policy.outcome import make_outcome
from zhicheng_tooling.dev_seed.registries import NURSE_ID

from .builders import AS_OF, HOSPITAL, INSTITUTE, REGISTRIES, SCHEDULE, SCHOOL, SOE, paper

RULE_IDS = {rule.rule_id for rule in ALL_RULES}


def run(app: Application) -> EligibilityReport:
    report = evaluate(app, REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert {o.rule_id for o in report.outcomes} == RULE_IDS  # every rule is reported
    assert report.eligible is not any(o.outcome == "fail" and o.binding == "hard" for o in report.outcomes)
    assert report.committee_required is (report.route == "committee")
    json.dumps(report.to_payload(), ensure_ascii=False)
    return report


def outcome(report: EligibilityReport, rule_id: str) -> str:
    found = report.outcomes_of(rule_id)
    assert len(found) == 1
    return found[0].outcome


def rural_teacher() -> Application:
    """POL-GR-2, POL-GR-1, SCHED-2, POL-GR-3: 25 years in a village school of a hard/remote county."""
    return Application(
        applicant=Applicant("620826197003030018", "王老师", SCHOOL),
        target=Target("中小学教师系列(含基层有效)", "小学数学", "intermediate", "grassroots"),
        education=Education("junior_college"),
        work=WorkHistory(years(25), rural_months=years(25), hard_remote_area=True, months_at_next_lower_post=years(12)),
        current_title=CurrentTitle("junior", date(2009, 9, 1)),
        papers=(paper(),),
        three_long_two_outstanding=ThreeLongTwoOutstanding(25, 12, 12, True, True, years_to_retirement=4),
    )


def test_POL_GR_2_rural_teacher_with_25_years_is_eligible_outside_the_quota_with_the_annotation() -> None:
    report = run(rural_teacher())
    assert report.eligible
    assert "乡村不受指标限制" in report.annotations
    assert report.quota_pool.pool == "not_counted"
    assert [r.rule_id for r in report.quota_pool.reasons] == ["POL-GR-2"]
    assert outcome(report, "SCHED-2") == "pass" and outcome(report, "POL-GR-1") == "pass"
    assert outcome(report, "POL-GR-3") == "warn"  # the office has set no figures for 三长两突出
    assert report.committee_required and report.route == "committee" and report.remarks == ()


def front_line_nurse() -> Application:
    """POL-FL-1, POL-FL-2, POL-FL-3: a nurse on the filed roster, results instead of papers."""
    return Application(
        applicant=Applicant(NURSE_ID, "李护士", HOSPITAL),
        target=Target("卫生系列", "护理学", "intermediate"),
        education=Education("bachelor"),
        work=WorkHistory(years(8), months_at_next_lower_post=years(5)),
        current_title=CurrentTitle("junior", date(2015, 12, 1)),
        front_line=FrontLine(
            "PL-WJW-2020-001", missed_2020_promotion=True, epidemic_results=("clinical_treatment", "work_summary")
        ),
    )


def test_POL_FL_3_front_line_nurse_without_papers_is_eligible() -> None:
    report = run(front_line_nurse())
    assert report.eligible and report.failures == []
    assert [outcome(report, f"POL-FL-{n}") for n in (1, 2, 3)] == ["pass", "pass", "pass"]
    assert all(o.outcome == "not_applicable" for o in report.outcomes_of("POL-PA-1"))
    assert report.quota_pool.pool == "structure_ratio" and report.annotations == ()


def test_POL_FL_2_the_same_nurse_on_an_unfiled_hospital_list_is_not_eligible() -> None:
    """Going for deputy-senior, where the level asks for a paper: unverified, the results replace nothing."""
    app = replace(
        front_line_nurse(),
        target=Target("卫生系列", "护理学", "deputy_senior"),
        current_title=CurrentTitle("intermediate", date(2015, 12, 1)),
        front_line=FrontLine("HOSP-2020-INTERNAL", missed_2020_promotion=True),
    )
    report = run(app)
    assert not report.eligible
    assert {o.rule_id for o in report.failures} == {"POL-FL-1", "POL-FL-2", "POL-FL-3"}
    assert [b.rule_id for b in report.blocking] == ["POL-FL-3"]


def off_staff_engineer() -> Application:
    """POL-EN-4, POL-PA-1, POL-PA-4: an off-staff engineer of a public design institute."""
    return Application(
        applicant=Applicant(
            "620802198806060054", "赵工", INSTITUTE, staff_status="off_staff", off_staff_stated_by_employer=True
        ),
        target=Target("工程系列", "水利水电工程", "deputy_senior"),
        education=Education("bachelor"),
        work=WorkHistory(years(11), months_at_next_lower_post=years(6)),
        current_title=CurrentTitle("intermediate", date(2015, 10, 1)),
        papers=(
            Paper(
                "黄土高原小型水库除险加固设计要点",
                "甘肃农业科技",
                "CN62-1058/S",
                "core",
                date(2020, 4, 15),
                similarity=Similarity(Decimal("9.6")),
            ),
        ),
    )


def test_POL_EN_4_off_staff_engineer_is_eligible_with_the_off_staff_remark_and_not_counted() -> None:
    report = run(off_staff_engineer())
    assert report.eligible
    assert report.remarks == (OFF_STAFF_REMARK,) and report.annotations == ()
    assert report.quota_pool.pool == "not_counted"
    assert [r.rule_id for r in report.quota_pool.reasons] == ["POL-EN-4"]
    assert outcome(report, "POL-PA-1") == "pass" and outcome(report, "POL-PA-4") == "pass"


def test_POL_EX_1_exceptional_double_break_with_11_months_at_the_lower_level_is_not_eligible() -> None:
    app = Application(
        applicant=Applicant("620802199107070031", "孙医生", HOSPITAL),
        target=Target("卫生系列", "临床医学", "deputy_senior", "exceptional_double"),
        education=Education("junior_college"),
        work=WorkHistory(years(9), months_at_next_lower_post=11),
        current_title=CurrentTitle("intermediate", date(2020, 12, 1)),
        outstanding_since_current_title=True,
        papers=(paper(),),
    )
    report = run(app)
    assert not report.eligible
    (failure,) = report.failures
    assert failure.rule_id == "POL-EX-1" and "11个月，未满1年" in failure.explanation_zh
    assert failure.binding == "hard" and report.blocking == [failure]
    assert report.to_payload()["blocking"] == [
        {"rule_id": "POL-EX-1", "explanation_zh": failure.explanation_zh, "binding": "hard"}
    ]
    assert report.quota_pool.pool == "structure_ratio"


def test_POL_PA_1_a_paper_in_a_journal_that_became_core_later_is_excluded_the_application_stands() -> None:
    late = paper(
        journal="中小学教学研究",
        cn_number="CN11-5555/G4",
        claimed_level="core",
        published_on=date(2017, 6, 1),
        ref="paper-2",
    )
    report = run(replace(rural_teacher(), papers=(paper(), late)))
    assert report.eligible and report.failures == [] and report.blocking == []
    (pa1,) = [o for o in report.outcomes_of("POL-PA-1") if o.outcome != "not_applicable"]
    assert pa1.outcome == "excluded" and pa1.binding == "item"
    (item,) = report.excluded_items
    assert (item.item, item.ref, item.title, item.rule_id) == ("paper", "paper-2", late.title, "POL-PA-1")
    assert "撤回" in item.explanation_zh
    assert len(report.outcomes_of("POL-PA-2")) == 2  # one outcome per paper


def test_POL_SK_3_junior_by_employer_assessment_needs_no_committee() -> None:
    app = Application(
        applicant=Applicant("620802199505050017", "周师傅", Employer("private_enterprise", "平凉某汽车修理有限公司")),
        target=Target("工程系列", "汽车维修", "junior", "skills_bridge"),
        education=Education(technical_class="advanced_worker_class"),
        skill_certificates=(SkillCertificate("advanced_worker", date(2018, 6, 1), years(3)),),
    )
    report = run(app)
    assert report.eligible and not report.committee_required and report.route == "employer_assessment"
    assert outcome(report, "POL-SK-2") == "pass" and outcome(report, "POL-EN-1") == "pass"


def test_POL_GR_4_local_talent_directly_appointed_needs_no_committee() -> None:
    app = Application(
        applicant=Applicant("620825197208080016", "马师傅", Employer("other", "静宁县某苹果专业合作社")),
        target=Target("农村实用技术人才专业", "果树栽培", "deputy_senior", "local_talent_direct"),
        local_talent_selected=True,
    )
    report = run(app)
    assert report.eligible and not report.committee_required and report.route == "direct_appointment"


def test_report_payload_is_json_with_every_outcome_and_chinese_explanations() -> None:
    payload = run(rural_teacher()).to_payload()
    assert payload["schema_version"] == 2 and payload["as_of"] == "2021-11-01"
    assert payload["route"] == "committee" and payload["committee_required"] is True
    assert payload["annotations"] == ["乡村不受指标限制"] and payload["remarks"] == []
    assert payload["blocking"] == [] and payload["excluded_items"] == []
    assert payload["quota_pool"]["pool"] == "not_counted"
    for o in payload["outcomes"]:
        assert o["explanation_zh"].endswith(f"（{o['rule_id']}）。")
    restored = json.loads(json.dumps(payload, ensure_ascii=False))
    assert restored == payload


def test_POL_EN_2_a_grassroots_state_owned_enterprise_applicant_is_not_in_the_separate_grassroots_total() -> None:
    """Point 2: a 国有企业 at county level is an enterprise (not limited by posts), not a 基层事业单位."""
    app = Application(
        applicant=Applicant("620824198404040035", "冯工", replace(SOE, grassroots=True)),
        target=Target("工程系列", "采矿工程", "deputy_senior", "normal"),
        education=Education("bachelor"),
        work=WorkHistory(years(12), months_at_next_lower_post=years(6)),
        current_title=CurrentTitle("intermediate", date(2015, 10, 1)),
        papers=(paper(),),
    )
    report = run(app)
    assert outcome(report, "POL-EN-1") == "pass" and outcome(report, "POL-EN-2") == "pass"
    assert report.quota_pool.pool == "not_counted"
    assert [r.rule_id for r in report.quota_pool.reasons] == ["POL-EN-2"]
    grassroots = run(replace(app, target=replace(app.target, series="水利工程专业(含基层有效)", track="grassroots")))
    assert outcome(grassroots, "SCHED-2") == "pass" and grassroots.eligible
    assert outcome(grassroots, "POL-GR-1") == "pass"
    assert grassroots.quota_pool.pool != "grassroots_separate"


def test_POL_EN_4_off_staff_remark_only_where_the_rule_applies() -> None:
    """Point 3: an off-staff employee of an enterprise (state-owned or private) gets no off-staff note,
    and the note of a public institution's off-staff employee is a remark, never an annotation."""
    engineer = off_staff_engineer()
    for employer in (SOE, replace(SOE, kind="private_enterprise")):
        report = run(replace(engineer, applicant=replace(engineer.applicant, employer=employer)))
        assert outcome(report, "POL-EN-4") == "not_applicable"
        assert report.remarks == () and report.annotations == ()
        assert report.to_payload()["remarks"] == []
    payload = run(engineer).to_payload()
    assert payload["remarks"] == [OFF_STAFF_REMARK] and OFF_STAFF_REMARK not in payload["annotations"]


def test_POL_PA_1_a_pending_paper_outcome_binds_the_title_office(monkeypatch: pytest.MonkeyPatch) -> None:
    """A journal the registries do not know is neither passed nor failed: the engine puts the paper
    rule's pending outcome in `blocking` with binding "office"; the application stays eligible."""

    def unknown_journal(p: Paper, ctx: PolicyContext) -> RuleOutcome:
        return make_outcome("POL-PA-1", "pending", f"论文《{p.title}》所载期刊未在期刊库中，待职改办认定期刊级别")

    monkeypatch.setattr(engine, "PAPER_RULES", (PolicyRule("POL-PA-1", unknown_journal),))
    report = evaluate(rural_teacher(), REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert report.eligible
    (blocking,) = report.to_payload()["blocking"]
    assert blocking["rule_id"] == "POL-PA-1" and blocking["binding"] == "office"
    assert report.excluded_items == ()


def test_report_eligible_means_no_hard_failure_and_advisory_failures_do_not_block() -> None:
    """POL-FL-2's failure is advisory (the preference does not apply, the application is judged as usual)."""
    nurse = replace(front_line_nurse(), front_line=FrontLine("HOSP-2020-INTERNAL"))
    report = run(nurse)
    assert [o.rule_id for o in report.failures] == ["POL-FL-2"]
    assert report.eligible and report.blocking == []
