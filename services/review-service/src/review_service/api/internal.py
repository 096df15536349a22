"""Internal steps the committee-session workflow drives (service tokens only); each is idempotent."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from zhicheng_kernel.auth import ServicePrincipal, service_principal

from ..service_layer import outcomes
from ..service_layer.views import ClosedView, IssueReport, PublishedView, TallyView
from .deps import ContextDep
from .schemas import PublishResults

router = APIRouter(
    prefix="/api/v1/internal/sessions", tags=["评审会议（内部）"], dependencies=[Depends(service_principal)]
)


@router.post("/{session_id}/tally", response_model=TallyView, summary="计票（NAT-1 法定人数，NAT-2 三分之二）")
async def tally(session_id: str, principal: ServicePrincipal, ctx: ContextDep) -> TallyView:
    return await outcomes.tally(ctx, session_id, principal.subject)


@router.post("/{session_id}/publish", response_model=PublishedView, summary="公示评审结果（NAT-3）")
async def publish(session_id: str, body: PublishResults, principal: ServicePrincipal, ctx: ContextDep) -> PublishedView:
    return await outcomes.publish(
        ctx,
        session_id,
        principal.subject,
        publicity_seconds=body.publicity_seconds,
        publicity_working_days=body.publicity_working_days,
    )


@router.post(
    "/{session_id}/documents",
    response_model=IssueReport,
    summary="为公示期满且无未结投诉的通过人员发文（POL-PB-1）",
)
async def issue_documents(session_id: str, principal: ServicePrincipal, ctx: ContextDep) -> IssueReport:
    return await outcomes.issue_documents(ctx, session_id, principal.subject)


@router.post("/{session_id}/close", response_model=ClosedView, summary="结束评审会议")
async def close(session_id: str, principal: ServicePrincipal, ctx: ContextDep) -> ClosedView:
    return await outcomes.close(ctx, session_id, principal.subject)
