"""盲审: blind reviews of expert recommendations (POL-ER-1, POL-ER-3) — the reviewers' own forms and the
city office's list, redraw and misconduct decisions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..domain.events import MisconductKind
from ..service_layer import blind_reviews
from ..service_layer.blind_reviews import AssignedReviewView, BlindReviewList, OfficeBlindReviewView, OpinionAccepted
from .deps import ContextDep
from .listings import Limit, Offset

router = APIRouter(prefix="/api/v1/blind-reviews", tags=["专家举荐盲审"])
IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]
Status = Literal["drawing", "stalled", "in_review", "concluded", "misconduct_confirmed", "misconduct_dismissed"]


class MisconductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: MisconductKind
    detail: str = Field(min_length=1, max_length=2000)


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    comment: str = Field(default="", max_length=2000)
    misconduct: MisconductIn | None = None


class MisconductDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
    kind: MisconductKind | None = Field(default=None, description="认定的不端类型（须为评审专家报告过的）")


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/assigned", response_model=list[AssignedReviewView], summary="本人被抽中的盲审（不含申报人信息）")
async def assigned(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    offset: Annotated[int, Query(ge=0, le=100_000, description="跳过的条数")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="条数（最多 500）")] = 500,
) -> list[AssignedReviewView]:
    return await blind_reviews.assigned(ctx, principal, offset=offset, limit=limit)


@router.post(
    "/{review_id}/opinion", status_code=201, response_model=OpinionAccepted, summary="盲审专家提交意见（每人一次）"
)
async def opinion(review_id: str, body: OpinionIn, principal: CurrentPrincipal, ctx: ContextDep) -> OpinionAccepted:
    return await blind_reviews.record_opinion(
        ctx,
        principal,
        review_id,
        approve=body.approve,
        comment=body.comment,
        misconduct_kind=body.misconduct.kind if body.misconduct else None,
        misconduct_detail=body.misconduct.detail if body.misconduct else None,
    )


@router.get("", response_model=BlindReviewList, summary="市职改办查看盲审（含抽取的专家，不含各人意见）")
async def list_reviews(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    status: Annotated[Status | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> BlindReviewList:
    return await blind_reviews.list_reviews(ctx, principal, status, offset=offset, limit=limit)


@router.post("/{review_id}/draw", response_model=OfficeBlindReviewView, summary="专家不足时重新抽取盲审专家")
async def redraw(
    review_id: str, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> OfficeBlindReviewView:
    return await blind_reviews.redraw(ctx, principal, review_id, idem)


@router.post(
    "/{review_id}/misconduct/confirm",
    response_model=OfficeBlindReviewView,
    summary="认定举荐存在学术不端（POL-ER-3：取消申报人本年度评审资格）",
)
async def confirm_misconduct(
    review_id: str, body: MisconductDecisionIn, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> OfficeBlindReviewView:
    return await blind_reviews.decide_misconduct(
        ctx, principal, review_id, confirm=True, reason=body.reason, kind=body.kind, idempotent=idem
    )


@router.post("/{review_id}/misconduct/dismiss", response_model=OfficeBlindReviewView, summary="学术不端报告不成立")
async def dismiss_misconduct(
    review_id: str, body: DismissIn, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> OfficeBlindReviewView:
    return await blind_reviews.decide_misconduct(
        ctx, principal, review_id, confirm=False, reason=body.reason, idempotent=idem
    )
