"""The role catalogue shared by all services (ORG-6: a system administrator assigns these)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    APPLICANT_MANAGEMENT = "applicant_management"
    UNIT_REVIEW = "unit_review"
    DEPARTMENT_REVIEW = "department_review"
    TITLE_OFFICE_REVIEW = "title_office_review"
    PUSH = "push"
    COMMITTEE_SECRETARY = "committee_secretary"
    AUDITOR = "auditor"
    APPLICANT = "applicant"
    EXPERT = "expert"
    SERVICE = "service"
    # A provincial body's system calling the public API with its own client credentials (issue 10 item 4).
    PROVINCIAL_CLIENT = "provincial_client"


# Roles a system administrator may give to a business administrator of its own organization.
BUSINESS_ROLES: frozenset[Role] = frozenset(
    {
        Role.APPLICANT_MANAGEMENT,
        Role.UNIT_REVIEW,
        Role.DEPARTMENT_REVIEW,
        Role.TITLE_OFFICE_REVIEW,
        Role.PUSH,
        Role.COMMITTEE_SECRETARY,
        Role.AUDITOR,
    }
)

ROLE_NAMES_ZH: dict[Role, str] = {
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.APPLICANT_MANAGEMENT: "申报人管理",
    Role.UNIT_REVIEW: "单位审核",
    Role.DEPARTMENT_REVIEW: "主管部门审核",
    Role.TITLE_OFFICE_REVIEW: "职改办审核",
    Role.PUSH: "推送",
    Role.COMMITTEE_SECRETARY: "评委会秘书",
    Role.AUDITOR: "审计",
    Role.APPLICANT: "申报人",
    Role.EXPERT: "评审专家",
    Role.SERVICE: "内部服务",
    Role.PROVINCIAL_CLIENT: "省级系统接口",
}
