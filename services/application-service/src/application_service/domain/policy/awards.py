"""Science and technology awards and commendations (附件3 五(四)); each award is judged on its own."""

from __future__ import annotations

from .context import PolicyContext
from .model import Award
from .outcome import RuleOutcome, policy_rule
from .text import AWARD_LEVEL_ZH, date_zh


def evidence_of(award: Award) -> list[str]:
    """The evidence "原则上以表彰文件落款、证书印章为准" asks for, as found: the document's signature (the
    issuing body and the date) and the certificate's seal (whose seal)."""
    found = []
    if award.document_issuer and award.document_issuer.strip() and award.document_dated is not None:
        found.append(f"表彰文件落款（{award.document_issuer.strip()}，{date_zh(award.document_dated)}）")
    if award.certificate_seal_of and award.certificate_seal_of.strip():
        found.append(f"证书印章（{award.certificate_seal_of.strip()}）")
    return found


@policy_rule("POL-AW-1", binding="item")
def pol_aw_1_award_recognised(award: Award, ctx: PolicyContext) -> RuleOutcome:
    """POL-AW-1: awards up to the end of 2016 by the old provincial rules, judged by the commendation
    document's signature (issuing body, date) or the certificate's seal; the document's date decides the
    year. From 2017 science awards per 国办函〔2017〕55号 (city/county governments set none, ministries other
    than defence set none any more: not recognised unless the office lists the programme as retained) and
    commendations only from the retained-programme list; collective awards without a stated personal role
    are not individual awards. An award that is not recognised is excluded, not the application."""
    rule = pol_aw_1_award_recognised
    year = award.document_dated.year if award.document_dated is not None else award.year
    name = f"{award.year}年“{award.title}”"
    level = AWARD_LEVEL_ZH[award.level]
    evidence = evidence_of(award)
    details = {
        "award": award.title,
        "year": year,
        "declared_year": award.year,
        "programme": award.programme,
        "level": award.level,
        "evidence": {
            "document_issuer": award.document_issuer,
            "document_dated": award.document_dated,
            "certificate_seal_of": award.certificate_seal_of,
        },
    }
    excluded: list[str] = []
    warns: list[str] = []
    if award.collective and not award.personal_role_stated:
        excluded.append("为未明确个人地位、作用的集体成果奖，不能作为个人获奖使用")
    dated = award.document_dated
    if dated is not None and dated.year != award.year:
        warns.append(f"表彰文件落款日期为{date_zh(dated)}，按{dated.year}年认定")
    retained = ctx.registries.is_retained_programme(award.programme, year)
    if year <= ctx.params.old_award_rules_last_year:
        if evidence:
            basis = "按我省原职称评价政策，以" + "、".join(evidence) + "为准认定"
        else:
            basis = "按我省原职称评价政策认定"
            excluded.append(
                "为2016年底以前的奖励，未提供表彰文件落款（发文机关、日期）或证书印章（用印单位），按原政策不能认定"
            )
    elif award.kind == "science_technology":
        basis = "按国办函〔2017〕55号认定"
        if award.level in ("city", "county"):
            excluded.append(f"为{year}年{level}政府设立的科学技术奖，国办函〔2017〕55号实施后不予认可")
        elif award.level == "ministerial" and not retained:
            excluded.append(
                f"为{year}年部委设立的科学技术奖，国办函〔2017〕55号规定国务院有关部门（国防科技工业部门除外）"
                "不再设立科学技术奖，不予认可"
            )
        elif award.level == "social":
            warns.append("为社会力量设立的科学技术奖，需按国办函〔2017〕55号核实其设奖是否规范")
    else:
        basis = "按《保留项目目录》认定"
        if not retained:
            if award.level in ("city", "county"):
                excluded.append(f"“{award.programme}”不在《保留项目目录》中，属违规开展的{level}评比达标表彰，不予认可")
            else:
                excluded.append(f"“{award.programme}”不在《保留项目目录》中，不予认可")
    details["basis"] = basis
    if excluded:
        return rule.outcome(
            "excluded", f"奖励{name}" + "；".join(excluded + warns) + "，不作为业绩使用，请申报人撤回该奖励", **details
        )
    if warns:
        return rule.outcome("warn", f"奖励{name}（{level}）{basis}；" + "；".join(warns), **details)
    return rule.outcome("pass", f"奖励{name}（{level}）{basis}，可以认定", **details)
