"""Papers (附件3 五(三)): core status by publication year, excluded issues, listed journals, similarity.

Each rule judges one paper; the engine applies it to every paper the application carries. A paper
that fails a rule is an item that does not count (binding "item"); a journal the registries do not
know is neither passed nor failed: the outcome is "pending" with binding "office" — the title office
classifies the journal (adds it to the journal registry) before it approves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.paper_limits import MAX_COPY_RATIO_PERCENT, JournalLevel, max_copy_ratio_percent

from .context import PolicyContext
from .model import Paper, SimilarityRatio
from .outcome import Binding, Outcome, PolicyRule, RuleOutcome, policy_rule
from .registries import Registries, normalise_cn
from .text import ISSUE_ZH, date_zh

LEVEL_NAME = {"core": "核心期刊", "provincial": "省级期刊"}
RATIO_NAME_ZH: dict[str, str] = {
    "total": "总文字复制比",
    "excluding_quotes": "去除引用文献复制比",
    "excluding_own": "去除本人已发表文献复制比",
}
SimilarityDecision = Literal["pass", "fail", "pending"]
_BINDING: dict[str, Binding] = {"fail": "item", "pending": "office"}


def _named(paper: Paper) -> str:
    return f"论文《{paper.title}》"


def _outcome(rule: PolicyRule[Any], outcome: Outcome, sentence: str, **details: Any) -> RuleOutcome:
    """A paper rule's outcome with its binding: a failure excludes the paper, pending waits for the office."""
    return replace(rule.outcome(outcome, sentence, **details), binding=_BINDING.get(outcome, "advisory"))


def _shown_percent(value: Decimal | None) -> str:
    return f"{value.normalize():f}%" if value is not None else ""


def judged_level(paper: Paper, registries: Registries, authoritative_cutoff: date) -> JournalLevel | None:
    """The level of the paper's journal in its publication year as the registries judge it — core in
    that year, or on the provincial authoritative list before the cutoff; provincial otherwise; None
    when the registries do not know the journal. A paper without a valid CN number is in no core
    journal: provincial at best (and POL-PA-3 does not count it)."""
    cn = normalise_cn(paper.cn_number)
    if cn is None:
        return "provincial"
    journal = registries.journal(cn)
    if journal is None:
        return None
    if paper.published_on.year in journal.core_years:
        return "core"
    if journal.provincial_authoritative and paper.published_on < authoritative_cutoff:
        return "core"
    return "provincial"


def similarity_decision(percent: Decimal, level: JournalLevel | None) -> SimilarityDecision:
    """A ratio (percent) against the limit of the journal's level, exactly (15.00 % passes a core
    paper, 15.01 % does not); for a journal of unknown level: pass under both limits, fail over both,
    pending in between (the level decides)."""
    if level is not None:
        return "pass" if percent <= max_copy_ratio_percent(level) else "fail"
    limits = sorted(MAX_COPY_RATIO_PERCENT.values())
    if percent <= limits[0]:
        return "pass"
    return "fail" if percent > limits[-1] else "pending"


@policy_rule("POL-PA-1")
def pol_pa_1_core_by_publication_year(paper: Paper, ctx: PolicyContext) -> RuleOutcome:
    """POL-PA-1: a national-level paper is in a domestic core journal in its year of publication; before
    2018-07-01 a journal of the provincial authoritative list counts as core."""
    rule = pol_pa_1_core_by_publication_year
    year = paper.published_on.year
    details = {"paper": paper.title, "published_on": paper.published_on, "counts_as_core": False}
    if paper.claimed_level != "core":
        return rule.outcome("not_applicable", f"{_named(paper)}按省级期刊论文申报", **details)
    cn = normalise_cn(paper.cn_number)
    if cn is None:
        return rule.outcome(
            "fail", f"{_named(paper)}未填写有效的CN号，无法认定为核心期刊，不能作为国家级论文", **details
        )
    journal = ctx.registries.journal(cn)
    if journal is None:
        return _outcome(
            rule,
            "pending",
            f"{_named(paper)}所载期刊（{cn}）不在期刊名录中，须由职改办核定期刊级别并录入期刊名录后方可审核通过",
            cn_number=cn,
            **details,
        )
    details |= {"cn_number": cn, "core_years": sorted(journal.core_years)}
    if year in journal.core_years:
        details["counts_as_core"] = True
        return rule.outcome(
            "pass", f"{_named(paper)}发表于{year}年，《{journal.name}》{year}年为核心期刊，可作为国家级论文", **details
        )
    cutoff = ctx.params.authoritative_list_cutoff
    if journal.provincial_authoritative and paper.published_on < cutoff:
        details["counts_as_core"] = True
        return rule.outcome(
            "pass",
            f"{_named(paper)}发表于{date_zh(paper.published_on)}，在{date_zh(cutoff)}前且《{journal.name}》"
            "属我省权威期刊目录，按核心期刊对待",
            **details,
        )
    later = sorted(y for y in journal.core_years if y > year)
    tail = f"（该刊{later[0]}年起才列为核心期刊，不溯及以前）" if later else ""
    if journal.provincial_authoritative:
        tail += f"；该刊属我省权威期刊目录，但论文发表于{date_zh(cutoff)}及以后，不再按核心期刊对待"
    return rule.outcome(
        "fail",
        f"{_named(paper)}发表于{year}年，《{journal.name}》{year}年不是核心期刊{tail}，不能作为国家级论文",
        **details,
    )


@policy_rule("POL-PA-2")
def pol_pa_2_excluded_issue_types(paper: Paper, ctx: PolicyContext) -> RuleOutcome:
    """POL-PA-2: core and provincial journals exclude 增刊、副刊、特刊、专刊、专辑, internal journals and
    proceedings (论文集)."""
    rule = pol_pa_2_excluded_issue_types
    details = {"paper": paper.title, "issue_type": paper.issue_type}
    if paper.issue_type == "regular":
        return rule.outcome("pass", f"{_named(paper)}发表于正刊", **details)
    return rule.outcome(
        "fail",
        f"{_named(paper)}发表于{ISSUE_ZH[paper.issue_type]}，核心期刊和省级期刊均不含{ISSUE_ZH[paper.issue_type]}，不予认可",
        **details,
    )


@policy_rule("POL-PA-3")
def pol_pa_3_listed_print_journal(paper: Paper, ctx: PolicyContext) -> RuleOutcome:
    """POL-PA-3: a provincial paper is in a journal listed by the national press and publication
    administration; electronic journals are not accepted."""
    rule = pol_pa_3_listed_print_journal
    details = {"paper": paper.title}
    if paper.claimed_level != "provincial":
        return rule.outcome("not_applicable", f"{_named(paper)}按核心期刊论文申报", **details)
    cn = normalise_cn(paper.cn_number)
    if cn is None:
        return rule.outcome(
            "fail", f"{_named(paper)}所载期刊无有效CN号，不是国家新闻出版署公布的期刊，不能作为省级论文", **details
        )
    details["cn_number"] = cn
    journal = ctx.registries.journal(cn)
    electronic = paper.electronic or (journal is not None and journal.electronic)
    if electronic:
        return rule.outcome("fail", f"{_named(paper)}发表于电子期刊，电子期刊不予认可", **details)
    if journal is None:
        if paper.press_listed is False:
            return _outcome(
                rule, "fail", f"{_named(paper)}所载期刊（{cn}）未在国家新闻出版署网站公布，不能作为省级论文", **details
            )
        return _outcome(
            rule,
            "pending",
            f"{_named(paper)}所载期刊（{cn}）不在期刊名录中，须由职改办查询国家新闻出版署网站核定并录入期刊名录后"
            "方可审核通过",
            **details,
        )
    if not journal.press_listed:
        return rule.outcome(
            "fail",
            f"{_named(paper)}所载《{journal.name}》（{cn}）未在国家新闻出版署网站公布，不能作为省级论文",
            **details,
        )
    return rule.outcome("pass", f"{_named(paper)}所载《{journal.name}》（{cn}）为国家新闻出版署公布的期刊", **details)


@policy_rule("POL-PA-4")
def pol_pa_4_similarity_threshold(paper: Paper, ctx: PolicyContext) -> RuleOutcome:
    """POL-PA-4: the CNKI ratio the city office chose for the year (ctx.params.similarity_ratio,
    去除本人已发表文献复制比 by default) may not exceed the limit of the journal's level AS THE
    REGISTRIES JUDGE IT (zhicheng_kernel.paper_limits), not the level the applicant claims. A paper
    without a result waits for its check (CNKI, or the employer's sealed report); a paper over the limit
    does not count (an excluded item); for a journal the registries do not know, a ratio between the two
    limits waits for the office to classify the journal."""
    rule = pol_pa_4_similarity_threshold
    ratio: SimilarityRatio = ctx.params.similarity_ratio
    level = judged_level(paper, ctx.registries, ctx.params.authoritative_list_cutoff)
    limit = max_copy_ratio_percent(level) if level else None
    name = RATIO_NAME_ZH[ratio]
    details: dict[str, Any] = {
        "paper": paper.title,
        "ratio": ratio,
        "journal_level": level,
        "claimed_level": paper.claimed_level,
        "max_percent": limit,
        "percent": None,
    }
    result = paper.similarity
    if result is None:
        return _outcome(rule, "pending", f"{_named(paper)}待查重，查重结果返回前职改办不能审核通过", **details)
    percent = result.percent_of(ratio)
    details |= {"percent": percent, "source": result.source}
    shown = f"{name}{_shown_percent(percent)}"
    decision = similarity_decision(percent, level)
    if level is None:
        low, high = (_shown_percent(v) for v in sorted(MAX_COPY_RATIO_PERCENT.values()))
        if decision == "pending":
            return _outcome(
                rule,
                "pending",
                f"{_named(paper)}{shown}，所载期刊不在期刊名录中，核心期刊上限{low}、省级期刊上限{high}，"
                "须待职改办核定期刊级别后判定",
                **details,
            )
        verdict = "未超过" if decision == "pass" else "超过"
        bound = low if decision == "pass" else high
        sentence = f"{_named(paper)}{shown}，{verdict}{bound}（无论期刊级别）"
    else:
        judged = LEVEL_NAME[level]
        as_claimed = "" if level == paper.claimed_level else f"（期刊名录认定为{judged}，按{judged}上限判定）"
        verdict = "未超过" if decision == "pass" else "超过"
        sentence = f"{_named(paper)}{shown}，{verdict}{judged}{_shown_percent(limit)}的上限{as_claimed}"
    if decision == "fail":
        return _outcome(rule, "fail", f"{sentence}，查重不通过，该论文不予认可", **details)
    if result.source == "employer_report" and not result.sealed:
        return _outcome(rule, "warn", f"{sentence}，但用人单位上传的查重报告未加盖单位公章，需补正", **details)
    return _outcome(rule, "pass", sentence, **details)


def plagiarism_gate(paper_ids: Sequence[str], checks: Mapping[str, Mapping[str, object]]) -> None:
    """The title office approves only when every paper has a verdict (POL-PA-4): a recorded check with
    its ratios, or the employer's sealed report where the automatic check could not run for a reason the
    applicant did not cause (one the applicant's input caused goes back to the applicant). A paper over
    its limit does not stop the approval: it is an excluded item of the eligibility report."""
    pending = [p for p in paper_ids if p not in checks]
    if pending:
        raise Conflict(
            "plagiarism_checks_pending",
            f"尚有 {len(pending)} 篇论文的查重结果未返回，暂不能由职改办审核通过。",
            rule="POL-PA-4",
            extra={"paper_ids": pending},
        )
    spoilt = [p for p in paper_ids if checks[p].get("decision") == "rejected" and checks[p].get("applicant_caused")]
    if spoilt:
        raise InvalidInput(
            "plagiarism_check_refused_for_applicant_input",
            "有论文因申报人填报的论文信息有误未能自动查重，须退回申报人更正后重新提交。",
            rule="POL-PA-4",
            extra={"paper_ids": spoilt, "reasons": [checks[p].get("reason") for p in spoilt]},
        )
    rejected = [p for p in paper_ids if checks[p].get("decision") == "rejected"]
    if rejected:
        raise InvalidInput(
            "plagiarism_check_rejected",
            "有论文未能自动查重（内容无法比对），须由用人单位联系查重并上传盖章的查重报告。",
            rule="POL-PA-4",
            extra={"paper_ids": rejected, "reasons": [checks[p].get("reason") for p in rejected]},
        )
