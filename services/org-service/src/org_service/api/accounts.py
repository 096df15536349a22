"""Accounts: business administrators and roles (ORG-6), applicants, experts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal

from ..service_layer import accounts as account_cases
from .deps import Runtime
from .schemas import AccountCreated, ApplicantIn, BusinessAdminIn, ExpertIn, RolesIn

router = APIRouter(tags=["账号与角色"])


def _created(account: account_cases.NewAccount) -> AccountCreated:
    return AccountCreated(
        account_id=str(account.account_id), username=account.username, initial_password=account.initial_password
    )


@router.post(
    "/api/v1/accounts/business-admins", status_code=201, response_model=AccountCreated, summary="创建本级业务管理员"
)
async def create_business_admin(body: BusinessAdminIn, principal: CurrentPrincipal, runtime: Runtime) -> AccountCreated:
    return _created(
        await account_cases.create_business_admin(runtime.db, runtime.store, principal, body.display_name, body.roles)
    )


@router.put("/api/v1/accounts/{account_id}/roles", summary="为本级业务管理员分配角色")
async def assign_roles(account_id: str, body: RolesIn, principal: CurrentPrincipal, runtime: Runtime) -> dict[str, Any]:
    account = await account_cases.assign_roles(
        runtime.db, runtime.store, principal, account_id, body.roles, body.expected_version
    )
    return {"account_id": str(account["id"]), "roles": account["roles"], "version": account["version"]}


@router.post("/api/v1/accounts/applicants", status_code=201, response_model=AccountCreated, summary="登记本单位申报人")
async def register_applicant(body: ApplicantIn, principal: CurrentPrincipal, runtime: Runtime) -> AccountCreated:
    return _created(
        await account_cases.register_applicant(
            runtime.db, runtime.store, principal, body.display_name, body.id_card_number, body.on_staff
        )
    )


@router.post("/api/v1/accounts/experts", status_code=201, response_model=AccountCreated, summary="登记评审专家")
async def register_expert(body: ExpertIn, principal: CurrentPrincipal, runtime: Runtime) -> AccountCreated:
    return _created(
        await account_cases.register_expert(
            runtime.db, runtime.store, principal, body.display_name, body.series, body.title_level
        )
    )
