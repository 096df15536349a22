"""Awards and commendations: POL-AW-1."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from application_service.domain.policy import Award, evaluate
from application_service.domain.policy.awards import pol_aw_1_award_recognised
from hypothesis import given
from hypothesis import strategies as st

from .builders import AS_OF, REGISTRIES, SCHEDULE, ctx, teacher

APP = ctx(teacher())
SIGNED: dict[str, Any] = {"document_issuer": "静宁县人民政府", "document_dated": date(2016, 4, 28)}


def award(**changes: Any) -> Award:
    base = Award("平凉市劳动模范", 2019, "平凉市劳动模范", "commendation", "city")
    return replace(base, **changes)


def county(year: int = 2016, **changes: Any) -> Award:
    return award(title="某县十佳护士", programme="某县十佳护士", level="county", year=year, **changes)


def test_POL_AW_1_2017_commendation_on_the_retained_list_is_recognised() -> None:
    o = pol_aw_1_award_recognised(award(), APP)
    assert o.outcome == "pass" and "《保留项目目录》" in o.explanation_zh and o.binding == "item"


def test_POL_AW_1_unauthorised_city_or_county_commendation_is_excluded() -> None:
    o = pol_aw_1_award_recognised(county(2019), APP)
    assert o.outcome == "excluded" and "违规开展的县级评比达标表彰" in o.explanation_zh
    assert "撤回" in o.explanation_zh
    p = pol_aw_1_award_recognised(award(title="省级优秀某某", programme="省级优秀某某", level="provincial"), APP)
    assert p.outcome == "excluded" and "不在《保留项目目录》中" in p.explanation_zh


def test_POL_AW_1_2016_award_is_judged_by_the_document_signature_or_the_certificate_seal() -> None:
    """ "原则上以表彰文件落款、证书印章为准": who signed and when, whose seal — not a yes/no flag."""
    assert pol_aw_1_award_recognised(county(), APP).outcome == "excluded"
    signed = pol_aw_1_award_recognised(county(**SIGNED), APP)
    assert signed.outcome == "pass" and "表彰文件落款（静宁县人民政府，2016年4月28日）" in signed.explanation_zh
    assert signed.details["evidence"]["document_issuer"] == "静宁县人民政府"
    sealed = pol_aw_1_award_recognised(county(certificate_seal_of="静宁县卫生局"), APP)
    assert sealed.outcome == "pass" and "证书印章（静宁县卫生局）" in sealed.explanation_zh
    # A signature needs both the issuing body and the date; a blank seal holder is no seal.
    assert pol_aw_1_award_recognised(county(document_issuer="静宁县人民政府"), APP).outcome == "excluded"
    assert pol_aw_1_award_recognised(county(certificate_seal_of="  "), APP).outcome == "excluded"


def test_POL_AW_1_the_document_date_decides_the_year() -> None:
    """An award declared as 2016 whose document is dated 2017 is judged under the 2017 rules."""
    late = county(document_issuer="静宁县人民政府", document_dated=date(2017, 1, 10))
    o = pol_aw_1_award_recognised(late, APP)
    assert o.outcome == "excluded" and o.details["year"] == 2017 and "按2017年认定" in o.explanation_zh


def test_POL_AW_1_collective_award_without_personal_role_is_not_individual() -> None:
    o = pol_aw_1_award_recognised(award(collective=True), APP)
    assert o.outcome == "excluded" and "不能作为个人获奖使用" in o.explanation_zh
    assert pol_aw_1_award_recognised(award(collective=True, personal_role_stated=True), APP).outcome == "pass"


def test_POL_AW_1_science_awards_from_2017_follow_guobanhan_2017_55() -> None:
    sci = award(title="甘肃省科技进步奖三等奖", programme="甘肃省科学技术奖", kind="science_technology")
    assert pol_aw_1_award_recognised(replace(sci, level="provincial"), APP).outcome == "pass"
    city = pol_aw_1_award_recognised(replace(sci, level="city"), APP)
    assert city.outcome == "excluded" and "国办函〔2017〕55号" in city.explanation_zh
    assert pol_aw_1_award_recognised(replace(sci, level="social"), APP).outcome == "warn"
    old = replace(sci, level="city", year=2016, certificate_seal_of="平凉市人民政府")
    assert pol_aw_1_award_recognised(old, APP).outcome == "pass"


def test_POL_AW_1_ministerial_science_award_from_2017_is_not_recognised_not_a_warning() -> None:
    """国办函〔2017〕55号: ministries (defence excepted) no longer set science awards."""
    sci = award(
        title="某部科技进步奖二等奖", programme="某部科技进步奖", kind="science_technology", level="ministerial"
    )
    o = pol_aw_1_award_recognised(sci, APP)
    assert o.outcome == "excluded" and "国防科技工业部门除外" in o.explanation_zh
    assert pol_aw_1_award_recognised(replace(sci, year=2016, certificate_seal_of="某部"), APP).outcome == "pass"


def test_POL_AW_1_an_excluded_award_is_listed_for_withdrawal_and_the_application_stands() -> None:
    report = evaluate(
        replace(teacher(), awards=(award(), replace(county(2019), ref="award-1"))), REGISTRIES, AS_OF, schedule=SCHEDULE
    )
    assert report.eligible
    (item,) = report.excluded_items
    assert (item.item, item.ref, item.title, item.rule_id) == ("award", "award-1", "某县十佳护士", "POL-AW-1")
    assert "撤回" in item.explanation_zh


@given(year=st.integers(min_value=2005, max_value=2021), evidence=st.booleans())
def test_POL_AW_1_property_unlisted_county_commendation_counts_iff_old_rules_with_evidence(
    year: int, evidence: bool
) -> None:
    a = county(year, certificate_seal_of="某县人民政府" if evidence else None)
    assert (pol_aw_1_award_recognised(a, APP).outcome == "pass") is (year <= 2016 and evidence)
