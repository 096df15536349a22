"""Grassroots (附件3 二): the grassroots track, rural quota exemption, 三长两突出, farmer titles."""

from __future__ import annotations

from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.titles import SENIOR_LEVELS, level_zh

from ..rules import grassroots_track_allowed, series_in_schedule
from ..schedule import normalise_series
from .context import PolicyContext
from .outcome import RuleOutcome, policy_rule
from .text import months_zh

RURAL_ANNOTATION = "乡村不受指标限制"
FARMER_SPECIALTY = "农村实用技术人才专业"


@policy_rule("SCHED-2", binding="hard")
def sched_2_grassroots_track_only_for_marked_series(ctx: PolicyContext) -> RuleOutcome:
    """SCHED-2: the grassroots track is open only to series marked "(含基层有效)" (the check itself is
    domain.rules.grassroots_track_allowed, reused here). Binding hard: no such track, no such application."""
    rule = sched_2_grassroots_track_only_for_marked_series
    target = ctx.application.target
    if target.track != "grassroots":
        return rule.outcome("not_applicable", "申报人未按基层职称申报")
    try:
        entry = series_in_schedule(ctx.year_schedule(), target.series)
        grassroots_track_allowed(entry, target.track)
    except InvalidInput as refused:
        return rule.outcome("fail", refused.message, code=refused.code)
    return rule.outcome("pass", f"“{entry.series}”为含基层有效的系列（专业），可按基层职称申报", series=entry.series)


@policy_rule("POL-GR-1", binding="hard")
def pol_gr_1_grassroots_separate_total(ctx: PolicyContext) -> RuleOutcome:
    """POL-GR-1: grassroots senior posts of "directed evaluation, directed use" (双定向) public institutions
    (基层事业单位 only: an enterprise at county level is not in it) are a separate total with their own
    ratio, outside the local senior structure ratio. Binding hard: the grassroots track is "定向评价、定向
    使用", so an employer above county level cannot use it."""
    rule = pol_gr_1_grassroots_separate_total
    app = ctx.application
    if app.target.track != "grassroots":
        return rule.outcome("not_applicable", "申报人未按基层职称申报", separate_total=False)
    level = level_zh(app.target.level)
    if not app.applicant.employer.grassroots:
        return rule.outcome(
            "fail", f"基层{level}职称实行定向评价、定向使用，申报单位不是县以下基层单位", separate_total=False
        )
    if app.target.level in SENIOR_LEVELS and app.applicant.employer.kind == "public_institution":
        return rule.outcome(
            "pass",
            f"申报基层{level}职称，属定向评价、定向使用的基层事业单位高级岗位，实行总量控制、比例单列，"
            "不占本地专业技术高级结构比例",
            separate_total=True,
        )
    return rule.outcome(
        "pass",
        f"申报基层{level}职称，定向评价、定向使用；单列总量仅适用于基层事业单位高级岗位",
        separate_total=False,
    )


@policy_rule("POL-GR-2")
def pol_gr_2_rural_not_limited_by_quota(ctx: PolicyContext) -> RuleOutcome:
    """POL-GR-2: rural professionals in hard/remote areas with ≥20 years (intermediate) or ≥30 years
    (高级: deputy-senior and senior) of rural work are not limited by quota; the document says
    "乡村不受指标限制"."""
    rule = pol_gr_2_rural_not_limited_by_quota
    app = ctx.application
    level = app.target.level
    if level == "junior":
        return rule.outcome("not_applicable", "乡村倾斜政策适用于中级和高级职称", quota_exempt=False)
    if not app.work.hard_remote_area:
        return rule.outcome("not_applicable", "申报人不在艰苦边远地区乡村工作", quota_exempt=False)
    needed = ctx.params.rural_months_intermediate if level == "intermediate" else ctx.params.rural_months_senior
    worked = app.work.rural_months
    kind = "中级" if level == "intermediate" else "高级"
    details = {"rural_months": worked, "required_months": needed}
    if worked >= needed:
        return rule.outcome(
            "pass",
            f"申报人在艰苦边远地区乡村工作{months_zh(worked)}，满{needed // 12}年，评聘{kind}职称不受指标限制，"
            f"资格文件须注明“{RURAL_ANNOTATION}”",
            quota_exempt=True,
            annotation=RURAL_ANNOTATION,
            **details,
        )
    return rule.outcome(
        "not_applicable",
        f"申报人在艰苦边远地区乡村工作{months_zh(worked)}，未满{needed // 12}年，评聘{kind}职称仍受指标限制",
        quota_exempt=False,
        **details,
    )


@policy_rule("POL-GR-3")
def pol_gr_3_three_long_two_outstanding(ctx: PolicyContext) -> RuleOutcome:
    """POL-GR-3: preference for the 三长两突出 (long grassroots service, long tenure, long at one post
    level, outstanding before and since the current title), especially near retirement, which the county
    HR bureaus and the sector departments weigh "在分配岗位使用计划时". The notice gives no figures: what
    "long" and "near retirement" mean are the office's settings (PolicyParameters), not assessed while
    unset. Advisory: it serves post allocation and decides nothing here."""
    rule = pol_gr_3_three_long_two_outstanding
    facts = ctx.application.three_long_two_outstanding
    purpose = "供各县（市、区）人社局、各级行业主管部门在分配岗位使用计划时参考"
    if facts is None:
        return rule.outcome("not_applicable", "申报材料未提供“三长两突出”情况", priority=False)
    p = ctx.params
    settings = {
        "基层工作时间长": (facts.grassroots_years, p.long_grassroots_years),
        "任职时间长": (facts.tenure_years, p.long_tenure_years),
        "任一级岗位时间长": (facts.years_at_one_post_level, p.long_at_one_post_level_years),
    }
    criteria: dict[str, bool | None] = {
        name: None if threshold is None else held >= threshold for name, (held, threshold) in settings.items()
    }
    criteria["任现职前业绩突出"] = facts.outstanding_before_current_title
    criteria["任现职以来业绩突出"] = facts.outstanding_since_current_title
    near: bool | None = None
    if facts.years_to_retirement is not None and p.near_retirement_years is not None:
        near = facts.years_to_retirement <= p.near_retirement_years
    details = {
        "criteria": criteria,
        "near_retirement": near,
        "office_settings": {
            "long_grassroots_years": p.long_grassroots_years,
            "long_tenure_years": p.long_tenure_years,
            "long_at_one_post_level_years": p.long_at_one_post_level_years,
            "near_retirement_years": p.near_retirement_years,
        },
    }
    stated = (
        f"基层工作{facts.grassroots_years}年、任职{facts.tenure_years}年、任一级岗位{facts.years_at_one_post_level}年"
        + (f"、距退休{facts.years_to_retirement}年" if facts.years_to_retirement is not None else "")
    )
    tail = "，临近退休，应特别注重倾斜" if near else ""
    missing = [name for name, ok in criteria.items() if ok is False]
    if missing:
        return rule.outcome(
            "not_applicable",
            f"申报人{stated}，缺少{'、'.join(missing)}，不按“三长两突出”人员倾斜{tail}；{purpose}",
            priority=False,
            **details,
        )
    unset = [name for name, ok in criteria.items() if ok is None]
    if unset:
        return rule.outcome(
            "warn",
            f"申报人{stated}；职改办未设定“{'、'.join(unset)}”的认定标准（非政策规定），未作评估；{purpose}",
            priority=None,
            **details,
        )
    return rule.outcome(
        "pass",
        f"申报人{stated}，按职改办设定的标准属基层“三长两突出”人员{tail}；{purpose}",
        priority=True,
        **details,
    )


@policy_rule("POL-GR-4", binding="hard")
def pol_gr_4_farmer_and_local_talent(ctx: PolicyContext) -> RuleOutcome:
    """POL-GR-4: farmer titles follow the city's rural practical-talent measures; a selected Pingliang
    local talent (乡土人才) may be directly appointed farmer senior technician (农民高级技师). Binding hard:
    the direct appointment is only "对入选平凉市乡土人才的人选", for that title."""
    rule = pol_gr_4_farmer_and_local_talent
    app = ctx.application
    track = app.target.track
    if track not in ("farmer", "local_talent_direct"):
        hint = "；申报人已入选平凉市乡土人才，可按直接评聘农民高级技师办理" if app.local_talent_selected else ""
        return rule.outcome("not_applicable", f"申报人未按农民职称申报{hint}", direct_appointment=False)
    if normalise_series(app.target.series) != FARMER_SPECIALTY:
        return rule.outcome(
            "fail", f"农民职称应按“{FARMER_SPECIALTY}”申报，所报为“{app.target.series}”", direct_appointment=False
        )
    if track == "farmer":
        return rule.outcome(
            "pass",
            "按《平凉市农村实用技术人才职称评价办法》申报农民职称，具体条件由该办法规定",
            direct_appointment=False,
        )
    if not app.local_talent_selected:
        return rule.outcome("fail", "申报人未入选平凉市乡土人才，不能直接评聘农民高级技师", direct_appointment=False)
    if app.target.level != "deputy_senior":
        return rule.outcome(
            "fail",
            f"乡土人才可直接评聘的是农民高级技师（副高级），所报为{level_zh(app.target.level)}",
            direct_appointment=False,
        )
    return rule.outcome(
        "pass",
        "申报人已入选平凉市乡土人才，按平人才小组发〔2021〕2号可直接评聘为农民高级技师，无须评委会评审",
        direct_appointment=True,
    )
