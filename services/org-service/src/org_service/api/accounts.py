"""Accounts: business administrators and roles (ORG-6), applicants, experts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.errors import NotFound
from zhicheng_kernel.roles import BUSINESS_ROLES, ROLE_NAMES_ZH, Role

from ..service_layer import accounts as account_cases
from ..service_layer.organizations import get_org
from .deps import ContextDep, IdempotencyDep
from .schemas import (
    AccountCreated,
    AccountOut,
    ApplicantIn,
    AssignedRolesOut,
    BusinessAdminIn,
    DeactivateIn,
    ExpertIn,
    PasswordResetOut,
    RoleOut,
    RolesIn,
    StaffStatusIn,
    StaffStatusOut,
    UnlockedOut,
)

router = APIRouter(tags=["账号与角色"])


@router.post(
    "/api/v1/accounts/business-admins", status_code=201, response_model=AccountCreated, summary="创建本级业务管理员"
)
async def create_business_admin(
    body: BusinessAdminIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> AccountCreated:
    return await account_cases.create_business_admin(ctx, principal, body.display_name, body.roles, idempotent)


@router.put("/api/v1/accounts/{account_id}/roles", response_model=AssignedRolesOut, summary="为本级业务管理员分配角色")
async def assign_roles(
    account_id: str, body: RolesIn, principal: CurrentPrincipal, ctx: ContextDep
) -> AssignedRolesOut:
    return await account_cases.assign_roles(ctx, principal, account_id, body.roles, body.expected_version)


@router.post("/api/v1/accounts/applicants", status_code=201, response_model=AccountCreated, summary="登记本单位申报人")
async def register_applicant(
    body: ApplicantIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> AccountCreated:
    return await account_cases.register_applicant(
        ctx, principal, body.display_name, body.id_card_number, body.on_staff, idempotent
    )


@router.put(
    "/api/v1/accounts/applicants/{account_id}/staff-status",
    response_model=StaffStatusOut,
    summary="更正本单位及下级单位申报人的在编状态（在编/编外）",
)
async def change_staff_status(
    account_id: str, body: StaffStatusIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> StaffStatusOut:
    return await account_cases.change_staff_status(ctx, principal, account_id, body.on_staff, body.reason, idempotent)


@router.post("/api/v1/accounts/experts", status_code=201, response_model=AccountCreated, summary="登记评审专家")
async def register_expert(
    body: ExpertIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> AccountCreated:
    return await account_cases.register_expert(
        ctx, principal, body.display_name, body.series, body.title_level, idempotent
    )


@router.get(
    "/api/v1/orgs/{org_id}/accounts", response_model=list[AccountOut], summary="某单位的账号（系统管理员、审计）"
)
async def list_accounts(org_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> list[AccountOut]:
    require_role(principal, Role.SYSTEM_ADMIN, Role.AUDITOR)
    async with ctx.db.read() as conn:
        org = await get_org(conn, org_id)
        if not principal.covers(org["path"]):
            raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
        return [AccountOut.of(a) for a in await account_cases.list_accounts(conn, org_id)]


@router.post("/api/v1/accounts/{account_id}/deactivate", response_model=AccountOut, summary="停用本单位账号")
async def deactivate_account(
    account_id: str, body: DeactivateIn, principal: CurrentPrincipal, ctx: ContextDep
) -> AccountOut:
    return await account_cases.deactivate_account(ctx, principal, account_id, body.expected_version, body.reason)


@router.post(
    "/api/v1/accounts/{account_id}/password-reset",
    response_model=PasswordResetOut,
    summary="重置本单位及下级单位账号的密码（生成一次性初始密码，登录后须修改）",
)
async def reset_password(account_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> PasswordResetOut:
    return await account_cases.reset_password_by_admin(ctx, principal, account_id)


@router.post(
    "/api/v1/accounts/{account_id}/unlock",
    response_model=UnlockedOut,
    summary="解除本单位及下级单位账号因连续登录失败而设的临时锁定",
)
async def unlock(account_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> UnlockedOut:
    return await account_cases.unlock(ctx, principal, account_id)


@router.get("/api/v1/roles", response_model=list[RoleOut], summary="角色目录")
async def roles(principal: CurrentPrincipal) -> list[RoleOut]:
    return [RoleOut(role=r.value, name=ROLE_NAMES_ZH[r], assignable=r in BUSINESS_ROLES) for r in Role]
