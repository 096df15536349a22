"""POL-PA-4 decided by application-service (issue 9, point 8): the year's chosen CNKI ratio, against the
limit of the journal's level AS THE REGISTRIES JUDGE IT (POL-PA-1), not the level the applicant claims;
a journal the registries do not know is neither passed nor failed (POL-PA-1/PA-3 pending, office)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from application_service.domain.policy import Similarity
from application_service.domain.policy.papers import (
    judged_level,
    pol_pa_1_core_by_publication_year,
    pol_pa_3_listed_print_journal,
    pol_pa_4_similarity_threshold,
    similarity_decision,
)
from application_service.domain.policy.parameters import DEFAULT_PARAMETERS

from tests.application.policy.builders import REGISTRIES, ctx, paper, teacher
from tests.application.test_domain_rules import (
    DEPT_REVIEWER,
    OFFICE_REVIEWER,
    UNIT_REVIEWER,
    apply,
    decide,
    submitted_application,
)

APP = ctx(teacher())
CUTOFF = DEFAULT_PARAMETERS.authoritative_list_cutoff
# 中华护理杂志 is core in 2020 in the registries; 甘肃医药 is known and never core; CN62-7777/G4 is unknown.
CORE_JOURNAL = {"journal": "中华护理杂志", "cn_number": "CN11-2234/R", "published_on": date(2020, 3, 1)}
PROVINCIAL_JOURNAL = {"journal": "甘肃医药", "cn_number": "CN62-1105/R", "published_on": date(2020, 3, 1)}
UNKNOWN_JOURNAL = {"journal": "某某研究", "cn_number": "CN62-7777/G4", "published_on": date(2020, 3, 1)}


def test_pol_pa_4_a_paper_claimed_provincial_in_a_core_journal_is_held_to_15_percent() -> None:
    claimed_provincial = paper(claimed_level="provincial", similarity=Similarity(Decimal("20")), **CORE_JOURNAL)
    assert judged_level(claimed_provincial, REGISTRIES, CUTOFF) == "core"
    o = pol_pa_4_similarity_threshold(claimed_provincial, APP)
    assert (o.outcome, o.binding) == ("fail", "item")
    assert "超过核心期刊15%的上限（期刊名录认定为核心期刊，按核心期刊上限判定）" in o.explanation_zh
    assert o.details["journal_level"] == "core" and o.details["claimed_level"] == "provincial"


def test_pol_pa_4_a_paper_claimed_core_in_a_provincial_journal_is_held_to_25_percent() -> None:
    claimed_core = paper(claimed_level="core", similarity=Similarity(Decimal("20")), **PROVINCIAL_JOURNAL)
    assert judged_level(claimed_core, REGISTRIES, CUTOFF) == "provincial"
    assert pol_pa_4_similarity_threshold(claimed_core, APP).outcome == "pass"


def test_pol_pa_4_an_unknown_journal_passes_under_both_limits_fails_over_both_waits_in_between() -> None:
    def outcome(percent: str) -> tuple[str, str]:
        o = pol_pa_4_similarity_threshold(paper(similarity=Similarity(Decimal(percent)), **UNKNOWN_JOURNAL), APP)
        return o.outcome, o.binding

    assert outcome("15") == ("pass", "advisory")
    assert outcome("15.01") == ("pending", "office")
    assert outcome("25") == ("pending", "office")
    assert outcome("25.01") == ("fail", "item")
    assert [similarity_decision(Decimal(p), None) for p in ("15", "20", "25.01")] == ["pass", "pending", "fail"]


def test_pol_pa_1_and_pol_pa_3_an_unknown_journal_is_neither_passed_nor_failed_the_office_classifies_it() -> None:
    pa1 = pol_pa_1_core_by_publication_year(paper(claimed_level="core", **UNKNOWN_JOURNAL), APP)
    pa3 = pol_pa_3_listed_print_journal(paper(claimed_level="provincial", **UNKNOWN_JOURNAL), APP)
    for o in (pa1, pa3):
        assert (o.outcome, o.binding) == ("pending", "office")
        assert "须由职改办" in o.explanation_zh and "录入期刊名录" in o.explanation_zh


def test_pol_pa_4_decides_on_the_ratio_the_city_office_chose_for_the_year() -> None:
    check = {
        "copy_ratio": 0.3,
        "ratios": {"total": 0.3, "excluding_quotes": 0.1, "excluding_own": 0.3, "largest_source": 0.3},
    }
    similarity = Similarity.of_check(check)
    assert similarity is not None and similarity.percent_of("excluding_quotes") == Decimal("10.0")
    p = paper(similarity=similarity, **PROVINCIAL_JOURNAL)
    by_default = pol_pa_4_similarity_threshold(p, APP)
    assert by_default.outcome == "fail" and "去除本人已发表文献复制比30" in by_default.explanation_zh
    quotes_left_out = ctx(teacher(), params=replace(DEFAULT_PARAMETERS, similarity_ratio="excluding_quotes"))
    chosen = pol_pa_4_similarity_threshold(p, quotes_left_out)
    assert chosen.outcome == "pass" and "去除引用文献复制比10" in chosen.explanation_zh


def test_pol_pa_4_a_paper_without_its_check_waits_and_the_office_gate_waits_with_it() -> None:
    o = pol_pa_4_similarity_threshold(paper(similarity=None), APP)
    assert (o.outcome, o.binding) == ("pending", "office")


def test_pol_pa_4_the_recorded_check_carries_the_ratios_the_chosen_ratio_and_the_judged_level() -> None:
    app = submitted_application(papers=1)
    ratios = {"total": 0.3, "excluding_quotes": 0.1, "excluding_own": 0.3, "largest_source": 0.3}
    (recorded,) = app.record_check(
        paper_id="p0", check_id="c0", ratios=ratios, ratio="excluding_quotes", journal_level="core"
    )
    payload = recorded.model_dump()
    assert payload["ratios"] == ratios and payload["ratio"] == "excluding_quotes"
    assert (payload["copy_ratio"], payload["threshold"], payload["decision"]) == (0.1, 0.15, "pass")
    (unknown,) = app.record_check(paper_id="p0", check_id="c1", ratios=ratios, ratio="total", journal_level=None)
    assert (unknown.model_dump()["decision"], unknown.model_dump()["threshold"]) == ("fail", None)  # 30 % > 25 %


def test_pol_pa_4_a_failed_paper_does_not_stop_the_title_office_a_missing_verdict_does() -> None:
    app = submitted_application(papers=1)
    apply(app, decide(app, UNIT_REVIEWER))
    apply(app, decide(app, DEPT_REVIEWER))
    ratios = {"total": 0.5, "excluding_quotes": 0.5, "excluding_own": 0.5, "largest_source": 0.5}
    apply(app, app.record_check(paper_id="p0", check_id="c0", ratios=None, ratio="total", journal_level=None))
    assert app.checks["p0"]["decision"] == "rejected"
    apply(app, app.record_check(paper_id="p0", check_id="c1", ratios=ratios, ratio="total", journal_level="core"))
    assert app.checks["p0"]["decision"] == "fail"
    apply(app, decide(app, OFFICE_REVIEWER))
    assert app.status == "office_approved"
