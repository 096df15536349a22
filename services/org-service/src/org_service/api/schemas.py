"""Request and response bodies of org-service, with Chinese examples for the OpenAPI page."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from zhicheng_kernel.inputs import CleanText, MultilineText

from ..domain.kinds import Function, Level, OrgKind, UnitType


class OrganizationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "平凉市第二中学",
                    "kind": "state_unit",
                    "level": "city",
                    "division_code": "620800",
                    "unit_type": "school",
                    "credit_code": "12620800438201234Y",
                }
            ]
        },
    )

    name: Annotated[CleanText, Field(min_length=1, max_length=100, description="单位全称，与公章一致")]
    kind: OrgKind
    level: Level
    division_code: Annotated[str, Field(pattern=r"^\d{6}$", description="行政区划代码（GB/T 2260）")]
    credit_code: Annotated[
        str | None,
        Field(default=None, max_length=18, description="统一社会信用代码（18 位，必填；缺少时按 ORG-3 拒绝）"),
    ] = None
    function: Function | None = Field(default=None, description="政府部门的职能：教育、卫健或其他")
    unit_type: UnitType | None = Field(default=None, description="国有单位的类型")
    registration_level: Level | None = Field(default=None, description="民办学校、民营医院的注册核准机构层级")


class OrganizationOut(BaseModel):
    id: str
    code: str
    name: str
    kind: OrgKind
    level: Level
    division_code: str
    credit_code: str | None
    function: Function | None
    unit_type: UnitType | None
    registration_level: Level | None
    parent_id: str | None
    path: str
    active: bool
    version: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> OrganizationOut:
        """From a row of the `organization` read model."""
        return cls(
            id=str(row["id"]),
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            level=row["level"],
            division_code=row["division_code"],
            credit_code=row["credit_code"],
            function=row["function"],
            unit_type=row["unit_type"],
            registration_level=row["registration_level"],
            parent_id=str(row["parent_id"]) if row["parent_id"] else None,
            path=row["path"],
            active=row["active"],
            version=row["version"],
        )


class AccountCreated(BaseModel):
    account_id: str
    username: str
    initial_password: str | None = Field(
        description="一次性初始密码，仅在首次应答中出现；首次登录须修改。"
        "以同一幂等键重试时为空（密码不留存），如未收到请由本单位系统管理员重置。"
    )

    def without_password(self) -> AccountCreated:
        """What the command log keeps: a one-time password is shown once and never stored."""
        return self.model_copy(update={"initial_password": None})


class OrganizationCreatedOut(OrganizationOut):
    admin: AccountCreated

    def without_password(self) -> OrganizationCreatedOut:
        return self.model_copy(update={"admin": self.admin.without_password()})


class BusinessAdminIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"display_name": "王芳", "roles": ["unit_review"]}]}
    )
    display_name: Annotated[CleanText, Field(min_length=1, max_length=30)]
    roles: Annotated[list[Annotated[CleanText, Field(max_length=40)]], Field(max_length=10)]


class RolesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"roles": ["unit_review", "applicant_management"], "expected_version": 2}]},
    )
    roles: Annotated[list[Annotated[CleanText, Field(max_length=40)]], Field(max_length=10)]
    expected_version: Annotated[int, Field(ge=1)]


class ApplicantIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"display_name": "李明", "id_card_number": "62080219850101001X"}]},
    )
    display_name: Annotated[CleanText, Field(min_length=1, max_length=30)]
    id_card_number: Annotated[str, Field(min_length=18, max_length=18)]
    on_staff: bool = True


class StaffStatusIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"on_staff": False, "reason": "登记有误：该同志为编外聘用人员，人事档案为证"}]},
    )
    on_staff: bool = Field(description="在编为 true，编外为 false")
    reason: Annotated[MultilineText, Field(max_length=200, description="更正理由（2 至 200 个字）")]


class StaffStatusOut(BaseModel):
    account_id: str
    org_id: str
    on_staff: bool
    changed: bool = Field(description="本次是否有更改（与原状态相同时为 false，不记事件）")
    version: int


class ExpertIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"display_name": "赵建国", "series": ["中小学教师系列"], "title_level": "senior"}]
        },
    )
    display_name: Annotated[CleanText, Field(min_length=1, max_length=30)]
    series: Annotated[list[Annotated[CleanText, Field(max_length=40)]], Field(min_length=1, max_length=10)]
    title_level: Annotated[str, Field(pattern=r"^(intermediate|deputy_senior|senior)$")]


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"old_password": "一次性初始密码", "new_password": "崆峒山上的杏花三月开满了"}]
        },
    )
    old_password: Annotated[str, Field(max_length=128)]
    new_password: Annotated[str, Field(max_length=128)]


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: Annotated[str, Field(max_length=200)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str | None = None
    password_change_required: bool = False


class MeOut(BaseModel):
    account_id: str
    username: str
    display_name: str
    org_id: str | None
    org_name: str | None = Field(default=None, description="所在单位名称（页面显示用）")
    org_path: str
    roles: list[str]


class DeactivateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"expected_version": 1, "reason": "单位已撤并"}]}
    )
    expected_version: Annotated[int, Field(ge=1)]
    reason: Annotated[MultilineText, Field(min_length=2, max_length=200)]


class AccountOut(BaseModel):
    account_id: str
    username: str
    kind: str
    display_name: str
    roles: list[str]
    active: bool
    must_change_password: bool
    on_staff: bool | None = Field(
        description="申报人的在编状态（在编 true、编外 false），以用人单位登记或更正的为准；其他账号为空"
    )
    version: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> AccountOut:
        """From a row of the `account` read model."""
        return cls(
            account_id=str(row["id"]),
            username=row["username"],
            kind=row["kind"],
            display_name=row["display_name"],
            roles=list(row["roles"]),
            active=row["active"],
            must_change_password=row["must_change_password"],
            on_staff=row["on_staff"],
            version=row["version"],
        )


class RoleOut(BaseModel):
    role: str
    name: str
    assignable: bool = Field(description="系统管理员可分配给本级业务管理员")


class AuditEntryOut(BaseModel):
    event_id: str
    occurred_at: str
    actor: str
    event_type: str
    stream_type: str
    stream_id: str
    ip: str
    user_agent: str
    request_id: str


class AssignedRolesOut(BaseModel):
    account_id: str
    roles: list[str]
    version: int


class JwksOut(BaseModel):
    """The public keys that verify org-service's access tokens (RFC 7517)."""

    keys: list[dict[str, str]]


class ExternalClientIn(BaseModel):
    name: CleanText = Field(min_length=1, max_length=100, description="客户端名称，如“省职称评审管理信息系统”")
    public_key_pem: str = Field(min_length=40, max_length=1000, description="Ed25519 公钥（PEM）")
    scopes: list[Annotated[CleanText, Field(max_length=40)]] = Field(
        min_length=1, max_length=10, description="权限范围"
    )


class ExternalClientOut(BaseModel):
    client_id: uuid.UUID
    org_id: uuid.UUID
    name: str
    scopes: list[str]
    series: list[str]
    revoked: bool
    registered_at: datetime


class RevokeClientIn(BaseModel):
    reason: MultilineText = Field(min_length=1, max_length=500)


class PasswordResetOut(BaseModel):
    """A new one-time password for an account, shown once; its holder must change it at the next login."""

    account_id: str
    username: str
    initial_password: str = Field(description="一次性初始密码，仅显示一次；登录后须立即修改。")


class UnlockedOut(BaseModel):
    account_id: str
    username: str
    unlocked: bool = Field(description="已解除该账号因连续登录失败而设的临时锁定")
