"""Organizations: create a child of the caller's organization, read, list children."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal, Principal
from zhicheng_kernel.errors import NotFound

from ..service_layer import organizations as org_cases
from .deps import Runtime, org_out
from .schemas import OrganizationCreatedOut, OrganizationIn, OrganizationOut

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
async def create_org(body: OrganizationIn, principal: CurrentPrincipal, runtime: Runtime) -> dict[str, Any]:
    created = await org_cases.create_organization(
        runtime.db,
        runtime.store,
        principal,
        org_cases.CreateOrganization(
            name=body.name,
            kind=body.kind,
            level=body.level,
            division_code=body.division_code,
            credit_code=body.credit_code.strip().upper() if body.credit_code else None,
            function=body.function,
            registration_level=body.registration_level,
        ),
    )
    return {
        **org_out(created.org),
        "admin": {
            "account_id": str(created.admin_account_id),
            "username": created.admin_username,
            "initial_password": created.initial_password,
        },
    }


@router.get("/api/v1/orgs/{org_id}", response_model=OrganizationOut, summary="查看组织机构")
async def read_org(org_id: uuid.UUID, principal: CurrentPrincipal, runtime: Runtime) -> dict[str, Any]:
    async with runtime.db.read() as conn:
        org = await org_cases.get_org(conn, org_id)
    _visible(principal, org)
    return org_out(org)


@router.get("/api/v1/orgs/{org_id}/children", response_model=list[OrganizationOut], summary="下级组织机构")
async def read_children(org_id: uuid.UUID, principal: CurrentPrincipal, runtime: Runtime) -> list[dict[str, Any]]:
    async with runtime.db.read() as conn:
        org = await org_cases.get_org(conn, org_id)
        _visible(principal, org)
        return [org_out(o) for o in await org_cases.children(conn, org_id)]
