"""Exceptional promotion 破格 (附件3 五(一))."""

from __future__ import annotations

from .context import PolicyContext
from .outcome import RuleOutcome, policy_rule
from .text import EDUCATION_ZH, months_zh


@policy_rule("POL-EX-1", binding="hard")
def pol_ex_1_exceptional_promotion(ctx: PolicyContext) -> RuleOutcome:
    """POL-EX-1: 破格 and 直接申报 are not limited by the post structure ratio. 破格: a single break lacks
    the education or the years, a double break both; it needs outstanding results since the current title
    and employment at the next-lower post for the series' own minimum (the level-requirements registry),
    1 year where the series states none ("须至少在低一级岗位聘用满1年以上（具体按各系列条件标准要求执行）").
    直接申报: the series' own conditions, checked by the reviewers. Binding hard: "须".
    """
    rule = pol_ex_1_exceptional_promotion
    app = ctx.application
    track = app.target.track
    if track == "direct_application":
        return rule.outcome(
            "warn",
            "按直接申报，可不受岗位结构比例限制；直接申报条件按该系列条件标准审核，需审核人员核对",
            not_limited_by_structure_ratio=True,
        )
    if track not in ("exceptional_single", "exceptional_double"):
        return rule.outcome("not_applicable", "申报人未按破格或直接申报", not_limited_by_structure_ratio=False)
    kind = "单破" if track == "exceptional_single" else "双破"
    requirement = ctx.requirement()
    series_minimum = requirement.min_months_at_lower_post if requirement is not None else None
    needed = ctx.params.exceptional_months_at_lower_post if series_minimum is None else series_minimum
    served = app.work.months_at_next_lower_post
    lacks_education = lacks_years = None
    if requirement is not None:
        lacks_education = not ctx.education_meets(requirement)
        held = ctx.years_in_lower_title()
        lacks_years = held is None or held < requirement.min_years_in_lower_title
    details = {
        "break": kind,
        "months_at_next_lower_post": served,
        "required_months": needed,
        "required_by": "series" if series_minimum is not None else "notice",
        "lacks_education": lacks_education,
        "lacks_years": lacks_years,
        "not_limited_by_structure_ratio": True,
    }
    fails: list[str] = []
    warns: list[str] = []
    standard = "该系列条件标准要求" if series_minimum is not None else ""
    if served < needed:
        fails.append(f"在低一级岗位聘用{months_zh(served)}，未满{standard}{months_zh(needed)}")
    if app.outstanding_since_current_title is False:
        fails.append("任现职后业绩不突出")
    elif app.outstanding_since_current_title is None:
        warns.append("任现职后业绩是否突出需评委会认定")
    if requirement is None:
        warns.append("未找到该系列层级的学历和任职年限要求，破格类型需人工核对")
    else:
        lacking = [
            name
            for name, lacks in (
                (f"学历（要求{EDUCATION_ZH[requirement.min_education]}）", lacks_education),
                (f"任职年限（要求满{requirement.min_years_in_lower_title}年）", lacks_years),
            )
            if lacks
        ]
        if not lacking:
            warns.append("申报人已具备规定学历和任职年限，无须破格")
        elif track == "exceptional_single" and len(lacking) == 2:
            fails.append("学历和任职年限均不具备，属双破，不能按单破申报")
        elif track == "exceptional_double" and len(lacking) == 1:
            warns.append(f"仅{lacking[0]}不具备，实为单破")
    if fails:
        return rule.outcome("fail", f"按{kind}申报，" + "；".join(fails + warns) + "，不符合破格条件", **details)
    sentence = (
        f"按{kind}申报，在低一级岗位聘用{months_zh(served)}，满{standard}{months_zh(needed)}，不受岗位结构比例限制"
    )
    if warns:
        return rule.outcome("warn", sentence + "；" + "；".join(warns), **details)
    return rule.outcome("pass", sentence, **details)
