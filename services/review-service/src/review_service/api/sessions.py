"""评审会议: attendance, secret ballots, closing the vote, complaints, results and documents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import CleanText

from ..service_layer import queries, sessions
from ..service_layer.views import (
    AttendanceView,
    BallotAccepted,
    BallotFormView,
    ComplaintResolvedView,
    ComplaintView,
    ConflictView,
    DocumentPage,
    DrawView,
    SessionView,
    VotingClosedView,
)
from .deps import ContextDep
from .listings import Limit, Offset
from .schemas import CastBallot, DeclareConflict, FileComplaint, RecordAttendance, ResolveComplaint

router = APIRouter(prefix="/api/v1", tags=["评审会议"])


@router.get(
    "/sessions/{session_id}", response_model=SessionView, summary="会议状态、计票结果与发文号（不含任何个人选票）"
)
async def get_session(session_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> SessionView:
    return await queries.session_view(ctx, session_id, principal)


@router.post(
    "/sessions/{session_id}/attendance", status_code=201, response_model=AttendanceView, summary="登记出席专家（NAT-1）"
)
async def record_attendance(
    session_id: str, body: RecordAttendance, principal: CurrentPrincipal, ctx: ContextDep
) -> AttendanceView:
    return await sessions.record_attendance(ctx, principal, session_id, body.present_expert_ids)


@router.post(
    "/sessions/{session_id}/ballots", status_code=201, response_model=BallotAccepted, summary="专家无记名投票（NAT-2）"
)
async def cast_ballot(
    session_id: str, body: CastBallot, principal: CurrentPrincipal, ctx: ContextDep
) -> BallotAccepted:
    return await sessions.cast_ballot(ctx, principal, session_id, dict(body.votes))


@router.post("/sessions/{session_id}/close-voting", response_model=VotingClosedView, summary="结束投票，进入计票")
async def close_voting(session_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> VotingClosedView:
    return await sessions.close_voting(ctx, principal, session_id)


@router.post(
    "/sessions/{session_id}/complaints",
    status_code=201,
    response_model=ComplaintView,
    summary="公示期内投诉（POL-PB-1）",
)
async def file_complaint(
    session_id: str, body: FileComplaint, principal: CurrentPrincipal, ctx: ContextDep
) -> ComplaintView:
    return await sessions.file_complaint(ctx, principal, session_id, body.application_id, body.content)


@router.post(
    "/complaints/{complaint_id}/resolve", response_model=ComplaintResolvedView, summary="投诉调查办结（POL-PB-1）"
)
async def resolve_complaint(
    complaint_id: str, body: ResolveComplaint, principal: CurrentPrincipal, ctx: ContextDep
) -> ComplaintResolvedView:
    return await sessions.resolve_complaint(ctx, principal, complaint_id, body.outcome)


@router.get(
    "/documents",
    response_model=DocumentPage,
    summary="职称资格文件（本人的；职改办等：本单位及下级单位的；按申报、姓名或文号、状态查询，分页）",
)
async def list_documents(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    application_id: Annotated[Annotated[CleanText, Field(max_length=100)] | None, Query()] = None,
    keyword: Annotated[
        Annotated[CleanText, Field(min_length=1, max_length=64)] | None, Query(description="持证人姓名或文号（包含）")
    ] = None,
    status: Annotated[Literal["valid", "revoked"] | None, Query(description="valid：有效；revoked：已撤销")] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> DocumentPage:
    return await queries.documents_of(
        ctx, principal, application_id, keyword=keyword, status=status, offset=offset, limit=limit
    )


@router.get(
    "/sessions/{session_id}/draw",
    response_model=DrawView,
    summary="专家随机抽取记录（种子、候选、排除、抽中、候补、回避；仅组建单位可见，NAT-4）",
)
async def get_draw(session_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> DrawView:
    return await sessions.draw_of(ctx, principal, session_id)


@router.post(
    "/sessions/{session_id}/conflicts",
    status_code=201,
    response_model=ConflictView,
    summary="专家申报利益冲突回避（投票开始前，NAT-4）",
)
async def declare_conflict(
    session_id: str, body: DeclareConflict, principal: CurrentPrincipal, ctx: ContextDep
) -> ConflictView:
    return await sessions.declare_conflict(
        ctx, principal, session_id, application_id=body.application_id, reason=body.reason, expert_id=body.expert_id
    )


@router.get(
    "/sessions/{session_id}/ballot-form",
    response_model=BallotFormView,
    summary="本人的表决票：仅列出本人可评审的候选人（NAT-4）",
)
async def get_ballot_form(session_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> BallotFormView:
    return await sessions.ballot_form(ctx, principal, session_id)
