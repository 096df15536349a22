"""evaluate(): apply every rule to an application and assemble the eligibility report."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TypeVar

from ..schedule import Schedule
from .awards import pol_aw_1_award_recognised
from .context import PolicyContext
from .enterprise import (
    OFF_STAFF_REMARK,
    pol_en_1_enterprise_professionals_may_apply,
    pol_en_2_enterprise_not_limited_by_posts,
    pol_en_3_major_mismatch,
    pol_en_4_off_staff_treated_like_on_staff,
)
from .exceptional import pol_ex_1_exceptional_promotion
from .expert import (
    pol_er_1_expert_recommendation_counts,
    pol_er_2_expert_recommendation_exclusions,
    pol_er_3_recommendation_misconduct,
)
from .frontline import (
    pol_fl_1_front_line_carry_over,
    pol_fl_2_front_line_roster_authority,
    pol_fl_3_epidemic_results_replace_paper,
)
from .grassroots import (
    RURAL_ANNOTATION,
    pol_gr_1_grassroots_separate_total,
    pol_gr_2_rural_not_limited_by_quota,
    pol_gr_3_three_long_two_outstanding,
    pol_gr_4_farmer_and_local_talent,
    sched_2_grassroots_track_only_for_marked_series,
)
from .model import Application, Award, Paper
from .outcome import EligibilityReport, ExcludedItem, ItemKind, PolicyRule, Route, RuleOutcome
from .papers import (
    pol_pa_1_core_by_publication_year,
    pol_pa_2_excluded_issue_types,
    pol_pa_3_listed_print_journal,
    pol_pa_4_similarity_threshold,
)
from .parameters import DEFAULT_PARAMETERS, PolicyParameters
from .quota import quota_pool_from
from .registries import Registries
from .skills import (
    pol_sk_1_bridged_qualification,
    pol_sk_2_technical_class_equivalence,
    pol_sk_3_skill_certificate_route,
)

T = TypeVar("T")

# Rules of the whole application, in the order of the notice.
APPLICATION_RULES: tuple[PolicyRule[[PolicyContext]], ...] = (
    sched_2_grassroots_track_only_for_marked_series,
    pol_fl_1_front_line_carry_over,
    pol_fl_2_front_line_roster_authority,
    pol_fl_3_epidemic_results_replace_paper,
    pol_gr_1_grassroots_separate_total,
    pol_gr_2_rural_not_limited_by_quota,
    pol_gr_3_three_long_two_outstanding,
    pol_gr_4_farmer_and_local_talent,
    pol_sk_1_bridged_qualification,
    pol_sk_2_technical_class_equivalence,
    pol_sk_3_skill_certificate_route,
    pol_en_1_enterprise_professionals_may_apply,
    pol_en_2_enterprise_not_limited_by_posts,
    pol_en_3_major_mismatch,
    pol_en_4_off_staff_treated_like_on_staff,
    pol_ex_1_exceptional_promotion,
    pol_er_1_expert_recommendation_counts,
    pol_er_2_expert_recommendation_exclusions,
    pol_er_3_recommendation_misconduct,
)
# Rules applied to each paper, then to each award.
PAPER_RULES: tuple[PolicyRule[[Paper, PolicyContext]], ...] = (
    pol_pa_1_core_by_publication_year,
    pol_pa_2_excluded_issue_types,
    pol_pa_3_listed_print_journal,
    pol_pa_4_similarity_threshold,
)
AWARD_RULES: tuple[PolicyRule[[Award, PolicyContext]], ...] = (pol_aw_1_award_recognised,)

ALL_RULES: tuple[PolicyRule[...], ...] = (*APPLICATION_RULES, *PAPER_RULES, *AWARD_RULES)


def evaluate(
    application: Application,
    registries: Registries,
    as_of: date,
    *,
    params: PolicyParameters = DEFAULT_PARAMETERS,
    schedule: Schedule | None = None,
) -> EligibilityReport:
    """Every rule is reported: applied (pass/fail/warn/excluded/pending) or not_applicable. An item that
    does not count (a paper, an award, the expert recommendation) is excluded and listed for withdrawal;
    the application stands without it. Eligible iff no hard failure."""
    base = PolicyContext(application, registries, as_of, params, schedule)
    judged = [(paper, _paper_outcome(rule(paper, base))) for rule in PAPER_RULES for paper in application.papers]
    dropped = {id(paper) for paper, o in judged if o.outcome == "excluded"}
    ctx = replace(base, papers_that_count=tuple(p for p in application.papers if id(p) not in dropped))
    general = [rule(ctx) for rule in APPLICATION_RULES]
    awards = [(award, rule(award, ctx)) for rule in AWARD_RULES for award in application.awards]
    outcomes = (
        general + _or_none(PAPER_RULES, judged, "申报人未提交论文") + _or_none(AWARD_RULES, awards, "申报人未提交奖励")
    )
    excluded = [
        *(_excluded("paper", paper.ref, paper.title, o) for paper, o in judged if o.outcome == "excluded"),
        *(_excluded("award", award.ref, award.title, o) for award, o in awards if o.outcome == "excluded"),
        *(
            _excluded("expert_recommendation", "expert_recommendation", "专家举荐", o)
            for o in general
            if o.outcome == "excluded"
        ),
    ]
    by_id = {o.rule_id: o for o in general}
    return EligibilityReport(
        as_of=as_of,
        outcomes=tuple(outcomes),
        quota_pool=quota_pool_from(by_id),
        route=_route(by_id),
        annotations=_annotations(by_id),
        remarks=_remarks(by_id),
        excluded_items=tuple(excluded),
    )


def _paper_outcome(o: RuleOutcome) -> RuleOutcome:
    """Each paper rule judges one paper: its failure excludes that paper (binding "item"); a pending
    outcome (a journal the registries do not know) binds the title office, who must classify it."""
    if o.outcome == "fail":
        return replace(o, outcome="excluded", binding="item")
    return replace(o, binding="office" if o.outcome == "pending" else "item")


def _or_none(
    rules: tuple[PolicyRule[[T, PolicyContext]], ...], judged: list[tuple[T, RuleOutcome]], none: str
) -> list[RuleOutcome]:
    if not judged:
        return [rule.outcome("not_applicable", none) for rule in rules]
    return [o for _, o in judged]


ITEM_ZH: dict[ItemKind, str] = {"paper": "论文", "award": "奖励", "expert_recommendation": "“专家举荐”业绩"}


def _excluded(item: ItemKind, ref: str | None, title: str, o: RuleOutcome) -> ExcludedItem:
    """The outcome's explanation, told to withdraw the item when the rule did not say so itself."""
    told = "撤回" in o.explanation_zh
    explanation = (
        o.explanation_zh
        if told
        else f"{o.explanation_zh}该{ITEM_ZH[item]}不予认可，请申报人撤回，申报按其余材料继续审核。"
    )
    return ExcludedItem(item, ref, title, o.rule_id, explanation)


def _annotations(by_id: dict[str, RuleOutcome]) -> tuple[str, ...]:
    """Printed on the qualification document."""
    gr2 = by_id[pol_gr_2_rural_not_limited_by_quota.rule_id]
    return (RURAL_ANNOTATION,) if gr2.outcome == "pass" else ()


def _remarks(by_id: dict[str, RuleOutcome]) -> tuple[str, ...]:
    """Stated at recommendation and in publicity, noted in the submission; never printed on the document."""
    en4 = by_id[pol_en_4_off_staff_treated_like_on_staff.rule_id]
    return (OFF_STAFF_REMARK,) if en4.outcome in ("pass", "warn") else ()


def _route(by_id: dict[str, RuleOutcome]) -> Route:
    """No committee for a junior title by the employer's assessment or a direct local-talent appointment."""
    sk3 = by_id[pol_sk_3_skill_certificate_route.rule_id]
    if sk3.outcome == "pass" and sk3.details.get("employer_assessment"):
        return "employer_assessment"
    gr4 = by_id[pol_gr_4_farmer_and_local_talent.rule_id]
    if gr4.outcome == "pass" and gr4.details.get("direct_appointment"):
        return "direct_appointment"
    return "committee"
