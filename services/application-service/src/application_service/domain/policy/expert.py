"""Expert recommendation 专家举荐 as a performance condition (附件3 五(二))."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from zhicheng_kernel.errors import InvalidInput

from ..integrity import in_force
from ..recommendation import SOURCE_ZH
from .context import PolicyContext
from .outcome import RuleOutcome, policy_rule

# POL-ER-2's six cases, numbered as in the notice.
EXCLUSION_CASES_ZH = {
    1: "申报人未向用人单位申请或用人单位不认可",
    2: "针对已定性成果（科技奖项、发表的论文、纳入计划或已结题验收的课题、项目等）举荐",
    3: "未产生经济、社会或生态效益，或效益未达到相应层级职称应具有的水平",
    4: "申报人、举荐专家一方或双方不诚信，或一方不知道举荐政策要求",
    5: "举荐专家不了解申报人的品德、能力、业绩成果",
    6: "举荐专家为获“小范围”高级职称者",
}


@policy_rule("POL-ER-1", binding="item")
def pol_er_1_expert_recommendation_counts(ctx: PolicyContext) -> RuleOutcome:
    """POL-ER-1: an expert recommendation counts as a performance condition only after a written
    application the employer agreed to, and approval by at least 2/3 of the blind reviewers ("方可作为业绩
    条件使用": 2 of 3 counts, 1 of 2 does not); otherwise the recommendation is excluded, the application
    stands without it. The request, the consent and the blind reviewers' counts are what the system
    recorded (the application's stream, review-service's BlindReviewConcluded), never what was declared."""
    rule = pol_er_1_expert_recommendation_counts
    rec = ctx.application.expert_recommendation
    if rec is None:
        return rule.outcome("not_applicable", "申报人未使用“专家举荐”业绩条件")
    p = ctx.params
    share_ok = rec.blind_total > 0 and (
        rec.blind_approvals * p.blind_review_share_denominator >= rec.blind_total * p.blind_review_share_numerator
    )
    details = {
        "blind_approvals": rec.blind_approvals,
        "blind_total": rec.blind_total,
        "share_met": share_ok,
        "source": SOURCE_ZH,
    }
    problems = []
    if not rec.applied_in_writing:
        problems.append("申报人未书面向用人单位提交申请")
    if not rec.employer_agreed:
        problems.append("用人单位未同意")
    if rec.blind_total == 0:
        problems.append("盲审尚未完成")
    elif not share_ok:
        problems.append(f"盲审专家{rec.blind_total}人中{rec.blind_approvals}人同意，未达到2/3")
    if problems:
        return rule.outcome(
            "excluded",
            "；".join(problems) + f"（{SOURCE_ZH}），“专家举荐”不能作为业绩条件使用，应劝申报人撤回该业绩",
            **details,
        )
    return rule.outcome(
        "pass",
        f"申报人书面申请并经用人单位同意，盲审专家{rec.blind_total}人中{rec.blind_approvals}人同意（达到2/3，"
        f"{SOURCE_ZH}），“专家举荐”可作为业绩条件使用",
        **details,
    )


@policy_rule("POL-ER-2", binding="item")
def pol_er_2_expert_recommendation_exclusions(ctx: PolicyContext) -> RuleOutcome:
    """POL-ER-2: the six cases in which an expert recommendation does not count ("不按具备一条业绩对待",
    "劝本人撤回该业绩"), each reported; the recommendation is excluded, not the application."""
    rule = pol_er_2_expert_recommendation_exclusions
    rec = ctx.application.expert_recommendation
    if rec is None:
        return rule.outcome("not_applicable", "申报人未使用“专家举荐”业绩条件", cases={})
    found = {
        1: not (rec.applied_in_writing and rec.employer_agreed),
        2: rec.recommends_established_results,
        3: not (rec.has_benefit and rec.benefit_at_level),
        4: not (
            rec.applicant_in_good_standing
            and rec.expert_in_good_standing
            and rec.applicant_knew_policy
            and rec.expert_knew_policy
        ),
        5: not rec.expert_knows_applicant,
        6: rec.expert_has_small_scope_senior_title,
    }
    cases = {f"case_{n}": hit for n, hit in found.items()}
    hits = [n for n, hit in found.items() if hit]
    if hits:
        listed = "；".join(f"（{n}）{EXCLUSION_CASES_ZH[n]}" for n in hits)
        return rule.outcome(
            "excluded", f"“专家举荐”存在以下情形：{listed}，不按具备一条业绩对待，应劝申报人撤回该业绩", cases=cases
        )
    return rule.outcome("pass", "“专家举荐”不存在不予认可的六种情形", cases=cases)


@policy_rule("POL-ER-3", binding="hard")
def pol_er_3_recommendation_misconduct(ctx: PolicyContext) -> RuleOutcome:
    """POL-ER-3: misconduct in a recommendation cancels the applicant's eligibility for the year; a false
    recommendation puts applicant and expert on the research-integrity blacklist, and a listed person's
    submission is refused while the listing is in force (not_on_integrity_blacklist). Binding hard:
    "取消本年度职称评审资格". `misconduct_found` is the city office's confirmation of a blind reviewer's
    report (RecommendationMisconductConfirmed, which also ends the application: EligibilityCancelled)."""
    rule = pol_er_3_recommendation_misconduct
    rec = ctx.application.expert_recommendation
    if rec is None:
        return rule.outcome("not_applicable", "申报人未使用“专家举荐”业绩条件", blacklist=False)
    details = {
        "cancelled_for_year": ctx.as_of.year if rec.misconduct_found or rec.recommendation_false else None,
        "blacklist": rec.recommendation_false,
        "recheck_every_level": True,
    }
    if rec.misconduct_found or rec.recommendation_false:
        parts = []
        if rec.misconduct_found:
            parts.append("举荐内容存在抄袭、剽窃、伪造、篡改或捏造事实等学术不端行为")
        if rec.recommendation_false:
            parts.append("举荐不实，申报人和举荐专家列入科研诚信“黑名单”，实行联合惩戒")
        return rule.outcome("fail", "；".join(parts) + f"，取消申报人{ctx.as_of.year}年度职称评审资格", **details)
    return rule.outcome("pass", "未发现举荐内容存在学术不端或举荐不实，各级审核部门仍须倒查核实", **details)


def not_on_integrity_blacklist(entry: Mapping[str, object] | None, today: date) -> None:
    """A person in the integrity file (科研诚信档案: the office's blacklist, a false recommendation, a title
    revoked for fraud) has no eligibility: the submission is refused while the entry is in force, and
    the refusal names the entry's rule (the registry's entries are the research-integrity blacklist)."""
    if entry is None:
        return
    listed = date.fromisoformat(str(entry["listed_on"]))
    expires = date.fromisoformat(str(entry["expires_on"])) if entry.get("expires_on") else None
    if not in_force(listed, expires, today):
        return
    rule = str(entry.get("rule") or "POL-ER-3")
    if entry.get("source") == "revocation":
        until = f"至{expires.isoformat()}" if expires else ""
        message = (
            f"申报人的职称资格因弄虚作假被撤销，已记入诚信档案（{listed.isoformat()}起{until}），"
            f"期满前不得申报（{rule}）。"
        )
    else:
        message = f"申报人已被列入科研诚信黑名单，本年度不具备申报资格（{rule}）。"
    raise InvalidInput(
        "research_integrity_blacklisted",
        message,
        rule=rule,
        extra={
            "listed_on": listed.isoformat(),
            "expires_on": expires.isoformat() if expires else None,
            "source": str(entry.get("source") or "registry"),
        },
    )
