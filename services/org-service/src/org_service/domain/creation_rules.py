"""Who may create which organization: ORG-1 (state-owned, level by level) and ORG-2 (private, by category)."""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng_kernel.errors import Forbidden

from .divisions import DIVISIONS, is_within
from .kinds import PRIVATE_KINDS, Function, Level, OrgKind


@dataclass(frozen=True)
class Creator:
    """The parent organization that would create the new one."""

    kind: OrgKind
    level: Level
    division_code: str
    function: Function | None = None


@dataclass(frozen=True)
class Proposed:
    kind: OrgKind
    level: Level
    division_code: str
    function: Function | None = None
    # For private schools and hospitals: the level at which their registration was approved.
    registration_level: Level | None = None


def _refuse(rule: str, message: str) -> Forbidden:
    return Forbidden("org_creation_not_allowed", message, field="kind", rule=rule)


def _same_division(creator: Creator, new: Proposed, rule: str) -> None:
    if new.division_code != creator.division_code:
        raise _refuse(rule, "所在行政区划须与创建单位一致。")


def check_state_owned(creator: Creator, new: Proposed) -> None:
    """ORG-1: state-owned organizations are created level by level.

    The city 职改办 creates county/district 职改办, city departments, city-owned units and the city
    HR market; a county 职改办 creates its county's departments, units and HR market; any department
    or unit creates its own subordinate units.
    """
    rule = "ORG-1"
    if creator.kind is OrgKind.TITLE_OFFICE and creator.level is Level.CITY:
        if new.kind is OrgKind.TITLE_OFFICE:
            division = DIVISIONS.get(new.division_code)
            if new.level is not Level.COUNTY or division is None or division.parent != creator.division_code:
                raise _refuse(rule, "市职改办只能创建本市所辖县（市、区）职改办。")
            return
        if new.kind in (OrgKind.GOVERNMENT_DEPARTMENT, OrgKind.HR_DEPARTMENT, OrgKind.STATE_UNIT, OrgKind.HR_MARKET):
            if new.level is not Level.CITY:
                raise _refuse(rule, "市职改办创建的市直部门、市属单位和市人力资源市场应为市级。")
            _same_division(creator, new, rule)
            return
        raise _refuse(rule, "市职改办可创建县区职改办、市直部门、市属单位和市人力资源市场。")
    if creator.kind is OrgKind.TITLE_OFFICE and creator.level is Level.COUNTY:
        if new.kind in (OrgKind.GOVERNMENT_DEPARTMENT, OrgKind.HR_DEPARTMENT, OrgKind.STATE_UNIT, OrgKind.HR_MARKET):
            if new.level is not Level.COUNTY:
                raise _refuse(rule, "县区职改办创建的县区直部门、县区属单位和人力资源市场应为县级。")
            _same_division(creator, new, rule)
            return
        raise _refuse(rule, "县区职改办可创建本县区的直属部门、县区属单位和县区人力资源市场。")
    if creator.kind in (OrgKind.GOVERNMENT_DEPARTMENT, OrgKind.HR_DEPARTMENT, OrgKind.STATE_UNIT):
        if new.kind is not OrgKind.STATE_UNIT:
            raise _refuse(rule, "部门和单位只能创建其所属单位。")
        if new.level is not creator.level:
            raise _refuse(rule, "所属单位的层级应与创建它的部门或单位一致。")
        if not is_within(new.division_code, creator.division_code):
            raise _refuse(rule, "所属单位应在创建单位的行政区划内。")
        return
    raise _refuse(rule, "该机构不能创建下级国有单位。")


def check_private(creator: Creator, new: Proposed) -> None:
    """ORG-2: private organizations are created by the office responsible for their category.

    Private technical schools: only the provincial HR department. Private primary/secondary schools:
    the education department of the level that approved their registration. Private hospitals: the
    health department of that level.

    Private enterprises: "民营企业账号按属地管理原则由企业所在地县市区职改办负责创建" — only the 职改办 of
    the county-level division where the enterprise is located (a county, a county-level city such as
    华亭市, or a district such as 崆峒区), and the enterprise is a county-level organization of that
    division. Our reading of the city 职改办's part: the notice has it create county offices, city
    departments (市直部门) and city-owned units (市属单位, "市属企业" among them), all under ORG-1; those
    are state-owned. It names no private organization for the city office, and "市直" is a department's
    standing, not a private enterprise's: every enterprise in the city lies in one of its counties or
    districts (the city proper is 崆峒区), so its county office creates it and the city office never does.
    """
    rule = "ORG-2"
    if new.kind is OrgKind.PRIVATE_TECHNICAL_SCHOOL:
        if not (creator.kind is OrgKind.HR_DEPARTMENT and creator.level is Level.PROVINCE):
            raise _refuse(rule, "民办技工院校账号由省人社厅负责创建。")
        return
    if new.kind in (OrgKind.PRIVATE_SCHOOL, OrgKind.PRIVATE_HOSPITAL):
        function = Function.EDUCATION if new.kind is OrgKind.PRIVATE_SCHOOL else Function.HEALTH
        who = "教育部门" if function is Function.EDUCATION else "卫健部门"
        what = "民办中小学校" if function is Function.EDUCATION else "民营医院"
        if new.registration_level is None:
            raise Forbidden(
                "registration_level_required",
                f"请填写{what}的注册核准机构层级。",
                field="registration_level",
                rule=rule,
            )
        if not (creator.kind is OrgKind.GOVERNMENT_DEPARTMENT and creator.function is function):
            raise _refuse(rule, f"{what}账号由其注册核准机构的同级政府{who}负责创建。")
        if creator.level is not new.registration_level:
            raise _refuse(rule, f"{what}账号由其注册核准机构的同级政府{who}负责创建，层级不一致。")
        if not is_within(new.division_code, creator.division_code):
            raise _refuse(rule, f"{what}应位于创建部门的行政区划内。")
        return
    if new.kind is OrgKind.PRIVATE_ENTERPRISE:
        if creator.kind is OrgKind.TITLE_OFFICE and creator.level is Level.CITY:
            raise _refuse(
                rule, "民营企业账号按属地管理原则由企业所在地县（市、区）职改办负责创建，市职改办不创建民营企业。"
            )
        if not (creator.kind is OrgKind.TITLE_OFFICE and creator.level is Level.COUNTY):
            raise _refuse(rule, "民营企业账号由企业所在地县（市、区）职改办负责创建。")
        if new.division_code != creator.division_code:
            raise Forbidden(
                "org_creation_not_allowed",
                "民营企业账号由企业所在地县（市、区）职改办负责创建，该企业所在地不在本县（市、区）。",
                field="division_code",
                rule=rule,
            )
        if new.level is not Level.COUNTY:
            raise Forbidden(
                "org_creation_not_allowed",
                "民营企业按属地管理，由县（市、区）职改办创建，层级应为县区级。",
                field="level",
                rule=rule,
            )
        return
    raise _refuse(rule, "未知的民营机构类别。")


def check_creation(creator: Creator, new: Proposed) -> None:
    if new.kind in PRIVATE_KINDS:
        check_private(creator, new)
    else:
        check_state_owned(creator, new)
