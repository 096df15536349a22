"""评议组与网络视频答辩: panels (NAT-9), online defenses (POL-VD-1) and the panels' opinions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from zhicheng_kernel.auth import CurrentPrincipal, ServicePrincipal, service_principal
from zhicheng_kernel.inputs import CleanText
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..domain.events import DefenseScore
from ..service_layer import panel_reads, panels
from ..service_layer.panel_reads import SessionPanelView
from ..service_layer.views import (
    DefenseRecordView,
    DefenseSlotView,
    DefenseView,
    PanelOpinionView,
    PanelsStatusView,
    PanelView,
)
from .deps import ContextDep
from .schemas import FormPanel, RecordDefense, RecordPanelOpinion, ScheduleDefense

router = APIRouter(prefix="/api/v1", tags=["评议组与网络视频答辩"])
internal_router = APIRouter(
    prefix="/api/v1/internal/sessions", tags=["评审会议（内部）"], dependencies=[Depends(service_principal)]
)

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


@router.post(
    "/sessions/{session_id}/panels",
    status_code=201,
    response_model=PanelView,
    summary="组建评议组（NAT-9 不少于 3 人的单数，从专家库随机抽取）",
)
async def form_panel(
    session_id: str, body: FormPanel, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> PanelView:
    return await panels.form(
        ctx,
        principal,
        idem,
        session_id,
        specialty=body.specialty,
        size=body.size,
        application_ids=body.application_ids,
        meeting_on=body.meeting_on,
    )


@router.get(
    "/sessions/{session_id}/panels",
    response_model=list[SessionPanelView],
    summary="评审会议的评议组与答辩情况（职改办：全部；专家：本人所在评议组中本人评分的候选人）",
)
async def session_panels(session_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> list[SessionPanelView]:
    return await panel_reads.session_panels(ctx, principal, session_id)


@router.post(
    "/panels/{panel_id}/defenses",
    status_code=201,
    response_model=DefenseView,
    summary="安排网络视频答辩（POL-VD-1，不设现场答辩）",
)
async def schedule_defense(
    panel_id: str, body: ScheduleDefense, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> DefenseView:
    return await panels.schedule_defense(
        ctx,
        principal,
        idem,
        panel_id,
        application_id=body.application_id,
        starts_at=body.starts_at,
        minutes=body.minutes,
        mode=body.mode,
    )


@router.post(
    "/panels/{panel_id}/defenses/{application_id}/record",
    status_code=201,
    response_model=DefenseRecordView,
    summary="登记答辩情况：是否参加、专家评分与意见、录像编号",
)
async def record_defense(
    panel_id: str, application_id: str, body: RecordDefense, principal: CurrentPrincipal, ctx: ContextDep
) -> DefenseRecordView:
    return await panels.record_defense(
        ctx,
        principal,
        panel_id,
        application_id,
        attended=body.attended,
        recording_ref=body.recording_ref,
        scores=[DefenseScore(expert_id=s.expert_id, score=s.score, opinion=s.opinion) for s in body.scores],
    )


@router.post(
    "/panels/{panel_id}/opinions",
    status_code=201,
    response_model=PanelOpinionView,
    summary="登记评议组对候选人的评议意见（NAT-9）",
)
async def record_opinion(
    panel_id: str, body: RecordPanelOpinion, principal: CurrentPrincipal, ctx: ContextDep
) -> PanelOpinionView:
    return await panels.record_opinion(
        ctx, principal, panel_id, application_id=body.application_id, opinion=body.opinion, summary=body.summary
    )


@router.get(
    "/sessions/{session_id}/panel-opinions",
    response_model=list[PanelOpinionView],
    summary="评议组意见（评委会表决前阅看；仅组建单位秘书与本次会议专家）",
)
async def panel_opinions(session_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> list[PanelOpinionView]:
    return await panels.panel_opinions(ctx, principal, session_id)


@router.get(
    "/defenses/mine", response_model=list[DefenseSlotView], summary="专家本人的答辩日程（按时间先后，分段读取）"
)
async def my_defenses(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    offset: Annotated[int, Query(ge=0, le=100_000, description="跳过的条数")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="条数（最多 500）")] = 500,
) -> list[DefenseSlotView]:
    return await panels.my_defenses(ctx, principal, offset=offset, limit=limit)


@router.get("/defenses", response_model=list[DefenseSlotView], summary="申报人本人的答辩安排（申报人本人或职改办可查）")
async def defenses_of(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    application_id: Annotated[CleanText, Field(min_length=1, max_length=100), Query()],
) -> list[DefenseSlotView]:
    return await panels.defenses_of(ctx, principal, application_id)


@internal_router.get(
    "/{session_id}/panels", response_model=PanelsStatusView, summary="评议组是否已完成全部答辩与评议（流程用）"
)
async def panels_status(session_id: str, principal: ServicePrincipal, ctx: ContextDep) -> PanelsStatusView:
    return await panels.session_panels_status(ctx, session_id)


routers = [router, internal_router]
