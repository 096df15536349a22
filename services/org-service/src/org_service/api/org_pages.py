"""What the web application's organization and account pages read: the kinds of organization a node
may create and why (ORG-1, ORG-2, answered by the domain's own rule), and a page of accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.errors import Forbidden, NotFound
from zhicheng_kernel.inputs import CleanText, OffsetQuery
from zhicheng_kernel.roles import Role

from ..domain.account import AccountKind
from ..domain.child_kinds import child_kinds
from ..domain.creation_rules import Creator
from ..domain.divisions import DIVISIONS
from ..domain.kinds import KIND_NAMES_ZH, LEVEL_NAMES_ZH, Function, Level, OrgKind
from ..domain.organization import INACTIVE_CREATOR
from ..service_layer.account_queries import account_page, masked_id_card, readable_kinds
from ..service_layer.organizations import get_org
from .deps import ContextDep

router = APIRouter(tags=["组织机构"])


class PlacementOut(BaseModel):
    level: Level
    level_zh: str
    division_code: str
    division_name: str
    registration_level: Level | None = Field(description="民办学校、民营医院的注册核准机构层级；其他类别为空")


class ChildKindOut(BaseModel):
    kind: OrgKind
    name_zh: str
    rule: str = Field(description="决定此类别的规则：ORG-1（国有）或 ORG-2（民营）")
    allowed: bool
    explanation: str = Field(description="可以或不可以在此创建的中文说明（不可以时为规则的拒绝理由）")
    placements: list[PlacementOut] = Field(description="可以时：新机构可取的层级、行政区划、注册核准机构层级")


class AllowedChildrenOut(BaseModel):
    org_id: str
    creatable_here: bool = Field(description="当前账号能否在此创建下级（只能在本单位下创建）")
    kinds: list[ChildKindOut]


@router.get(
    "/api/v1/orgs/{org_id}/allowed-children",
    response_model=AllowedChildrenOut,
    summary="该组织机构可创建的下级机构类别及理由（ORG-1、ORG-2）",
)
async def allowed_children(org_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> AllowedChildrenOut:
    require_role(principal, Role.SYSTEM_ADMIN)
    async with ctx.db.read() as conn:
        org = await get_org(conn, org_id)
    if not principal.covers(org["path"]):
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
    creator = Creator(
        OrgKind(org["kind"]),
        Level(org["level"]),
        org["division_code"],
        Function(org["function"]) if org["function"] else None,
    )
    kinds = child_kinds(creator, active=org["active"], inactive_reason=INACTIVE_CREATOR)
    return AllowedChildrenOut(
        org_id=str(org["id"]),
        creatable_here=str(org["id"]) == principal.org_id,
        kinds=[
            ChildKindOut(
                kind=k.kind,
                name_zh=KIND_NAMES_ZH[k.kind],
                rule=k.rule,
                allowed=k.allowed,
                explanation=k.explanation,
                placements=[
                    PlacementOut(
                        level=p.level,
                        level_zh=LEVEL_NAMES_ZH[p.level],
                        division_code=p.division_code,
                        division_name=DIVISIONS[p.division_code].name,
                        registration_level=p.registration_level,
                    )
                    for p in k.placements
                ],
            )
            for k in kinds
        ],
    )


class AccountRowOut(BaseModel):
    account_id: str
    username: str
    kind: AccountKind
    display_name: str
    org_id: str
    roles: list[str]
    active: bool
    must_change_password: bool
    on_staff: bool | None = Field(description="申报人的在编状态；其他账号为空")
    id_card_masked: str | None = Field(description="申报人的身份证号码（隐去出生日期）；其他账号为空")
    series: list[str] | None = Field(description="评审专家的评审系列；其他账号为空")
    title_level: str | None = Field(description="评审专家的职称层级；其他账号为空")
    created_at: datetime
    version: int


class AccountPageOut(BaseModel):
    items: list[AccountRowOut]
    total: int = Field(description="符合筛选条件的账号数")
    limit: int
    offset: int


@router.get(
    "/api/v1/accounts",
    response_model=AccountPageOut,
    tags=["账号与角色"],
    summary="某单位的账号（分页、筛选）：系统管理员和审计看本单位及下级单位的全部账号，"
    "申报人管理看本单位申报人，评委会秘书看本单位登记的评审专家",
)
async def list_accounts_page(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    org_id: Annotated[uuid.UUID | None, Query(description="单位（缺省为本单位）")] = None,
    kind: Annotated[AccountKind | None, Query(description="账号类别")] = None,
    active: Annotated[bool | None, Query(description="是否有效")] = None,
    q: Annotated[CleanText | None, Query(max_length=30, description="姓名或用户名（部分匹配）")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="每页条数")] = 20,
    offset: OffsetQuery = 0,
) -> AccountPageOut:
    if principal.org_id is None:
        raise Forbidden("accounts_not_readable", "当前账号无权查看账号。")
    async with ctx.db.read() as conn:
        org = await get_org(conn, org_id or principal.org_id)
        kinds = readable_kinds(principal, org)
        if kind is not None:
            if kind not in kinds:
                raise Forbidden("account_kind_not_readable", "当前账号无权查看该类账号。", field="kind")
            kinds = frozenset({kind})
        page = await account_page(conn, org["id"], kinds, active=active, text=q, limit=limit, offset=offset)
    items = []
    for row in page.rows:
        expert = page.experts.get(row["id"])
        items.append(
            AccountRowOut(
                account_id=str(row["id"]),
                username=row["username"],
                kind=row["kind"],
                display_name=row["display_name"],
                org_id=str(row["org_id"]),
                roles=list(row["roles"]),
                active=row["active"],
                must_change_password=row["must_change_password"],
                on_staff=row["on_staff"],
                id_card_masked=masked_id_card(row["id_card_number"]),
                series=expert.series if expert else None,
                title_level=expert.title_level if expert else None,
                created_at=row["created_at"],
                version=row["version"],
            )
        )
    return AccountPageOut(items=items, total=page.total, limit=limit, offset=offset)
