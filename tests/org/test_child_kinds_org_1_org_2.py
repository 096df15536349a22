"""ORG-1, ORG-2 as the creation form offers them (domain/child_kinds.py), without servers: the kinds a
node may create are those `check_creation` lets through, and a withheld kind carries the rule's words."""

from __future__ import annotations

from org_service.domain.child_kinds import child_kinds
from org_service.domain.creation_rules import Creator
from org_service.domain.kinds import Function, Level, OrgKind
from org_service.domain.organization import INACTIVE_CREATOR


def test_org_2_a_city_education_department_creates_private_schools_registered_at_its_level() -> None:
    kinds = child_kinds(
        Creator(OrgKind.GOVERNMENT_DEPARTMENT, Level.CITY, "620800", Function.EDUCATION),
        active=True,
        inactive_reason=INACTIVE_CREATOR,
    )
    school = next(k for k in kinds if k.kind is OrgKind.PRIVATE_SCHOOL)
    assert school.allowed and school.rule == "ORG-2"
    assert {p.registration_level for p in school.placements} == {Level.CITY}
    assert "注册核准机构层级为市级" in school.explanation
    hospital = next(k for k in kinds if k.kind is OrgKind.PRIVATE_HOSPITAL)
    assert not hospital.allowed and "卫健部门" in hospital.explanation
    allowed = sorted(k.kind.value for k in kinds if k.allowed)
    assert allowed == ["private_school", "state_unit"]


def test_org_2_only_the_provincial_hr_department_creates_private_technical_schools() -> None:
    province = child_kinds(Creator(OrgKind.HR_DEPARTMENT, Level.PROVINCE, "620000"), active=True, inactive_reason="")
    assert next(k for k in province if k.kind is OrgKind.PRIVATE_TECHNICAL_SCHOOL).allowed
    city = child_kinds(Creator(OrgKind.TITLE_OFFICE, Level.CITY, "620800"), active=True, inactive_reason="")
    technical = next(k for k in city if k.kind is OrgKind.PRIVATE_TECHNICAL_SCHOOL)
    assert not technical.allowed and technical.explanation == "民办技工院校账号由省人社厅负责创建。"


def test_org_1_a_deactivated_organization_is_offered_nothing() -> None:
    kinds = child_kinds(
        Creator(OrgKind.TITLE_OFFICE, Level.CITY, "620800"), active=False, inactive_reason=INACTIVE_CREATOR
    )
    assert not any(k.allowed for k in kinds)
    assert {k.explanation for k in kinds} == {INACTIVE_CREATOR}
