"""High-skill talents (附件3 三): bridged qualifications, technical-school classes, skill certificates."""

from __future__ import annotations

from zhicheng_kernel.titles import level_zh

from .context import TECHNICAL_CLASS_EQUIVALENT, PolicyContext
from .model import SKILL_ORDER, Level, SkillGrade, next_lower_level
from .outcome import RuleOutcome, policy_rule
from .text import EDUCATION_ZH, SKILL_ZH, TECHNICAL_CLASS_ZH, full_months_between, months_zh

# POL-SK-3: the certificate a target level needs ("or higher").
GRADE_FOR_LEVEL: dict[Level, SkillGrade] = {
    "junior": "advanced_worker",
    "intermediate": "technician",
    "deputy_senior": "senior_technician",
}


@policy_rule("POL-SK-1")
def pol_sk_1_bridged_qualification(ctx: PolicyContext) -> RuleOutcome:
    """POL-SK-1: a high-skill talent's professional qualification in a bridged field (经济、会计、统计、
    审计、翻译、出版、通信、计算机技术与软件) counts as the title of its level and for the next level."""
    rule = pol_sk_1_bridged_qualification
    app = ctx.application
    quals = app.bridged_qualifications
    if not quals:
        return rule.outcome("not_applicable", "申报人未以贯通领域职业资格申报")
    if not app.skill_certificates:
        return rule.outcome("fail", "申报人未取得高级工及以上职业资格或职业技能等级，不属于高技能人才，不适用贯通政策")
    bridged = ctx.registries.bridged_fields()
    recognised = [q for q in quals if q.field in bridged and q.obtained_on <= ctx.as_of]
    rejected = [q for q in quals if q not in recognised]
    lower = next_lower_level(app.target.level)
    counts = any(q.level == lower for q in recognised)
    details = {
        "recognised": [{"field": q.field, "level": q.level} for q in recognised],
        "not_recognised": [{"field": q.field, "level": q.level} for q in rejected],
        "counts_for_target": counts,
    }
    if not recognised:
        fields = "、".join(q.field for q in rejected)
        return rule.outcome("fail", f"所报职业资格（{fields}）不属于贯通领域，不能对应职称", **details)
    listed = "、".join(f"{q.field}（{level_zh(q.level)}）" for q in recognised)
    sentence = f"贯通领域职业资格{listed}可对应相应层级职称"
    if counts and lower is not None:
        sentence += f"，可作为申报{level_zh(app.target.level)}职称的条件"
    if rejected:
        sentence += "；" + "、".join(q.field for q in rejected) + "不属于贯通领域，不予对应"
    return rule.outcome("pass", sentence, **details)


@policy_rule("POL-SK-2")
def pol_sk_2_technical_class_equivalence(ctx: PolicyContext) -> RuleOutcome:
    """POL-SK-2: technical-school classes count as education: 中级工班 → 中专, 高级工班 → 大专, 预备技师班 → 本科."""
    rule = pol_sk_2_technical_class_equivalence
    cls = ctx.application.education.technical_class
    if cls is None:
        return rule.outcome("not_applicable", "申报人未以技工院校毕业班次作为学历")
    equivalent = TECHNICAL_CLASS_EQUIVALENT[cls]
    return rule.outcome(
        "pass",
        f"技工院校{TECHNICAL_CLASS_ZH[cls]}毕业，按相当于{EDUCATION_ZH[equivalent]}学历同等对待",
        technical_class=cls,
        equivalent_education=equivalent,
    )


@policy_rule("POL-SK-3", binding="hard")
def pol_sk_3_skill_certificate_route(ctx: PolicyContext) -> RuleOutcome:
    """POL-SK-3: 高级工 + 2 years → junior by the employer's assessment (no committee); 技师 + 3 years →
    may apply for intermediate; 高级技师 + 4 years → may apply for deputy-senior. Binding hard: the
    bridge is open only "取得……后，从事相应技术技能工作满N年"."""
    rule = pol_sk_3_skill_certificate_route
    app = ctx.application
    if app.target.track != "skills_bridge":
        return rule.outcome("not_applicable", "申报人未按技能人才贯通申报", employer_assessment=False)
    level = app.target.level
    grade = GRADE_FOR_LEVEL.get(level)
    if grade is None:
        return rule.outcome(
            "fail", f"技能人才贯通最高可申报副高级职称，不能申报{level_zh(level)}职称", employer_assessment=False
        )
    needed = {
        "advanced_worker": ctx.params.advanced_worker_months,
        "technician": ctx.params.technician_months,
        "senior_technician": ctx.params.senior_technician_months,
    }[grade]
    eligible = [c for c in app.skill_certificates if SKILL_ORDER.index(c.grade) >= SKILL_ORDER.index(grade)]
    if not eligible:
        return rule.outcome(
            "fail",
            f"申报{level_zh(level)}职称须取得{SKILL_ZH[grade]}及以上职业资格或职业技能等级",
            employer_assessment=False,
            required_grade=grade,
        )
    # Matching work counts only after the certificate, up to the evaluation date.
    best = max(eligible, key=lambda c: min(c.matching_work_months, full_months_between(c.obtained_on, ctx.as_of)))
    worked = min(best.matching_work_months, full_months_between(best.obtained_on, ctx.as_of))
    by_employer = level == "junior"
    details = {
        "certificate": best.grade,
        "matching_work_months": worked,
        "required_months": needed,
        "employer_assessment": by_employer and worked >= needed,
    }
    if worked < needed:
        return rule.outcome(
            "fail",
            f"取得{SKILL_ZH[best.grade]}后从事相应技术技能工作{months_zh(worked)}，"
            f"未满{needed // 12}年，不能申报{level_zh(level)}职称",
            **details,
        )
    how = (
        "由用人单位考核认定相应专业初级职称，不需评委会评审"
        if by_employer
        else f"可申报评审相应专业{level_zh(level)}职称"
    )
    return rule.outcome(
        "pass",
        f"取得{SKILL_ZH[best.grade]}后从事相应技术技能工作{months_zh(worked)}，满{needed // 12}年，{how}",
        **details,
    )
