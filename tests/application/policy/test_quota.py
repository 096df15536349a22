"""Quota pools: POL-GR-1, POL-GR-2, POL-EX-1, POL-EN-2, POL-EN-4 decide where an application counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from application_service.domain.policy import Application, CurrentTitle, QuotaDecision, decide_quota_pool, years

from .builders import AS_OF, FACTORY, INSTITUTE, REGISTRIES, teacher, with_applicant, with_target, with_work


def pool(app: Application) -> QuotaDecision:
    return decide_quota_pool(app, REGISTRIES, AS_OF)


def test_quota_ordinary_application_counts_against_the_structure_ratio() -> None:
    decision = pool(teacher())
    assert decision.pool == "structure_ratio" and decision.reasons == ()


def test_POL_GR_1_grassroots_senior_counts_against_the_separate_total() -> None:
    decision = pool(with_target(teacher(), level="deputy_senior", track="grassroots"))
    assert decision.pool == "grassroots_separate"
    assert [r.rule_id for r in decision.reasons] == ["POL-GR-1"]


def test_POL_GR_2_rural_20_years_is_not_counted_even_on_the_grassroots_track() -> None:
    app = with_work(
        with_target(teacher(), level="deputy_senior", track="grassroots"), rural_months=years(30), hard_remote_area=True
    )
    decision = pool(app)
    assert decision.pool == "not_counted"
    assert [r.rule_id for r in decision.reasons] == ["POL-GR-2", "POL-GR-1"]
    assert pool(with_work(app, rural_months=years(29, 11))).pool == "grassroots_separate"


def test_POL_EX_1_exceptional_promotion_is_not_counted_unless_it_fails() -> None:
    app = replace(
        with_target(teacher(), track="exceptional_single"),
        current_title=CurrentTitle("junior", date(2019, 9, 1)),
        outstanding_since_current_title=True,
    )
    assert pool(app).pool == "not_counted" and pool(app).reasons[0].rule_id == "POL-EX-1"
    assert pool(with_work(app, months_at_next_lower_post=11)).pool == "structure_ratio"


def test_POL_EN_2_enterprise_is_not_counted() -> None:
    decision = pool(with_applicant(teacher(), employer=FACTORY))
    assert decision.pool == "not_counted" and [r.rule_id for r in decision.reasons] == ["POL-EN-2"]


def test_POL_EN_4_off_staff_in_a_public_institution_is_not_counted() -> None:
    decision = pool(with_applicant(teacher(), employer=INSTITUTE, staff_status="off_staff"))
    assert decision.pool == "not_counted" and [r.rule_id for r in decision.reasons] == ["POL-EN-4"]
    assert decision.to_payload()["reasons"][0]["explanation_zh"] == "事业单位编外聘用人员，不受岗位数额限制"
