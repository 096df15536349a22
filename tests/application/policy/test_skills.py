"""High-skill talents: POL-SK-1, POL-SK-2, POL-SK-3."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from application_service.domain.policy import (
    Application,
    BridgedQualification,
    Education,
    SkillCertificate,
    evaluate,
    years,
)
from application_service.domain.policy.skills import (
    pol_sk_1_bridged_qualification,
    pol_sk_2_technical_class_equivalence,
    pol_sk_3_skill_certificate_route,
)
from hypothesis import given
from hypothesis import strategies as st

from .builders import AS_OF, FACTORY, REGISTRIES, SCHEDULE, ctx, teacher, with_applicant, with_target


def skilled(level: Any, *certs: SkillCertificate, **changes: Any) -> Application:
    app = with_target(with_applicant(teacher(), employer=FACTORY), series="工程系列", specialty="机械", level=level)
    return replace(app, skill_certificates=certs, current_title=None, **changes)


def bridge(level: Any, *certs: SkillCertificate) -> Application:
    return with_target(skilled(level, *certs), track="skills_bridge")


# -- POL-SK-1 -----------------------------------------------------------------------------------


def test_POL_SK_1_accounting_qualification_counts_as_the_title_and_for_the_next_level() -> None:
    app = skilled(
        "intermediate",
        SkillCertificate("technician", date(2015, 6, 1), years(6)),
        bridged_qualifications=(BridgedQualification("会计", "junior", date(2016, 5, 1)),),
    )
    app = with_target(app, series="会计系列")
    o = pol_sk_1_bridged_qualification(ctx(app))
    assert o.outcome == "pass" and o.details["counts_for_target"] is True
    assert "会计（初级）可对应相应层级职称，可作为申报中级职称的条件" in o.explanation_zh


def test_POL_SK_1_a_field_outside_the_bridged_list_is_not_recognised() -> None:
    app = skilled(
        "intermediate",
        SkillCertificate("technician", date(2015, 6, 1), years(6)),
        bridged_qualifications=(BridgedQualification("建造师", "junior", date(2016, 5, 1)),),
    )
    o = pol_sk_1_bridged_qualification(ctx(app))
    assert o.outcome == "fail" and "不属于贯通领域" in o.explanation_zh


def test_POL_SK_1_only_for_high_skill_talents_and_not_applicable_without_qualifications() -> None:
    app = skilled("intermediate", bridged_qualifications=(BridgedQualification("统计", "junior", date(2016, 5, 1)),))
    assert pol_sk_1_bridged_qualification(ctx(app)).outcome == "fail"
    assert pol_sk_1_bridged_qualification(ctx(teacher())).outcome == "not_applicable"


def test_POL_SK_1_all_eight_bridged_fields_are_recognised() -> None:
    for field in ("经济", "会计", "统计", "审计", "翻译", "出版", "通信", "计算机技术与软件"):
        app = skilled(
            "intermediate",
            SkillCertificate("advanced_worker", date(2015, 6, 1), years(6)),
            bridged_qualifications=(BridgedQualification(field, "junior", date(2016, 5, 1)),),
        )
        assert pol_sk_1_bridged_qualification(ctx(app)).outcome == "pass", field


# -- POL-SK-2 -----------------------------------------------------------------------------------


def test_POL_SK_2_technical_school_classes_count_as_education() -> None:
    cases = {
        "intermediate_worker_class": ("secondary_vocational", "中专"),
        "advanced_worker_class": ("junior_college", "大专"),
        "preparatory_technician_class": ("bachelor", "本科"),
    }
    for cls, (equivalent, zh) in cases.items():
        app = replace(teacher(), education=Education(None, cls))
        o = pol_sk_2_technical_class_equivalence(ctx(app))
        assert o.outcome == "pass" and o.details["equivalent_education"] == equivalent
        assert f"相当于{zh}学历" in o.explanation_zh
        assert ctx(app).effective_education() == equivalent


def test_POL_SK_2_the_higher_of_diploma_and_class_counts() -> None:
    app = replace(teacher(), education=Education("master", "advanced_worker_class"))
    assert ctx(app).effective_education() == "master"
    assert pol_sk_2_technical_class_equivalence(ctx(teacher())).outcome == "not_applicable"


# -- POL-SK-3 -----------------------------------------------------------------------------------


def test_POL_SK_3_advanced_worker_plus_2_years_is_junior_by_employer_assessment() -> None:
    o = pol_sk_3_skill_certificate_route(
        ctx(bridge("junior", SkillCertificate("advanced_worker", date(2019, 1, 1), 24)))
    )
    assert o.outcome == "pass" and o.details["employer_assessment"] is True
    assert "由用人单位考核认定" in o.explanation_zh


def test_POL_SK_3_technician_with_2_years_11_months_fails_3_years_passes() -> None:
    short = bridge("intermediate", SkillCertificate("technician", date(2018, 1, 1), years(2, 11)))
    enough = bridge("intermediate", SkillCertificate("technician", date(2018, 1, 1), years(3)))
    o = pol_sk_3_skill_certificate_route(ctx(short))
    assert o.outcome == "fail" and "2年11个月，未满3年" in o.explanation_zh
    assert pol_sk_3_skill_certificate_route(ctx(enough)).outcome == "pass"
    assert pol_sk_3_skill_certificate_route(ctx(enough)).details["employer_assessment"] is False


def test_POL_SK_3_work_counts_only_since_the_certificate_up_to_as_of() -> None:
    # Claims 3 years, but the certificate is from 2019-01-01: only 2 years 10 months by 2021-11-01.
    app = bridge("intermediate", SkillCertificate("technician", date(2019, 1, 1), years(3)))
    o = pol_sk_3_skill_certificate_route(ctx(app))
    assert o.outcome == "fail" and o.details["matching_work_months"] == years(2, 10)


def test_POL_SK_3_senior_technician_plus_4_years_is_deputy_senior_and_no_route_to_senior() -> None:
    cert = SkillCertificate("senior_technician", date(2016, 1, 1), years(4))
    assert pol_sk_3_skill_certificate_route(ctx(bridge("deputy_senior", cert))).outcome == "pass"
    short = replace(cert, matching_work_months=years(3, 11))
    assert pol_sk_3_skill_certificate_route(ctx(bridge("deputy_senior", short))).outcome == "fail"
    assert pol_sk_3_skill_certificate_route(ctx(bridge("senior", cert))).outcome == "fail"


def test_POL_SK_3_needs_the_grade_of_the_target_level_or_higher() -> None:
    low = SkillCertificate("advanced_worker", date(2010, 1, 1), years(10))
    assert pol_sk_3_skill_certificate_route(ctx(bridge("intermediate", low))).outcome == "fail"
    high = SkillCertificate("senior_technician", date(2010, 1, 1), years(10))
    assert pol_sk_3_skill_certificate_route(ctx(bridge("intermediate", high))).outcome == "pass"
    assert pol_sk_3_skill_certificate_route(ctx(skilled("intermediate", high))).outcome == "not_applicable"


GRADES = {
    "junior": ("advanced_worker", 24),
    "intermediate": ("technician", 36),
    "deputy_senior": ("senior_technician", 48),
}


@given(
    level=st.sampled_from(sorted(GRADES)),
    months=st.integers(min_value=0, max_value=years(8)),
    obtained=st.dates(min_value=date(2010, 1, 1), max_value=AS_OF),
)
def test_POL_SK_3_property_passes_iff_full_months_since_certificate_reach_the_threshold(
    level: str, months: int, obtained: date
) -> None:
    grade, needed = GRADES[level]
    app = bridge(level, SkillCertificate(grade, obtained, months))
    o = pol_sk_3_skill_certificate_route(ctx(app))
    elapsed = (AS_OF.year - obtained.year) * 12 + AS_OF.month - obtained.month - (AS_OF.day < obtained.day)
    assert (o.outcome == "pass") is (min(months, elapsed) >= needed)


def test_POL_SK_3_binds_hard_and_names_the_employer_assessment_route() -> None:
    """Junior by the employer's assessment: route "employer_assessment"; short of 2 years it blocks."""
    ok = bridge("junior", SkillCertificate("advanced_worker", date(2018, 6, 1), years(3)))
    report = evaluate(ok, REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert report.route == "employer_assessment" and not report.committee_required and report.eligible
    short = bridge("junior", SkillCertificate("advanced_worker", date(2020, 6, 1), years(1)))
    report = evaluate(short, REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert report.route == "committee" and not report.eligible
    assert [(b.rule_id, b.binding) for b in report.blocking] == [("POL-SK-3", "hard")]
    # Intermediate through the bridge is reviewed by a committee.
    tech = bridge("intermediate", SkillCertificate("technician", date(2017, 6, 1), years(4)))
    assert evaluate(tech, REGISTRIES, AS_OF, schedule=SCHEDULE).route == "committee"
