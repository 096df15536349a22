"""Chinese names and phrases the explanations share."""

from __future__ import annotations

import calendar
from datetime import date

from .model import AwardLevel, EducationLevel, IssueType, SkillGrade, TechnicalClass

EDUCATION_ZH: dict[EducationLevel, str] = {
    "secondary_vocational": "中专",
    "junior_college": "大专",
    "bachelor": "本科",
    "master": "硕士研究生",
    "doctor": "博士研究生",
}
TECHNICAL_CLASS_ZH: dict[TechnicalClass, str] = {
    "intermediate_worker_class": "中级工班",
    "advanced_worker_class": "高级工班",
    "preparatory_technician_class": "预备技师班",
}
SKILL_ZH: dict[SkillGrade, str] = {"advanced_worker": "高级工", "technician": "技师", "senior_technician": "高级技师"}
ISSUE_ZH: dict[IssueType, str] = {
    "regular": "正刊",
    "supplement": "增刊",
    "sub_issue": "副刊",
    "special_issue": "特刊",
    "special_edition": "专刊",
    "album": "专辑",
    "internal": "内部期刊",
    "proceedings": "论文集",
}
AWARD_LEVEL_ZH: dict[AwardLevel, str] = {
    "national": "国家级",
    "ministerial": "部委级",
    "provincial": "省级",
    "city": "市级",
    "county": "县级",
    "social": "社会力量设立",
}
EPIDEMIC_RESULT_ZH: dict[str, str] = {
    "clinical_treatment": "临床救治情况",
    "case_records": "病案病例",
    "treatment_plan": "诊疗方案",
    "key_technology": "关键核心技术研发成果",
    "epidemiological_report": "流行病学报告",
    "pathology_report": "病理报告",
    "drug_vaccine": "药物疫苗研发情况",
    "reagent_equipment": "试剂检测设备产品研发应用情况",
    "work_summary": "工作总结",
    "psychological_counselling": "心理治疗和疏导案例",
}


def months_zh(months: int) -> str:
    """35 → "2年11个月", 24 → "2年", 11 → "11个月"."""
    y, m = divmod(months, 12)
    if y and m:
        return f"{y}年{m}个月"
    if y:
        return f"{y}年"
    return f"{m}个月"


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (1月31日 + 1 → 2月28/29日)."""
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def full_months_between(start: date, end: date) -> int:
    """Whole months from start to end ("满N个月"); 0 when end is before start."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months
