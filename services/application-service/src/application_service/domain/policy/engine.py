"""evaluate(): apply every rule to an application and assemble the eligibility report."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from ..schedule import Schedule
from .awards import pol_aw_1_award_recognised
from .context import PolicyContext
from .enterprise import (
    OFF_STAFF_ANNOTATION,
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
from .outcome import EligibilityReport, PolicyRule, RuleOutcome, make_outcome
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
    """Every rule is reported: applied (pass/fail/warn) or not_applicable; eligible iff none failed."""
    ctx = PolicyContext(application, registries, as_of, params, schedule)
    outcomes: list[RuleOutcome] = [rule(ctx) for rule in APPLICATION_RULES]
    outcomes += _per_item(PAPER_RULES, application.papers, ctx, "申报人未提交论文")
    outcomes += _per_item(AWARD_RULES, application.awards, ctx, "申报人未提交奖励")
    by_id = {o.rule_id: o for o in outcomes}
    return EligibilityReport(
        as_of=as_of,
        eligible=all(o.outcome != "fail" for o in outcomes),
        outcomes=tuple(outcomes),
        annotations=_annotations(by_id),
        quota_pool=quota_pool_from(by_id),
        committee_required=_committee_required(by_id),
    )


def _per_item(
    rules: tuple[PolicyRule[[T, PolicyContext]], ...], items: tuple[T, ...], ctx: PolicyContext, none: str
) -> list[RuleOutcome]:
    if not items:
        return [make_outcome(rule.rule_id, "not_applicable", none) for rule in rules]
    return [rule(item, ctx) for rule in rules for item in items]


def _annotations(by_id: dict[str, RuleOutcome]) -> tuple[str, ...]:
    notes = []
    gr2 = by_id[pol_gr_2_rural_not_limited_by_quota.rule_id]
    if gr2.outcome == "pass":
        notes.append(RURAL_ANNOTATION)
    en4 = by_id[pol_en_4_off_staff_treated_like_on_staff.rule_id]
    if en4.outcome in ("pass", "warn"):
        notes.append(OFF_STAFF_ANNOTATION)
    return tuple(notes)


def _committee_required(by_id: dict[str, RuleOutcome]) -> bool:
    """No committee for a junior title by the employer's assessment or a direct local-talent appointment."""
    sk3 = by_id[pol_sk_3_skill_certificate_route.rule_id]
    gr4 = by_id[pol_gr_4_farmer_and_local_talent.rule_id]
    by_employer = sk3.outcome == "pass" and bool(sk3.details.get("employer_assessment"))
    direct = gr4.outcome == "pass" and bool(gr4.details.get("direct_appointment"))
    return not (by_employer or direct)
