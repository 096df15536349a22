"""The provincial pre-review filing (POL-FI-1): the offices' read of their batches, the filing
workflow's internal endpoints (service token only, all idempotent), and the province's signed callback
(no user token: the Ed25519 Standard Webhook signature is the authentication)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from zhicheng_kernel.auth import CurrentPrincipal, require_role, require_service
from zhicheng_kernel.errors import DomainError, Forbidden, InvalidInput
from zhicheng_kernel.inputs import LimitQuery, OffsetQuery
from zhicheng_kernel.provincial import VerdictCallback
from zhicheng_kernel.roles import Role
from zhicheng_kernel.signing import SignatureError, verify_webhook

from ..service_layer import filings
from ..service_layer.filings import CallbackApplied, EscalationIn, FilingDelivered, FilingPage, FilingView
from .deps import ContextDep, Ident

router = APIRouter(prefix="/api/v1/filings", tags=["报省审核"])
internal = APIRouter(prefix="/api/v1/internal/filings", tags=["内部接口"])
callbacks = APIRouter(prefix="/api/v1/provincial", tags=["省级系统回调"])

FILING_READERS = (Role.TITLE_OFFICE_REVIEW, Role.PUSH)
MAX_CALLBACK_BYTES = 64 * 1024


@router.get("", response_model=FilingPage, summary="本单位及下级单位推送批次的报省审核情况（服务器分页）")
async def list_filings(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    series: Annotated[str | None, Query(max_length=50)] = None,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> FilingPage:
    """Title offices (and pushing departments) see the batches pushed within their subtree."""
    require_role(principal, *FILING_READERS)
    if not principal.org_path:
        raise Forbidden("outside_scope", "该事项不属于您所在单位及其下级单位，无权查看。")
    return await filings.list_filings(ctx, year, series, principal.org_path, limit=limit, offset=offset)


@router.get("/{push_id}", response_model=FilingView, summary="一个推送批次的报省审核：报送、逐人审核结果、督办")
async def get_filing(push_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> FilingView:
    require_role(principal, *FILING_READERS)
    view, office_path = await filings.read_filing(ctx, push_id[:100])
    if not principal.covers(office_path):
        raise Forbidden("outside_scope", "该推送批次不属于您所在单位及其下级单位，无权查看。")
    return view


@internal.post("/{push_id}/deliver", response_model=FilingDelivered, summary="（内部）向省职改办报送推送批次")
async def deliver(push_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> FilingDelivered:
    require_service(principal)
    return await filings.deliver(ctx, push_id[:100], principal.subject)


@internal.get("/{push_id}", response_model=FilingView, summary="（内部）报省批次尚待省职改办审核的申报")
async def filing_state(
    push_id: Ident,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    ask_province: Annotated[bool, Query()] = True,
) -> FilingView:
    require_service(principal)
    return await filings.filing_state(ctx, push_id[:100], principal.subject, ask_province)


@internal.post("/{push_id}/escalations", response_model=FilingView, summary="（内部）报省批次督办：报送失败或审核逾期")
async def escalate(push_id: Ident, body: EscalationIn, principal: CurrentPrincipal, ctx: ContextDep) -> FilingView:
    require_service(principal)
    return await filings.escalate(ctx, push_id[:100], body, principal.subject)


def _signature_invalid(why: str) -> DomainError:
    return DomainError(
        "webhook_signature_invalid",
        "省职改办回调签名无效、缺失或已超出时效，已拒绝。",
        status=401,
        rule="POL-FI-1",
        extra={"why": why},
    )


@callbacks.post("/callbacks", response_model=CallbackApplied, summary="省职改办审核结果回调（Standard Webhooks 签名）")
async def province_callback(request: Request, ctx: ContextDep) -> CallbackApplied:
    """POL-FI-1: the province's verdict on one filed application. Refused with 401 when unsigned,
    badly signed or outside the timestamp tolerance; a delivery already applied answers 200 and
    changes nothing; a verdict on an application the batch did not file is 422."""
    key = ctx.province.webhook_key
    if key is None:
        raise _signature_invalid("no province webhook key configured")
    body = await request.body()
    if len(body) > MAX_CALLBACK_BYTES:
        raise InvalidInput("callback_too_large", "回调内容过大。")
    try:
        delivery_id = verify_webhook(key, request.headers, body, now=ctx.clock.now().timestamp())
    except SignatureError as exc:
        raise _signature_invalid(str(exc)) from exc
    try:
        callback = VerdictCallback.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInput("callback_invalid", "回调内容不符合约定格式。", rule="POL-FI-1") from exc
    return await filings.apply_callback(ctx, delivery_id, callback)
