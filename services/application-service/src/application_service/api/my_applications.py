"""The applicant's own pages (web): the application as they filled it in, and removing an attachment."""

from __future__ import annotations

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.roles import Role

from ..service_layer import my_applications
from ..service_layer.my_applications import ApplicationContentOut, AttachmentsLeft
from .deps import ContextDep, Ident

router = APIRouter(prefix="/api/v1/applications", tags=["职称申报"])


@router.get(
    "/{application_id}/content",
    response_model=ApplicationContentOut,
    summary="申报人查看自己填报的申报内容（含论文正文），用于修改、更正和打印申报表",
)
async def content(application_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> ApplicationContentOut:
    return await my_applications.content_of(ctx, application_id, principal.subject)


@router.delete(
    "/{application_id}/attachments/{attachment_id}",
    response_model=AttachmentsLeft,
    summary="申报人删除自己上传的附件（单位审核通过前）",
)
async def remove_attachment(
    application_id: Ident, attachment_id: Ident, principal: CurrentPrincipal, ctx: ContextDep
) -> AttachmentsLeft:
    require_role(principal, Role.APPLICANT)
    return await my_applications.remove_attachment(ctx, application_id, attachment_id, principal.subject)
