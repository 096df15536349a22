"""External clients of provincial bodies (issue 10 item 4): register, list, revoke."""

from __future__ import annotations

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal

from ..service_layer import external_clients as cases
from .deps import ContextDep, IdempotencyDep
from .schemas import ExternalClientIn, ExternalClientOut, RevokeClientIn

router = APIRouter(tags=["外部系统客户端"])


@router.post(
    "/api/v1/external-clients",
    status_code=201,
    response_model=ExternalClientOut,
    summary="省级部门登记本部门的外部系统客户端（公钥、权限范围）",
)
async def register_client(
    body: ExternalClientIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> ExternalClientOut:
    return await cases.register_client(ctx, principal, body.name, body.public_key_pem, body.scopes, idempotent)


@router.get("/api/v1/external-clients", response_model=list[ExternalClientOut], summary="本部门登记的外部系统客户端")
async def list_clients(principal: CurrentPrincipal, ctx: ContextDep) -> list[ExternalClientOut]:
    return await cases.list_clients(ctx, principal)


@router.post(
    "/api/v1/external-clients/{client_id}/revoke", response_model=ExternalClientOut, summary="停用外部系统客户端"
)
async def revoke_client(
    client_id: str, body: RevokeClientIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> ExternalClientOut:
    return await cases.revoke_client(ctx, principal, client_id[:64], body.reason, idempotent)
