"""POST /api/v1/auth/token (OAuth2 password, refresh and client-credentials grants), JWKS, passwords."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.errors import DomainError

from ..service_layer import accounts as account_cases
from ..service_layer import login as login_cases
from .deps import Issuer, Runtime, Settings
from .schemas import MeOut, PasswordChangeIn, RefreshIn, TokenOut

router = APIRouter(tags=["登录与令牌"])


@router.post("/api/v1/auth/token", response_model=TokenOut, summary="登录，获取访问令牌（OAuth2）")
async def token(
    runtime: Runtime,
    issuer: Issuer,
    settings: Settings,
    grant_type: Annotated[str, Form(max_length=40)] = "password",
    username: Annotated[str | None, Form(max_length=64)] = None,
    password: Annotated[str | None, Form(max_length=128)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> dict[str, Any]:
    if grant_type == "password":
        if not username or not password:
            raise DomainError("credentials_required", "请输入用户名和密码。", field="username")
        return await login_cases.login(runtime.db, issuer, settings, username, password)
    if grant_type == "refresh_token":
        if not refresh_token:
            raise DomainError("refresh_token_required", "缺少刷新令牌。", field="refresh_token")
        return await login_cases.refresh(runtime.db, issuer, settings, refresh_token)
    if grant_type == "client_credentials":
        return login_cases.client_credentials(issuer, settings, client_id or "", client_secret or "")
    raise DomainError("grant_type_unsupported", "不支持的授权方式。", field="grant_type")


@router.post("/api/v1/auth/revoke", status_code=204, summary="注销：吊销刷新令牌")
async def revoke(body: RefreshIn, runtime: Runtime) -> None:
    await login_cases.revoke(runtime.db, body.refresh_token)


@router.post("/api/v1/auth/password", response_model=TokenOut, summary="修改密码（首次登录必须修改初始密码）")
async def change_password(
    body: PasswordChangeIn, principal: CurrentPrincipal, runtime: Runtime, issuer: Issuer, settings: Settings
) -> dict[str, Any]:
    account = await account_cases.change_password(
        runtime.db, runtime.store, principal, body.old_password, body.new_password
    )
    return await login_cases.issue_for_account(runtime.db, issuer, settings, account)


@router.get("/.well-known/jwks.json", summary="令牌验证公钥（JWKS）")
async def jwks(issuer: Issuer) -> dict[str, Any]:
    return issuer.jwks()


@router.get("/api/v1/accounts/me", response_model=MeOut, summary="当前登录账号")
async def me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(
        account_id=principal.subject,
        username=principal.username,
        display_name=principal.display_name,
        org_id=principal.org_id,
        org_path=principal.org_path,
        roles=sorted(principal.roles),
    )
