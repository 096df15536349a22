"""Plagiarism checks over HTTP (POL-PA-4)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import not_found

from ..domain import rules
from ..service_layer import checks
from ..service_layer.report import render_report
from .deps import CHECK_READERS, ContextDep, IdempotencyDep
from .schemas import CheckIn, CheckOut

router = APIRouter(prefix="/api/v1/checks", tags=["查重检测"])


@router.post(
    "",
    status_code=201,
    response_model=CheckOut,
    summary="检测一篇论文：知网口径的四个复制比（判定由申报服务作出，POL-PA-4）",
    responses={202: {"model": CheckOut, "description": "长文本：已受理，结果稍后在 Location 所指地址查看"}},
)
async def create_check(
    body: CheckIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep, response: Response
) -> CheckOut:
    query = rules.check_input(body.text, body.title, body.authors, body.journal_level, body.published_on)
    meta = Metadata(actor=principal.subject)
    if len(query.text) > checks.LONG_CHECK_CHARS:
        accepted = await checks.start_long_check(
            ctx, query, meta=meta, org_path=principal.org_path, answer=CheckOut, idempotent=idempotent
        )
        response.status_code = 202
        response.headers["Location"] = f"/api/v1/checks/{accepted.id}"
        return accepted
    return await checks.check_paper(
        ctx, query, meta=meta, org_path=principal.org_path, answer=CheckOut, idempotent=idempotent
    )


async def _readable_check(ctx: ContextDep, check_id: uuid.UUID, principal: CurrentPrincipal) -> Any:
    """The requester; services; the reviewing roles of the orgs above the check's org (the application's
    org for a paper of an application, the requester's org otherwise)."""
    row = await checks.get_check(ctx, check_id)
    if principal.kind == "service" or row.requested_by == principal.subject:
        return row
    if principal.has(*CHECK_READERS):
        scope = await checks.scope_of(ctx, row)
        if scope and principal.covers(scope):
            return row
    # Someone else's check, or one outside the caller's subtree: as if it did not exist.
    raise not_found("检测记录", "check_not_found", str(check_id), field="id")


@router.get("/{check_id}", response_model=CheckOut, summary="查看检测结果")
async def get_check(check_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> CheckOut:
    row = await _readable_check(ctx, check_id, principal)
    return CheckOut.model_validate(checks.view(row))


@router.get(
    "/{check_id}/report",
    response_class=HTMLResponse,
    summary="检测报告（HTML，标出相似片段）",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "HTML 检测报告"}},
)
async def get_report(check_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> HTMLResponse:
    row = await _readable_check(ctx, check_id, principal)
    view = checks.view(row)
    view["id"] = str(view["id"])
    return HTMLResponse(render_report(view, row.text))
