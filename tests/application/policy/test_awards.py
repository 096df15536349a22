"""Awards and commendations: POL-AW-1."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application_service.domain.policy import Award
from application_service.domain.policy.awards import pol_aw_1_award_recognised
from hypothesis import given
from hypothesis import strategies as st

from .builders import ctx, teacher

APP = ctx(teacher())


def award(**changes: Any) -> Award:
    base = Award("平凉市劳动模范", 2019, "平凉市劳动模范", "commendation", "city")
    return replace(base, **changes)


def test_POL_AW_1_2017_commendation_on_the_retained_list_is_recognised() -> None:
    o = pol_aw_1_award_recognised(award(), APP)
    assert o.outcome == "pass" and "《保留项目目录》" in o.explanation_zh


def test_POL_AW_1_unauthorised_city_or_county_commendation_is_not_recognised() -> None:
    o = pol_aw_1_award_recognised(award(title="某县十佳护士", programme="某县十佳护士", level="county"), APP)
    assert o.outcome == "fail" and "违规开展的县级评比达标表彰" in o.explanation_zh
    p = pol_aw_1_award_recognised(award(title="省级优秀某某", programme="省级优秀某某", level="provincial"), APP)
    assert p.outcome == "fail" and "不在《保留项目目录》中" in p.explanation_zh


def test_POL_AW_1_2016_award_by_old_rules_needs_signature_or_seal_2017_does_not() -> None:
    old = award(title="某县十佳护士", programme="某县十佳护士", level="county", year=2016)
    assert pol_aw_1_award_recognised(old, APP).outcome == "fail"
    assert pol_aw_1_award_recognised(replace(old, certificate_seal=True), APP).outcome == "pass"
    assert pol_aw_1_award_recognised(replace(old, document_signature=True), APP).outcome == "pass"
    assert pol_aw_1_award_recognised(replace(old, year=2017, certificate_seal=True), APP).outcome == "fail"


def test_POL_AW_1_collective_award_without_personal_role_is_not_individual() -> None:
    o = pol_aw_1_award_recognised(award(collective=True), APP)
    assert o.outcome == "fail" and "不能作为个人获奖使用" in o.explanation_zh
    assert pol_aw_1_award_recognised(award(collective=True, personal_role_stated=True), APP).outcome == "pass"


def test_POL_AW_1_science_awards_from_2017_follow_guobanhan_2017_55() -> None:
    sci = award(title="甘肃省科技进步奖三等奖", programme="甘肃省科学技术奖", kind="science_technology")
    assert pol_aw_1_award_recognised(replace(sci, level="provincial"), APP).outcome == "pass"
    city = pol_aw_1_award_recognised(replace(sci, level="city"), APP)
    assert city.outcome == "fail" and "国办函〔2017〕55号" in city.explanation_zh
    assert pol_aw_1_award_recognised(replace(sci, level="social"), APP).outcome == "warn"
    assert (
        pol_aw_1_award_recognised(replace(sci, level="city", year=2016, certificate_seal=True), APP).outcome == "pass"
    )


@given(year=st.integers(min_value=2005, max_value=2021), evidence=st.booleans())
def test_POL_AW_1_property_unlisted_county_commendation_counts_iff_old_rules_with_evidence(
    year: int, evidence: bool
) -> None:
    a = award(title="某县十佳护士", programme="某县十佳护士", level="county", year=year, certificate_seal=evidence)
    assert (pol_aw_1_award_recognised(a, APP).outcome == "pass") is (year <= 2016 and evidence)
