"""评审会议: attendance, secret ballots, closing the vote, complaints, results and documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from zhicheng_kernel.auth import CurrentPrincipal

from ..service_layer import queries, sessions
from .deps import Context
from .schemas import CastBallot, FileComplaint, RecordAttendance, ResolveComplaint

router = APIRouter(prefix="/api/v1", tags=["评审会议"])


@router.get("/sessions/{session_id}", summary="会议状态、计票结果与发文号（不含任何个人选票）")
async def get_session(session_id: str, principal: CurrentPrincipal, ctx: Context) -> dict[str, Any]:
    return await queries.session_view(ctx, session_id, principal)


@router.post("/sessions/{session_id}/attendance", status_code=201, summary="登记出席专家（NAT-1）")
async def record_attendance(
    session_id: str, body: RecordAttendance, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await sessions.record_attendance(ctx, principal, session_id, body.present_expert_ids)


@router.post("/sessions/{session_id}/ballots", status_code=201, summary="专家无记名投票（NAT-2）")
async def cast_ballot(session_id: str, body: CastBallot, principal: CurrentPrincipal, ctx: Context) -> dict[str, Any]:
    await sessions.cast_ballot(ctx, principal, session_id, dict(body.votes))
    # Deliberately no ballot number or content in the answer: nothing links this expert to a ballot.
    return {"session_id": session_id, "accepted": True}


@router.post("/sessions/{session_id}/close-voting", summary="结束投票，进入计票")
async def close_voting(session_id: str, principal: CurrentPrincipal, ctx: Context) -> dict[str, Any]:
    return await sessions.close_voting(ctx, principal, session_id)


@router.post("/sessions/{session_id}/complaints", status_code=201, summary="公示期内投诉（POL-PB-1）")
async def file_complaint(
    session_id: str, body: FileComplaint, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await sessions.file_complaint(ctx, principal, session_id, body.application_id, body.content)


@router.post("/complaints/{complaint_id}/resolve", summary="投诉调查办结（POL-PB-1）")
async def resolve_complaint(
    complaint_id: str, body: ResolveComplaint, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await sessions.resolve_complaint(ctx, principal, complaint_id, body.outcome)


@router.get("/documents", summary="职称资格文件（按申报查询）")
async def list_documents(
    principal: CurrentPrincipal,
    ctx: Context,
    application_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[dict[str, Any]]:
    return await queries.documents_of(ctx, principal, application_id)
