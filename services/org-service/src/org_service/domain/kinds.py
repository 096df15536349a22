"""Kinds of organization, government levels and department functions (ORG-1, ORG-2)."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    TITLE_OFFICE = "title_office"  # 职改办
    HR_DEPARTMENT = "hr_department"  # 人社厅/局
    GOVERNMENT_DEPARTMENT = "government_department"  # 政府部门
    STATE_UNIT = "state_unit"  # 国有企事业单位
    HR_MARKET = "hr_market"  # 人力资源市场
    PRIVATE_TECHNICAL_SCHOOL = "private_technical_school"  # 民办技工院校
    PRIVATE_SCHOOL = "private_school"  # 民办中小学
    PRIVATE_HOSPITAL = "private_hospital"  # 民营医院
    PRIVATE_ENTERPRISE = "private_enterprise"  # 民营企业


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Function(StrEnum):
    EDUCATION = "education"
    HEALTH = "health"
    OTHER = "other"


class UnitType(StrEnum):
    RESEARCH_INSTITUTE = "research_institute"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    ENTERPRISE = "enterprise"
    OTHER = "other"


KIND_NAMES_ZH: dict[OrgKind, str] = {
    OrgKind.TITLE_OFFICE: "职改办",
    OrgKind.HR_DEPARTMENT: "人力资源和社会保障部门",
    OrgKind.GOVERNMENT_DEPARTMENT: "政府部门",
    OrgKind.STATE_UNIT: "国有企事业单位",
    OrgKind.HR_MARKET: "人力资源市场",
    OrgKind.PRIVATE_TECHNICAL_SCHOOL: "民办技工院校",
    OrgKind.PRIVATE_SCHOOL: "民办中小学校",
    OrgKind.PRIVATE_HOSPITAL: "民营医院",
    OrgKind.PRIVATE_ENTERPRISE: "民营企业",
}

LEVEL_NAMES_ZH: dict[Level, str] = {Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县区级"}

PRIVATE_KINDS = frozenset(
    {
        OrgKind.PRIVATE_TECHNICAL_SCHOOL,
        OrgKind.PRIVATE_SCHOOL,
        OrgKind.PRIVATE_HOSPITAL,
        OrgKind.PRIVATE_ENTERPRISE,
    }
)
