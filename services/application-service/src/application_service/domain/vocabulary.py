"""The Chinese names of the codes application-service answers with, in the notice's words: one home for
the office's exports and the web application (`make openapi` writes web/openapi/vocabulary.json from
here, so every page names a status or a track the same way)."""

from __future__ import annotations

from zhicheng_kernel.titles import LEVEL_NAMES_ZH

from .policy.text import EDUCATION_ZH

STATUS_NAMES_ZH: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已提交（待单位审核）",
    "unit_approved": "单位审核通过（主管部门审核中）",
    "department_approved": "主管部门审核通过（职改办审核中）",
    "office_approved": "职改办审核通过（待推送）",
    "returned": "已退回（待修改）",
    "withdrawn": "已撤回",
    "awaiting_document": "待发文认定",
    "pushed": "已推送评委会",
    "filing_approved": "省级预审备案通过",
    "returned_by_province": "省职改办退回",
    "in_committee_review": "评委会评审中",
    "in_results_publicity": "评审结果公示中",
    "titled": "已取得职称",
    "not_passed": "评审未通过",
    "eligibility_cancelled": "取消资格",
}
TRACK_NAMES_ZH: dict[str, str] = {
    "normal": "正常申报",
    "grassroots": "基层职称（仅限基层有效）",
    "exceptional_single": "破格申报（单项）",
    "exceptional_double": "破格申报（双项）",
    "skills_bridge": "技能人才贯通",
    "farmer": "农民技术人员",
    "local_talent_direct": "乡土人才直接认定",
    "direct_application": "直接申报",
}
CHECK_DECISION_NAMES_ZH: dict[str, str] = {"pass": "通过", "fail": "未通过", "pending": "待定"}


def education_zh(code: object) -> str:
    """The education level's name, or the code itself when it is none of the known ones."""
    return {str(c): name for c, name in EDUCATION_ZH.items()}.get(str(code or ""), str(code or ""))


def vocabulary() -> dict[str, dict[str, str]]:
    """Every name list the web application shows, by kind."""
    return {
        "application_status": STATUS_NAMES_ZH,
        "track": TRACK_NAMES_ZH,
        "title_level": dict(LEVEL_NAMES_ZH),
        "education": {str(code): name for code, name in EDUCATION_ZH.items()},
        "check_decision": CHECK_DECISION_NAMES_ZH,
    }
