"""Which quota pool an application counts against: the post-structure ratio, the grassroots separate
total, or none. Decided from the outcomes of the rules that grant an exemption, each cited."""

from __future__ import annotations

from datetime import date

from ..schedule import Schedule
from .context import PolicyContext
from .enterprise import pol_en_2_enterprise_not_limited_by_posts, pol_en_4_off_staff_treated_like_on_staff
from .exceptional import pol_ex_1_exceptional_promotion
from .grassroots import (
    pol_gr_1_grassroots_separate_total,
    pol_gr_2_rural_not_limited_by_quota,
    pol_gr_4_farmer_and_local_talent,
)
from .model import Application
from .outcome import QuotaDecision, QuotaReason, RuleOutcome
from .parameters import DEFAULT_PARAMETERS, PolicyParameters
from .registries import Registries

GRANTED = ("pass", "warn")


def decide_quota_pool(
    application: Application,
    registries: Registries,
    as_of: date,
    params: PolicyParameters = DEFAULT_PARAMETERS,
    schedule: Schedule | None = None,
) -> QuotaDecision:
    return quota_pool_of(PolicyContext(application, registries, as_of, params, schedule))


def quota_pool_of(ctx: PolicyContext) -> QuotaDecision:
    outcomes = {
        rule.rule_id: rule(ctx)
        for rule in (
            pol_gr_1_grassroots_separate_total,
            pol_gr_2_rural_not_limited_by_quota,
            pol_gr_4_farmer_and_local_talent,
            pol_ex_1_exceptional_promotion,
            pol_en_2_enterprise_not_limited_by_posts,
            pol_en_4_off_staff_treated_like_on_staff,
        )
    }
    return quota_pool_from(outcomes)


def quota_pool_from(outcomes: dict[str, RuleOutcome]) -> QuotaDecision:
    """`outcomes` maps rule id → outcome for the rules above (other ids are ignored)."""

    def granted(rule_id: str, flag: str) -> bool:
        o = outcomes.get(rule_id)
        return o is not None and o.outcome in GRANTED and bool(o.details.get(flag))

    exempt: list[QuotaReason] = []
    if granted(pol_gr_2_rural_not_limited_by_quota.rule_id, "quota_exempt"):
        exempt.append(
            QuotaReason(pol_gr_2_rural_not_limited_by_quota.rule_id, "艰苦边远地区乡村专业技术人才，不受指标限制")
        )
    if granted(pol_ex_1_exceptional_promotion.rule_id, "not_limited_by_structure_ratio"):
        exempt.append(QuotaReason(pol_ex_1_exceptional_promotion.rule_id, "破格申报，不受岗位结构比例限制"))
    if granted(pol_en_2_enterprise_not_limited_by_posts.rule_id, "not_limited_by_posts"):
        exempt.append(QuotaReason(pol_en_2_enterprise_not_limited_by_posts.rule_id, "企业实行评聘分开，不受岗位影响"))
    if granted(pol_en_4_off_staff_treated_like_on_staff.rule_id, "not_limited_by_posts"):
        exempt.append(
            QuotaReason(pol_en_4_off_staff_treated_like_on_staff.rule_id, "事业单位编外聘用人员，不受岗位数额限制")
        )
    gr4 = outcomes.get(pol_gr_4_farmer_and_local_talent.rule_id)
    if gr4 is not None and gr4.outcome == "pass":
        # Not stated by the notice: farmers hold no post of a public institution, so no post ratio applies.
        exempt.append(QuotaReason(pol_gr_4_farmer_and_local_talent.rule_id, "农民职称不占事业单位专业技术岗位结构比例"))
    separate = granted(pol_gr_1_grassroots_separate_total.rule_id, "separate_total")
    if separate:
        reason = QuotaReason(
            pol_gr_1_grassroots_separate_total.rule_id,
            "基层事业单位高级岗位实行总量控制、比例单列，不占本地高级结构比例",
        )
        if not exempt:
            return QuotaDecision("grassroots_separate", (reason,))
        exempt.append(reason)
    if exempt:
        return QuotaDecision("not_counted", tuple(exempt))
    return QuotaDecision("structure_ratio")
