"""Epidemic front line (附件3 一): carry-over, the authoritative roster, results instead of papers."""

from __future__ import annotations

from zhicheng_kernel.titles import level_zh

from .context import PolicyContext
from .outcome import RuleOutcome, policy_rule
from .text import EPIDEMIC_RESULT_ZH


def roster_problems(ctx: PolicyContext) -> list[str]:
    """Why the front-line claim cannot be verified; empty when the applicant is on an authoritative roster."""
    front = ctx.application.front_line
    if front is None:
        return ["未申报疫情防控一线人员身份"]
    if front.roster_id is None:
        return ["未提供疫情防控一线人员名册"]
    roster = ctx.roster()
    if roster is None:
        return [f"名册“{front.roster_id}”未在一线人员名册库中查到"]
    problems = []
    if roster.medical and not (roster.reviewed_by_city_health and roster.filed_with_provincial_health):
        problems.append(f"名册“{roster.roster_id}”未经市卫生健康委审核并报省卫生健康委备案，一线医务人员以备案名册为准")
    if not roster.medical and not (roster.set_by in ("county_district", "city_department") and roster.with_employer):
        problems.append(f"名册“{roster.roster_id}”不是由县（市、区）或市直有关部门会同用人单位确定的")
    if ctx.application.applicant.person_id not in roster.members:
        problems.append(f"申报人不在名册“{roster.roster_id}”中")
    return problems


@policy_rule("POL-FL-1")
def pol_fl_1_front_line_carry_over(ctx: PolicyContext) -> RuleOutcome:
    """POL-FL-1: front-line professionals who missed the 2020 preference for not meeting the promotion
    conditions still get it in the notice year ("今年仍可享受"); in any other year the carry-over does not
    apply."""
    rule = pol_fl_1_front_line_carry_over
    front = ctx.application.front_line
    if front is None or not front.missed_2020_promotion:
        return rule.outcome("not_applicable", "申报人未申报2020年因未达晋升条件未享受一线倾斜政策的情形")
    year = ctx.params.notice_year
    if ctx.as_of.year != year:
        return rule.outcome(
            "not_applicable",
            f"2020年未享受的一线倾斜政策仅在{year}年度仍可享受，本次评审为{ctx.as_of.year}年，该政策不再适用",
            notice_year=year,
        )
    problems = roster_problems(ctx)
    if problems:
        return rule.outcome(
            "fail", "；".join(problems) + "，不能延续享受2020年疫情防控一线人员职称倾斜政策", problems=problems
        )
    return rule.outcome(
        "pass",
        f"申报人在疫情防控一线名册中，2020年因达不到晋升条件未享受倾斜政策，{year}年度仍可享受",
        notice_year=year,
    )


@policy_rule("POL-FL-2")
def pol_fl_2_front_line_roster_authority(ctx: PolicyContext) -> RuleOutcome:
    """POL-FL-2: the front-line scope is set by the county/district or city department with the employer;
    for medical staff the roster reviewed by the city and filed with the provincial health commission rules."""
    rule = pol_fl_2_front_line_roster_authority
    if ctx.application.front_line is None:
        return rule.outcome("not_applicable", "申报人未申报疫情防控一线人员身份")
    problems = roster_problems(ctx)
    if problems:
        return rule.outcome("fail", "；".join(problems) + "，不能享受疫情防控一线人员职称倾斜政策", problems=problems)
    roster = ctx.roster()
    assert roster is not None
    source = (
        "市卫生健康委审核后报省卫生健康委备案的一线医务人员名册"
        if roster.medical
        else "县（市、区）、市直有关部门会同用人单位确定的一线人员范围"
    )
    return rule.outcome(
        "pass",
        f"申报人列入{source}（名册“{roster.roster_id}”），属于疫情防控一线专业技术人才",
        roster_id=roster.roster_id,
    )


@policy_rule("POL-FL-3", binding="hard")
def pol_fl_3_epidemic_results_replace_paper(ctx: PolicyContext) -> RuleOutcome:
    """POL-FL-3: for front-line professionals a paper is not a hard requirement ("论文不作硬性要求"):
    epidemic-control results may replace the paper and its defense. Everyone else submits a paper where
    the series' level requires one (the level-requirements registry): outside the front line (or with a
    front-line claim that cannot be verified), no paper that counts where one is required is a hard
    failure; an excluded paper does not count as submitted."""
    rule = pol_fl_3_epidemic_results_replace_paper
    app = ctx.application
    front = app.front_line
    if front is not None and not roster_problems(ctx):
        listed = [k for k in front.epidemic_results if k in EPIDEMIC_RESULT_ZH]
        other = [k for k in front.epidemic_results if k not in EPIDEMIC_RESULT_ZH]
        details = {"recognised_results": listed, "other_results": other, "paper_required": False}
        if listed:
            names = "、".join(EPIDEMIC_RESULT_ZH[k] for k in listed)
            note = f"；另有{len(other)}项其他成果需评委会认定" if other else ""
            return rule.outcome("pass", f"疫情防控一线人员论文不作硬性要求，以{names}代替论文答辩{note}", **details)
        if other:
            return rule.outcome(
                "warn",
                f"所报{len(other)}项成果不在通知列举的疫情防控成果类型中，需评委会认定能否代替论文答辩",
                **details,
            )
        if app.papers:
            return rule.outcome("pass", "疫情防控一线人员论文不作硬性要求，已提交的论文按常规要求审核", **details)
        return rule.outcome(
            "warn", "疫情防控一线人员论文不作硬性要求，但既未提交论文也未提交疫情防控成果，答辩缺少材料", **details
        )
    who = "申报人不是疫情防控一线人员" if front is None else "一线人员身份未能核实，不能以疫情防控成果代替论文"
    target = app.target
    wanted = f"{target.series}{level_zh(target.level)}职称"
    if target.track == "local_talent_direct":
        return rule.outcome("not_applicable", f"{who}；乡土人才直接评聘不经评审，不要求论文", paper_required=False)
    requirement = ctx.requirement()
    required = requirement.requires_paper if requirement is not None else None
    if ctx.counted_papers():
        return rule.outcome("not_applicable", f"{who}，已提交的论文按常规要求审核", paper_required=required)
    if requirement is None:
        return rule.outcome(
            "warn", f"{who}，未提交论文；未找到{wanted}的申报条件，是否须提交论文需人工核对", paper_required=None
        )
    if not requirement.requires_paper:
        return rule.outcome("not_applicable", f"{who}；申报{wanted}不要求论文", paper_required=False)
    missing = "已提交的论文均不予认可，视为未提交论文" if app.papers else "未提交论文"
    return rule.outcome("fail", f"{who}，申报{wanted}须提交论文，{missing}", paper_required=True)
