"""Organizations: create a child of the caller's organization, read, list children."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from zhicheng_kernel.auth import CurrentPrincipal, Principal
from zhicheng_kernel.errors import NotFound
from zhicheng_kernel.identifiers import normalise_credit_code
from zhicheng_kernel.inputs import CleanText, OffsetQuery

from ..domain.kinds import Level, OrgKind
from ..domain.organization import NewOrganization
from ..service_layer import organizations as org_cases
from .deps import ContextDep, IdempotencyDep
from .schemas import DeactivateIn, OrganizationCreatedOut, OrganizationIn, OrganizationOut

router = APIRouter(tags=["组织机构"])


def _visible(principal: Principal, org: dict[str, Any]) -> None:
    # Outside one's subtree an organization does not exist for the caller: 404, not 403.
    if principal.kind != "service" and not principal.covers(org["path"]):
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")


@router.post(
    "/api/v1/orgs",
    status_code=201,
    response_model=OrganizationCreatedOut,
    summary="创建下级组织机构（同时生成系统管理员账号）",
)
async def create_org(
    body: OrganizationIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> OrganizationCreatedOut:
    command = NewOrganization(
        name=body.name,
        kind=body.kind,
        level=body.level,
        division_code=body.division_code,
        credit_code=normalise_credit_code(body.credit_code) if body.credit_code else None,
        function=body.function,
        registration_level=body.registration_level,
        unit_type=body.unit_type,
    )
    return await org_cases.create_organization(ctx, principal, command, idempotent)


@router.get("/api/v1/orgs/{org_id}", response_model=OrganizationOut, summary="查看组织机构")
async def read_org(org_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> OrganizationOut:
    async with ctx.db.read() as conn:
        org = await org_cases.get_org(conn, org_id)
    _visible(principal, org)
    return OrganizationOut.of(org)


@router.get("/api/v1/orgs/{org_id}/children", response_model=list[OrganizationOut], summary="下级组织机构")
async def read_children(org_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> list[OrganizationOut]:
    async with ctx.db.read() as conn:
        org = await org_cases.get_org(conn, org_id)
        _visible(principal, org)
        return [OrganizationOut.of(o) for o in await org_cases.children(conn, org_id)]


@router.get("/api/v1/orgs/{org_id}/subtree", response_model=list[OrganizationOut], summary="本单位及全部下级单位")
async def read_subtree(
    org_id: uuid.UUID,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: OffsetQuery = 0,
) -> list[OrganizationOut]:
    async with ctx.db.read() as conn:
        org = await org_cases.get_org(conn, org_id)
        _visible(principal, org)
        return [OrganizationOut.of(o) for o in await org_cases.subtree(conn, org["path"], limit, offset)]


@router.get("/api/v1/orgs", response_model=list[OrganizationOut], summary="在本单位及下级单位中查询组织机构")
async def search_orgs(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    name: Annotated[CleanText | None, Query(max_length=100, description="名称（部分匹配）")] = None,
    code: Annotated[CleanText | None, Query(max_length=20)] = None,
    division_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    kind: OrgKind | None = None,
    level: Level | None = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: OffsetQuery = 0,
) -> list[OrganizationOut]:
    async with ctx.db.read() as conn:
        found = await org_cases.search(
            conn,
            principal.org_path if principal.kind != "service" else "/",
            name=name,
            code=code,
            division_code=division_code,
            kind=kind,
            level=level,
            active=active,
            limit=limit,
            offset=offset,
        )
    return [OrganizationOut.of(o) for o in found]


@router.post("/api/v1/orgs/{org_id}/deactivate", response_model=OrganizationOut, summary="停用下级组织机构（不删除）")
async def deactivate_org(
    org_id: uuid.UUID, body: DeactivateIn, principal: CurrentPrincipal, ctx: ContextDep
) -> OrganizationOut:
    return await org_cases.deactivate_organization(ctx, principal, org_id, body.expected_version, body.reason)
