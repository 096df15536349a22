"""Papers: POL-PA-1, POL-PA-2, POL-PA-3, POL-PA-4."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from application_service.domain.policy import Paper, Similarity
from application_service.domain.policy.papers import (
    pol_pa_1_core_by_publication_year,
    pol_pa_2_excluded_issue_types,
    pol_pa_3_listed_print_journal,
    pol_pa_4_similarity_threshold,
)
from application_service.domain.policy.registries import normalise_cn
from hypothesis import given
from hypothesis import strategies as st

from .builders import ctx, paper, teacher

APP = ctx(teacher())
CUTOFF = date(2018, 7, 1)


def core(**changes: Any) -> Paper:
    return paper(claimed_level="core", **changes)


# -- POL-PA-1 -----------------------------------------------------------------------------------


def test_POL_PA_1_authoritative_list_counts_as_core_on_2018_06_30_not_on_2018_07_01() -> None:
    before = pol_pa_1_core_by_publication_year(core(published_on=date(2018, 6, 30)), APP)
    on = pol_pa_1_core_by_publication_year(core(published_on=date(2018, 7, 1)), APP)
    assert before.outcome == "pass" and "按核心期刊对待" in before.explanation_zh
    assert on.outcome == "fail" and "不再按核心期刊对待" in on.explanation_zh


def test_POL_PA_1_a_journal_that_became_core_the_year_after_publication_does_not_count() -> None:
    p = core(journal="中小学教学研究", cn_number="CN11-5555/G4", published_on=date(2017, 12, 20))
    o = pol_pa_1_core_by_publication_year(p, APP)
    assert o.outcome == "fail"
    assert o.explanation_zh.startswith(
        "论文《农村小学语文阅读教学探究》发表于2017年，《中小学教学研究》2017年不是核心期刊"
    )
    assert "2018年起才列为核心期刊" in o.explanation_zh and o.explanation_zh.endswith("（POL-PA-1）。")
    assert pol_pa_1_core_by_publication_year(replace(p, published_on=date(2018, 1, 2)), APP).outcome == "pass"


def test_POL_PA_1_core_status_is_judged_in_the_publication_year() -> None:
    p = core(journal="中华护理杂志", cn_number="cn 11-2234/r", published_on=date(2020, 3, 1))
    assert pol_pa_1_core_by_publication_year(p, APP).outcome == "pass"


def test_POL_PA_1_unknown_cn_waits_for_the_office_missing_cn_fails_provincial_claims_not_applicable() -> None:
    unknown = pol_pa_1_core_by_publication_year(core(cn_number="CN99-0000/X"), APP)
    assert (unknown.outcome, unknown.binding) == ("pending", "office")
    assert pol_pa_1_core_by_publication_year(core(cn_number=None), APP).outcome == "fail"
    assert pol_pa_1_core_by_publication_year(paper(), APP).outcome == "not_applicable"


@given(st.dates(min_value=date(2016, 1, 1), max_value=date(2021, 10, 31)))
def test_POL_PA_1_property_authoritative_list_counts_iff_before_2018_07_01(published: date) -> None:
    # 甘肃教育 is on the authoritative list and never core in the sample data.
    o = pol_pa_1_core_by_publication_year(core(published_on=published), APP)
    assert (o.outcome == "pass") is (published < CUTOFF)


@given(st.integers(min_value=-400, max_value=400))
def test_POL_PA_1_property_core_in_the_publication_year_wins_over_the_cutoff(offset: int) -> None:
    # 甘肃农业科技: authoritative list and core only in 2020.
    published = CUTOFF + timedelta(days=offset)
    o = pol_pa_1_core_by_publication_year(core(cn_number="CN62-1058/S", published_on=published), APP)
    assert (o.outcome == "pass") is (published < CUTOFF or published.year == 2020)


# -- POL-PA-2 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issue, zh",
    [
        ("supplement", "增刊"),
        ("sub_issue", "副刊"),
        ("special_issue", "特刊"),
        ("special_edition", "专刊"),
        ("album", "专辑"),
        ("internal", "内部期刊"),
        ("proceedings", "论文集"),
    ],
)
def test_POL_PA_2_excluded_issue_types_fail_for_core_and_provincial(issue: str, zh: str) -> None:
    for level in ("core", "provincial"):
        o = pol_pa_2_excluded_issue_types(paper(claimed_level=level, issue_type=issue), APP)
        assert o.outcome == "fail" and zh in o.explanation_zh


def test_POL_PA_2_a_regular_issue_passes() -> None:
    assert pol_pa_2_excluded_issue_types(paper(), APP).outcome == "pass"


# -- POL-PA-3 -----------------------------------------------------------------------------------


def test_POL_PA_3_listed_print_journal_passes() -> None:
    assert pol_pa_3_listed_print_journal(paper(), APP).outcome == "pass"


def test_POL_PA_3_electronic_journals_are_not_accepted_by_registry_or_declaration() -> None:
    e = paper(journal="中华临床医师杂志（电子版）", cn_number="CN11-9212/R")
    assert pol_pa_3_listed_print_journal(e, APP).outcome == "fail"
    assert pol_pa_3_listed_print_journal(paper(electronic=True), APP).outcome == "fail"


def test_POL_PA_3_unlisted_or_without_cn_fails_unknown_journal_is_checked_by_hand() -> None:
    assert pol_pa_3_listed_print_journal(paper(cn_number="CN62-9001/G4"), APP).outcome == "fail"
    assert pol_pa_3_listed_print_journal(paper(cn_number="内部资料"), APP).outcome == "fail"
    assert pol_pa_3_listed_print_journal(paper(cn_number="CN62-7777/G4"), APP).outcome == "pending"
    assert pol_pa_3_listed_print_journal(paper(cn_number="CN62-7777/G4", press_listed=False), APP).outcome == "fail"
    assert pol_pa_3_listed_print_journal(core(), APP).outcome == "not_applicable"


def test_POL_PA_3_cn_numbers_are_normalised() -> None:
    assert normalise_cn(" cn62－1026／g4 ") == "CN62-1026/G4"
    assert normalise_cn("62-1026/G4") == "CN62-1026/G4"
    assert normalise_cn("ISSN 1004-0000") is None


# -- POL-PA-4 -----------------------------------------------------------------------------------


# The default paper (甘肃教育, 2019) is provincial as the registries judge it, whatever is claimed;
# 中华护理杂志 is core in 2020.
IN_CORE = {"journal": "中华护理杂志", "cn_number": "CN11-2234/R", "published_on": date(2020, 3, 1)}


def test_POL_PA_4_core_15_0_passes_15_1_fails() -> None:
    assert pol_pa_4_similarity_threshold(core(similarity=Similarity(Decimal("15.0")), **IN_CORE), APP).outcome == "pass"
    o = pol_pa_4_similarity_threshold(core(similarity=Similarity(Decimal("15.1")), **IN_CORE), APP)
    assert o.outcome == "fail" and "去除本人已发表文献复制比15.1%，超过核心期刊15%的上限" in o.explanation_zh


def test_POL_PA_4_provincial_25_passes_25_01_fails() -> None:
    assert pol_pa_4_similarity_threshold(paper(similarity=Similarity(Decimal("25"))), APP).outcome == "pass"
    assert pol_pa_4_similarity_threshold(paper(similarity=Similarity(Decimal("25.01"))), APP).outcome == "fail"


def test_POL_PA_4_missing_result_waits_for_the_check() -> None:
    o = pol_pa_4_similarity_threshold(paper(similarity=None), APP)
    assert (o.outcome, o.binding) == ("pending", "office") and "待查重" in o.explanation_zh


def test_POL_PA_4_an_employer_report_without_seal_is_a_warning() -> None:
    unsealed = Similarity(Decimal("5"), source="employer_report", sealed=False)
    assert pol_pa_4_similarity_threshold(paper(similarity=unsealed), APP).outcome == "warn"


def test_POL_PA_4_floats_are_read_as_their_decimal_text() -> None:
    assert pol_pa_4_similarity_threshold(core(similarity=Similarity(15.0), **IN_CORE), APP).outcome == "pass"


@given(
    level=st.sampled_from(["core", "provincial"]),
    percent=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)
def test_POL_PA_4_property_passes_iff_at_or_below_the_level_limit(level: str, percent: Decimal) -> None:
    limit = Decimal(15) if level == "core" else Decimal(25)
    journal = IN_CORE if level == "core" else {}
    o = pol_pa_4_similarity_threshold(paper(claimed_level=level, similarity=Similarity(percent), **journal), APP)
    assert (o.outcome == "pass") is (percent <= limit)
    assert (o.outcome == "fail") is (percent > limit)
