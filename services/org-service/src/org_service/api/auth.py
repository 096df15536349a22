"""POST /api/v1/auth/token (OAuth2 password, refresh and client-credentials grants), JWKS, passwords."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Header
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.errors import Forbidden, InvalidInput
from zhicheng_kernel.inputs import CleanText
from zhicheng_kernel.signing import CLIENT_ASSERTION_TYPE

from ..service_layer import accounts as account_cases
from ..service_layer import external_clients as external_cases
from ..service_layer import login as login_cases
from ..service_layer import organizations as org_cases
from .deps import ContextDep, IdempotencyDep
from .schemas import JwksOut, MeOut, PasswordChangeIn, RefreshIn, TokenOut

router = APIRouter(tags=["登录与令牌"])


@router.post("/api/v1/auth/token", response_model=TokenOut, summary="登录，获取访问令牌（OAuth2）")
async def token(
    ctx: ContextDep,
    grant_type: Annotated[str, Form(max_length=40)] = "password",
    username: Annotated[CleanText | None, Form(max_length=64)] = None,
    password: Annotated[str | None, Form(max_length=128)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    client_assertion_type: Annotated[str | None, Form(max_length=100)] = None,
    client_assertion: Annotated[str | None, Form(max_length=4000)] = None,
    scope: Annotated[str | None, Form(max_length=200)] = None,
    edge: Annotated[str | None, Header(alias="X-Zc-Edge", max_length=20)] = None,
) -> TokenOut:
    if grant_type == "password":
        if not username or not password:
            raise InvalidInput("credentials_required", "请输入用户名和密码。", field="username")
        return await login_cases.login(ctx, username, password)
    if grant_type == "refresh_token":
        if not refresh_token:
            raise InvalidInput("refresh_token_required", "缺少刷新令牌。", field="refresh_token")
        return await login_cases.refresh(ctx, refresh_token)
    if grant_type == "client_credentials" and (client_assertion_type or client_assertion):
        if client_assertion_type != CLIENT_ASSERTION_TYPE or not client_assertion:
            raise InvalidInput(
                "client_assertion_type_unsupported",
                "客户端断言类型须为 jwt-bearer（RFC 7523）。",
                field="client_assertion_type",
            )
        return await external_cases.assertion_grant(ctx, client_assertion, scope)
    if grant_type == "client_credentials":
        # Internal services' shared secrets stay internal: the public gateway marks what it forwards
        # (X-Zc-Edge: public, set by the gateway over anything a client sent).
        if edge == "public":
            raise Forbidden("client_secret_not_accepted", "外部系统须使用签名断言（RFC 7523）获取令牌。")
        return login_cases.client_credentials(ctx, client_id or "", client_secret or "")
    raise InvalidInput("grant_type_unsupported", "不支持的授权方式。", field="grant_type")


@router.post("/api/v1/auth/revoke", status_code=204, summary="注销：吊销刷新令牌")
async def revoke(body: RefreshIn, ctx: ContextDep) -> None:
    await login_cases.revoke(ctx, body.refresh_token)


@router.post("/api/v1/auth/password", response_model=TokenOut, summary="修改密码（首次登录必须修改初始密码）")
async def change_password(
    body: PasswordChangeIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> TokenOut:
    account = await account_cases.change_password(ctx, principal, body.old_password, body.new_password, idempotent)
    return await login_cases.issue_for_account(ctx, uuid.UUID(account.account_id))


@router.get("/.well-known/jwks.json", response_model=JwksOut, summary="令牌验证公钥（JWKS）")
async def jwks(ctx: ContextDep) -> JwksOut:
    return JwksOut.model_validate(ctx.issuer.jwks())


@router.get("/api/v1/accounts/me", response_model=MeOut, summary="当前登录账号")
async def me(principal: CurrentPrincipal, ctx: ContextDep) -> MeOut:
    org_name = None
    if principal.org_id:
        async with ctx.db.read() as conn:
            org_name = str((await org_cases.get_org(conn, principal.org_id))["name"])
    return MeOut(
        account_id=principal.subject,
        username=principal.username,
        display_name=principal.display_name,
        org_id=principal.org_id,
        org_name=org_name,
        org_path=principal.org_path,
        roles=sorted(principal.roles),
    )
