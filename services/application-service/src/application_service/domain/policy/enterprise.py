"""Enterprises and off-staff employees (附件3 四)."""

from __future__ import annotations

from .context import PolicyContext
from .outcome import RuleOutcome, policy_rule
from .text import EDUCATION_ZH, months_zh

# POL-EN-4's note: "在推荐、公示时要说明情况，在报送申报材料时备注说明" — a remark, never printed on the document.
OFF_STAFF_REMARK = (
    "事业单位编外聘用人员：享受与编内人员同等待遇，不受岗位数额限制；"
    "取得资格后仍按编外聘用，转为编内人员后任职年限合并计算。"
)


@policy_rule("POL-EN-1", binding="hard")
def pol_en_1_enterprise_professionals_may_apply(ctx: PolicyContext) -> RuleOutcome:
    """POL-EN-1: every professional of any enterprise in the city (市内各类企业: state-owned and private)
    is in the scope of the review, whatever the household registration, region, identity, personnel file
    or personnel relation, and may apply through the employer. Binding hard for the scope ("市内"); the
    channel is a "可" (may), so an application not made through the employer is only flagged."""
    rule = pol_en_1_enterprise_professionals_may_apply
    applicant = ctx.application.applicant
    if not applicant.employer.is_enterprise:
        return rule.outcome("not_applicable", "申报单位不是企业")
    if not applicant.employer.in_city:
        return rule.outcome("fail", "申报单位不是本市企业，不属于本市企业专业技术人才申报范围")
    if not applicant.applied_through_employer:
        return rule.outcome("warn", "企业专业技术人才可通过所在单位申报职称，申报人未通过所在单位申报，需核实申报渠道")
    note = "；申报人户籍不在本市，不影响申报" if applicant.household_outside_city else ""
    return rule.outcome(
        "pass", f"本市企业专业技术人才通过所在单位申报，不受户籍、地域、身份、档案、人事关系等限制{note}"
    )


@policy_rule("POL-EN-2")
def pol_en_2_enterprise_not_limited_by_posts(ctx: PolicyContext) -> RuleOutcome:
    """POL-EN-2: enterprises of every kind (各类企业, state-owned and private) may separate evaluation from
    appointment; applications are not limited by posts."""
    rule = pol_en_2_enterprise_not_limited_by_posts
    if not ctx.application.applicant.employer.is_enterprise:
        return rule.outcome("not_applicable", "申报单位不是企业", not_limited_by_posts=False)
    return rule.outcome("pass", "企业可实行评聘分开，申报不受岗位影响，符合条件即可参加评审", not_limited_by_posts=True)


@policy_rule("POL-EN-3", binding="hard")
def pol_en_3_major_mismatch(ctx: PolicyContext) -> RuleOutcome:
    """POL-EN-3: a major that does not match the current work is accepted when the education level meets
    the requirement and the applicant has ≥3 years in the current specialty. Binding hard: short of
    either ("只要学历符合要求……满3年及以上……即可") the mismatch is not accepted."""
    rule = pol_en_3_major_mismatch
    app = ctx.application
    if app.education.major_matches_work:
        return rule.outcome("not_applicable", "所学专业与从事专业对口")
    needed = ctx.params.mismatch_months_in_specialty
    worked = app.work.months_in_current_specialty
    requirement = ctx.requirement()
    problems = []
    if worked < needed:
        problems.append(f"从事现专业技术工作{months_zh(worked)}，未满{needed // 12}年")
    if requirement is not None and not ctx.education_meets(requirement):
        mine = ctx.effective_education()
        have = EDUCATION_ZH[mine] if mine else "无学历信息"
        problems.append(f"学历（{have}）未达到{EDUCATION_ZH[requirement.min_education]}的要求")
    details = {"months_in_current_specialty": worked, "required_months": needed}
    if problems:
        return rule.outcome("fail", "所学专业与从事专业不对口，且" + "、".join(problems), **details)
    if requirement is None:
        return rule.outcome(
            "warn",
            f"所学专业与从事专业不对口，从事现专业技术工作已满{needed // 12}年，"
            "但未找到该系列层级的学历要求，需人工核对学历",
            **details,
        )
    return rule.outcome(
        "pass",
        f"所学专业与从事专业不对口，但学历符合要求，从事现专业技术工作{months_zh(worked)}，"
        f"满{needed // 12}年，不再强调专业对口",
        **details,
    )


@policy_rule("POL-EN-4")
def pol_en_4_off_staff_treated_like_on_staff(ctx: PolicyContext) -> RuleOutcome:
    """POL-EN-4: off-staff (编外) employees of public institutions (事业单位 only: not enterprises, not
    government bodies) are treated like on-staff ones, are not limited by post numbers, and the employer
    says so when recommending, in publicity and in the submission (the report's remark, not an annotation)."""
    rule = pol_en_4_off_staff_treated_like_on_staff
    applicant = ctx.application.applicant
    if applicant.staff_status != "off_staff":
        return rule.outcome("not_applicable", "申报人为编内人员", not_limited_by_posts=False)
    if applicant.employer.kind != "public_institution":
        return rule.outcome("not_applicable", "申报人不在事业单位工作，编外聘用政策不适用", not_limited_by_posts=False)
    details = {"not_limited_by_posts": True, "remark": OFF_STAFF_REMARK}
    if not applicant.off_staff_stated_by_employer:
        return rule.outcome(
            "warn",
            "事业单位编外聘用人员享受同等待遇、不受岗位数额限制；用人单位尚未在推荐、公示中说明编外聘用情况，报送材料须备注说明",
            **details,
        )
    return rule.outcome(
        "pass",
        "事业单位编外聘用人员与编内人员一并推荐，享受同等待遇，不受岗位数额限制，已在推荐、公示中说明情况",
        **details,
    )
