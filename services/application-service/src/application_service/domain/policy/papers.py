"""Papers (附件3 五(三)): core status by publication year, excluded issues, listed journals, similarity.

Each rule judges one paper; the engine applies it to every paper the application carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.paper_limits import max_copy_ratio_percent

from .context import PolicyContext
from .model import Paper
from .outcome import RuleOutcome, policy_rule
from .registries import normalise_cn
from .text import ISSUE_ZH, date_zh

LEVEL_NAME = {"core": "核心期刊", "provincial": "省级期刊"}


def _named(paper: Paper) -> str:
    return f"论文《{paper.title}》"


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
        return rule.outcome(
            "fail", f"{_named(paper)}所载期刊（{cn}）不在核心期刊目录中，不能作为国家级论文", cn_number=cn, **details
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
            return rule.outcome(
                "fail", f"{_named(paper)}所载期刊（{cn}）未在国家新闻出版署网站公布，不能作为省级论文", **details
            )
        return rule.outcome(
            "warn", f"{_named(paper)}所载期刊（{cn}）未在期刊库中查到，需查询国家新闻出版署网站核实", **details
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
    """POL-PA-4: a paper's copy ratio may not exceed its journal level's limit (zhicheng_kernel.paper_limits);
    a paper without a result waits for its check (CNKI, or the employer's
    sealed report). The same limits gate the title office's approval and judge the employer's report."""
    rule = pol_pa_4_similarity_threshold
    limit = max_copy_ratio_percent(paper.claimed_level)
    details = {"paper": paper.title, "max_percent": limit, "percent": None}
    result = paper.similarity
    if result is None:
        return rule.outcome(
            "warn", f"{_named(paper)}待查重（{LEVEL_NAME[paper.claimed_level]}复制比不得超过{limit}%）", **details
        )
    details |= {"percent": result.percent, "source": result.source}
    shown = f"{result.percent.normalize():f}%"
    if result.percent > limit:
        return rule.outcome(
            "fail",
            f"{_named(paper)}复制比{shown}，超过{LEVEL_NAME[paper.claimed_level]}{limit}%的上限，查重不通过",
            **details,
        )
    if result.source == "employer_report" and not result.sealed:
        return rule.outcome(
            "warn", f"{_named(paper)}复制比{shown}，但用人单位上传的查重报告未加盖单位公章，需补正", **details
        )
    return rule.outcome(
        "pass", f"{_named(paper)}复制比{shown}，未超过{LEVEL_NAME[paper.claimed_level]}{limit}%的上限", **details
    )


def _percent(journal_level: str) -> str:
    return f"{max_copy_ratio_percent(journal_level).normalize():f}%"


def copy_ratio_within_limit(copy_ratio: float, journal_level: str) -> bool:
    """A ratio (0–1) against its level's limit, compared in hundredths of a percent: exactly the limit
    passes, one hundredth of a percent more does not."""
    percent = (Decimal(str(copy_ratio)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return percent <= max_copy_ratio_percent(journal_level)


def plagiarism_gate(paper_ids: Sequence[str], checks: Mapping[str, Mapping[str, object]]) -> None:
    """The title office approves only when every paper has a recorded check and none failed (the
    limits of zhicheng_kernel.paper_limits, decided by plagiarism-service or the employer's report)."""
    pending = [p for p in paper_ids if p not in checks]
    if pending:
        raise Conflict(
            "plagiarism_checks_pending",
            f"尚有 {len(pending)} 篇论文的查重结果未返回，暂不能由职改办审核通过。",
            rule="POL-PA-4",
            extra={"paper_ids": pending},
        )
    rejected = [p for p in paper_ids if checks[p].get("decision") == "rejected"]
    if rejected:
        raise InvalidInput(
            "plagiarism_check_rejected",
            "有论文未能自动查重（内容无法比对），须由用人单位联系查重并上传盖章的查重报告。",
            rule="POL-PA-4",
            extra={"paper_ids": rejected, "reasons": [checks[p].get("reason") for p in rejected]},
        )
    failed = [p for p in paper_ids if checks[p].get("decision") != "pass"]
    if failed:
        raise InvalidInput(
            "plagiarism_check_failed",
            f"有论文查重未通过（核心期刊复制比不得超过{_percent('core')}，"
            f"省级期刊不得超过{_percent('provincial')}），不能审核通过。",
            rule="POL-PA-4",
            extra={"paper_ids": failed},
        )
