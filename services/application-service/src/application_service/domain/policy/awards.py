"""Science and technology awards and commendations (附件3 五(四)); each award is judged on its own."""

from __future__ import annotations

from .context import PolicyContext
from .model import Award
from .outcome import RuleOutcome, policy_rule
from .text import AWARD_LEVEL_ZH


@policy_rule("POL-AW-1")
def pol_aw_1_award_recognised(award: Award, ctx: PolicyContext) -> RuleOutcome:
    """POL-AW-1: awards up to the end of 2016 by the old provincial rules (document signature, certificate
    seal); from 2017 science awards per 国办函〔2017〕55号 and commendations only from the retained-programme
    list; unauthorised city/county commendations and collective awards without a stated personal role
    are not individual awards."""
    rule = pol_aw_1_award_recognised
    name = f"{award.year}年“{award.title}”"
    level = AWARD_LEVEL_ZH[award.level]
    details = {"award": award.title, "year": award.year, "programme": award.programme, "level": award.level}
    fails: list[str] = []
    warns: list[str] = []
    if award.collective and not award.personal_role_stated:
        fails.append("为未明确个人地位、作用的集体成果奖，不能作为个人获奖使用")
    if award.year <= ctx.params.old_award_rules_last_year:
        if not (award.document_signature or award.certificate_seal):
            fails.append("为2016年底以前的奖励，缺少表彰文件落款或证书印章佐证，按原政策不能认定")
        basis = "按我省原职称评价政策以表彰文件落款、证书印章认定"
    elif award.kind == "science_technology":
        basis = "按国办函〔2017〕55号认定"
        if award.level in ("city", "county"):
            fails.append(f"为2017年及以后{level}政府设立的科学技术奖，国办函〔2017〕55号实施后不予认可")
        elif award.level not in ("national", "provincial"):
            warns.append(f"为{level}科学技术奖，需按国办函〔2017〕55号核实是否保留")
    else:
        basis = "按《保留项目目录》认定"
        if not ctx.registries.is_retained_programme(award.programme, award.year):
            if award.level in ("city", "county"):
                fails.append(f"“{award.programme}”不在《保留项目目录》中，属违规开展的{level}评比达标表彰，不予认可")
            else:
                fails.append(f"“{award.programme}”不在《保留项目目录》中，不予认可")
    details["basis"] = basis
    if fails:
        return rule.outcome("fail", f"奖励{name}" + "；".join(fails + warns), **details)
    if warns:
        return rule.outcome("warn", f"奖励{name}" + "；".join(warns), **details)
    return rule.outcome("pass", f"奖励{name}（{level}）{basis}，可以认定", **details)
