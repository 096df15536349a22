"""评审委员会: forming committees and opening their sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..service_layer import committees, queries
from ..service_layer.views import CommitteeView, SessionOpenedView
from .deps import ContextDep
from .schemas import FormCommittee, OpenSession

router = APIRouter(prefix="/api/v1/committees", tags=["评审委员会"])

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


@router.post(
    "",
    status_code=201,
    response_model=CommitteeView,
    response_model_exclude_unset=True,
    summary="组建评审委员会（NAT-6 单数且满足最少人数）",
)
async def form_committee(
    body: FormCommittee, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> CommitteeView:
    return await committees.form(
        ctx,
        principal,
        idem,
        name=body.name,
        series=body.series,
        level=body.level.value,
        expert_ids=body.expert_ids,
        specialty=body.specialty,
        filing_expires_on=body.filing_expires_on,
    )


@router.get(
    "/{committee_id}",
    response_model=CommitteeView,
    response_model_exclude_unset=True,
    summary="查看评审委员会（专家名单仅组建单位评委会秘书可见，NAT-4）",
)
async def get_committee(committee_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> CommitteeView:
    return await queries.committee_of(ctx, principal, committee_id)


@router.post(
    "/{committee_id}/sessions",
    status_code=201,
    response_model=SessionOpenedView,
    summary="召开评审会议（纳入已推送待评审申报，随机抽取评审专家与候补专家，NAT-4）",
)
async def open_session(
    committee_id: str, body: OpenSession, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> SessionOpenedView:
    return await committees.open_session(
        ctx,
        principal,
        idem,
        committee_id,
        year=body.year,
        publicity_seconds=body.publicity_seconds,
        publicity_working_days=body.publicity_working_days,
        complaint_investigation_seconds=body.complaint_investigation_seconds,
        application_ids=body.application_ids,
        sitting=body.sitting,
        reserves=body.reserves,
        meeting_starts_at=body.meeting_starts_at,
        meeting_ends_at=body.meeting_ends_at,
    )
