"""The account aggregate: who an account is, its roles and whether it may still log in.

The password itself is no part of it: hashes and lock-out counters live in the credential table.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from zhicheng_kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.identifiers import id_card_is_valid
from zhicheng_kernel.inputs import invisible_characters
from zhicheng_kernel.roles import BUSINESS_ROLES, Role

from .events import (
    AccountDeactivated,
    AdminAccountCreated,
    ApplicantRegistered,
    ApplicantStaffStatusChanged,
    BusinessAdminCreated,
    ExpertRegistered,
    PasswordChanged,
    PasswordReset,
    RolesAssigned,
)
from .kinds import OrgKind
from .organization import Organization
from .password_policy import password_weakness


class AccountKind(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    BUSINESS_ADMIN = "business_admin"
    APPLICANT = "applicant"
    EXPERT = "expert"


_FORBIDDEN_CHARACTERS = "<>;'\"\\`{}"


def clean_display_name(display_name: str) -> str:
    """A person's name: 2 to 30 characters, no markup characters, no control, bidi or zero-width ones."""
    name = display_name.strip()
    if not 2 <= len(name) <= 30 or any(ch in name for ch in _FORBIDDEN_CHARACTERS) or invisible_characters(name):
        raise InvalidInput("display_name_invalid", "姓名应为 2 至 30 个字，且不含特殊字符。", field="display_name")
    return name


def business_roles(roles: Sequence[str]) -> list[str]:
    """ORG-6: a system administrator creates the business administrators of its own organization and
    gives them business roles, at least one; no one else does (`Account.assign_roles` refuses others)."""
    allowed = {r.value for r in BUSINESS_ROLES}
    unknown = [r for r in roles if r not in allowed]
    if unknown:
        raise InvalidInput("role_unknown", f"不能分配的角色：{'、'.join(unknown)}。", field="roles", rule="ORG-6")
    if not roles:
        raise InvalidInput("roles_required", "请至少分配一个业务角色。", field="roles", rule="ORG-6")
    return sorted(set(roles))


def clean_reason(reason: str) -> str:
    """A reason a person gives for a correction: said in 2 to 200 characters."""
    text = reason.strip()
    if len(text) < 2:
        raise InvalidInput("reason_required", "请填写理由（至少 2 个字）。", field="reason")
    if len(text) > 200:
        raise InvalidInput("reason_too_long", "理由过长（最多 200 个字）。", field="reason")
    return text


def check_new_password(old_password: str, new_password: str, *, username: str, id_card_number: str | None) -> None:
    """A new password passes the policy (domain/password_policy.py) and is not the old one."""
    weakness = password_weakness(new_password, username=username, id_card_number=id_card_number)
    if weakness is not None:
        raise InvalidInput("password_weak", weakness, field="new_password")
    if old_password == new_password:
        raise InvalidInput("password_unchanged", "新密码不能与原密码相同。", field="new_password")


def create_business_admin(
    account_id: uuid.UUID,
    org_id: uuid.UUID,
    username: str,
    display_name: str,
    roles: Sequence[str],
    must_change_password: bool = True,
) -> list[DomainEvent]:
    chosen = business_roles(roles)
    return [
        BusinessAdminCreated(
            account_id=account_id,
            username=username,
            org_id=org_id,
            display_name=clean_display_name(display_name),
            must_change_password=must_change_password,
        ),
        RolesAssigned(account_id=account_id, org_id=org_id, roles=chosen),
    ]


def applicant_username(org_code: str, serial: int) -> str:
    """An applicant's username: the organization's code and a serial within it (`6208020001-sq0001`),
    as a business administrator's is; never the ID-card number, which stays out of usernames, tokens
    and stream keys."""
    return f"{org_code}-sq{serial:04d}"


def register_applicant(
    account_id: uuid.UUID,
    org: Organization,
    username: str,
    display_name: str,
    id_card_number: str,
    on_staff: bool,
    today: date,
) -> list[DomainEvent]:
    """An employer's business administrator registers an applicant of its own organization.

    `id_card_number` is normalised and checked; it is the person the policy rules match (rosters,
    the blacklist), carried in the event for application-service, and no part of the username.
    """
    name = clean_display_name(display_name)
    if not id_card_is_valid(id_card_number, today=today):
        raise InvalidInput(
            "id_card_invalid", "身份证号码不正确（应为 18 位，末位校验码须正确）。", field="id_card_number"
        )
    return [
        ApplicantRegistered(
            account_id=account_id,
            username=username,
            org_id=org.org_id,
            org_path=org.path,
            display_name=name,
            on_staff=on_staff,
            id_card_number=id_card_number,
        )
    ]


def register_expert(
    account_id: uuid.UUID,
    org: Organization,
    username: str,
    display_name: str,
    series: Sequence[str],
    title_level: str,
) -> list[DomainEvent]:
    """A title office's committee secretary brings an expert into the pool."""
    name = clean_display_name(display_name)
    if org.kind is not OrgKind.TITLE_OFFICE:
        raise Forbidden("title_office_only", "评审专家由职改办的评委会秘书登记。")
    return [
        ExpertRegistered(
            account_id=account_id,
            username=username,
            org_id=org.org_id,
            display_name=name,
            series=list(series),
            title_level=title_level,
        )
    ]


@dataclass(frozen=True)
class Account:
    account_id: uuid.UUID
    username: str
    kind: AccountKind
    org_id: uuid.UUID
    roles: tuple[str, ...]
    active: bool
    must_change_password: bool
    version: int
    # An applicant's: the organization path it was registered in and its on-staff status (编制).
    org_path: str | None = None
    on_staff: bool | None = None

    @classmethod
    def from_events(cls, events: Sequence[DomainEvent]) -> Account:
        account = cls._created(events[0])
        for event in events[1:]:
            account = account._apply(event)
        return account

    @classmethod
    def _created(cls, event: DomainEvent) -> Account:
        roles: tuple[str, ...]
        org_path, on_staff = None, None
        if isinstance(event, AdminAccountCreated):
            kind, roles, must_change = AccountKind.SYSTEM_ADMIN, (Role.SYSTEM_ADMIN.value,), event.must_change_password
        elif isinstance(event, BusinessAdminCreated):
            kind, roles, must_change = AccountKind.BUSINESS_ADMIN, (), event.must_change_password
        elif isinstance(event, ApplicantRegistered):
            kind, roles, must_change = AccountKind.APPLICANT, (Role.APPLICANT.value,), True
            org_path, on_staff = event.org_path, event.on_staff
        elif isinstance(event, ExpertRegistered):
            kind, roles, must_change = AccountKind.EXPERT, (Role.EXPERT.value,), True
        else:
            raise ValueError(f"an account's stream does not start with {event.event_type}")
        return cls(
            account_id=event.account_id,
            username=event.username,
            kind=kind,
            org_id=event.org_id,
            roles=roles,
            active=True,
            must_change_password=must_change,
            version=1,
            org_path=org_path,
            on_staff=on_staff,
        )

    def _apply(self, event: DomainEvent) -> Account:
        account = replace(self, version=self.version + 1)
        if isinstance(event, RolesAssigned):
            return replace(account, roles=tuple(event.roles))
        if isinstance(event, PasswordChanged):
            return replace(account, must_change_password=False)
        if isinstance(event, PasswordReset):
            return replace(account, must_change_password=True)
        if isinstance(event, AccountDeactivated):
            return replace(account, active=False)
        if isinstance(event, ApplicantStaffStatusChanged):
            return replace(account, on_staff=event.on_staff)
        return account

    def assign_roles(self, by_org_id: str | None, roles: Sequence[str]) -> list[DomainEvent]:
        """The system administrator assigns roles to the business administrators of its organization."""
        chosen = business_roles(roles)
        if str(self.org_id) != by_org_id or self.kind is not AccountKind.BUSINESS_ADMIN:
            raise Forbidden("outside_scope", "只能为本单位的业务管理员分配角色。", rule="ORG-6")
        return [RolesAssigned(account_id=self.account_id, org_id=self.org_id, roles=chosen)]

    def deactivate(self, by_subject: str, by_org_id: str | None, reason: str) -> list[DomainEvent]:
        """The system administrator deactivates accounts of its own organization (never itself)."""
        if str(self.org_id) != by_org_id:
            raise NotFound("account_not_found", "未找到该账号。")
        if str(self.account_id) == by_subject or self.kind is AccountKind.SYSTEM_ADMIN:
            raise Forbidden("cannot_deactivate_system_admin", "系统管理员账号随组织机构停用，不能单独停用。")
        if not self.active:
            raise Conflict("account_already_inactive", "该账号已停用。")
        return [AccountDeactivated(account_id=self.account_id, reason=reason)]

    def change_staff_status(self, by_subject: str, by_org_path: str, on_staff: bool, reason: str) -> list[DomainEvent]:
        """The employer owns the on-staff status (在编/编外) it registered: POL-EN-4 and the quota pools
        read it, never what the applicant declares. The system administrator of the applicant's
        organization, or of an organization above it (its subtree covers the applicant's), corrects it
        with a reason; setting the status it already has changes nothing (no event)."""
        if self.kind is not AccountKind.APPLICANT:
            raise NotFound("applicant_not_found", "未找到该申报人。", field="account_id")
        if not by_org_path or self.org_path is None or not self.org_path.startswith(by_org_path):
            raise Forbidden("outside_scope", "只能更正本单位及下级单位申报人的在编状态。", field="account_id")
        if not self.active:
            raise Conflict("account_inactive", "该申报人账号已停用，不能更正其在编状态。", field="account_id")
        text = clean_reason(reason)
        if on_staff == self.on_staff:
            return []
        return [
            ApplicantStaffStatusChanged(
                account_id=self.account_id, org_id=self.org_id, on_staff=on_staff, reason=text, changed_by=by_subject
            )
        ]

    def change_password(self) -> list[DomainEvent]:
        return [PasswordChanged(account_id=self.account_id)]

    def check_administered_by(self, by_subject: str, by_org_path: str, own_org_path: str) -> None:
        """A system administrator resets and unlocks the accounts of its organization's subtree
        (`own_org_path` is this account's organization's path), never its own account (it changes
        its own password, or asks the administrator above)."""
        if not by_org_path or not own_org_path.startswith(by_org_path):
            raise NotFound("account_not_found", "未找到该账号。", field="account_id")
        if str(self.account_id) == by_subject:
            raise Forbidden("not_your_own_account", "不能重置或解锁自己的账号，请修改密码或联系上级单位的系统管理员。")
        if not self.active:
            raise Conflict("account_inactive", "该账号已停用。", field="account_id")

    def reset_password(self, reset_by: str) -> list[DomainEvent]:
        """A new one-time password, to be changed at the next login: handed out by a system administrator
        above the account (`check_administered_by`) or, for root organizations' administrators whom no
        one above can help, by an operator on the server."""
        return [PasswordReset(account_id=self.account_id, reset_by=reset_by)]
