"""The expert recommendation (专家举荐, POL-ER-1): the applicant's written request and the employer's consent."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.inputs import CleanText, MultilineText
from zhicheng_kernel.roles import Role

from ..domain.recommendation import MAX_REASON, MAX_RECOMMENDATION_TEXT, MAX_REQUEST_TEXT
from ..service_layer import recommendations
from ..service_layer.recommendations import RecommendationView
from .deps import ContextDep, IdempotencyDep, Ident

router = APIRouter(prefix="/api/v1/applications", tags=["专家举荐"])


class RecommendationRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recommending_expert_id: CleanText = Field(min_length=1, max_length=100, description="举荐专家的账号")
    request_text: MultilineText = Field(
        min_length=1, max_length=MAX_REQUEST_TEXT, description="向用人单位提出的书面申请"
    )
    recommendation_text: MultilineText = Field(
        min_length=1, max_length=MAX_RECOMMENDATION_TEXT, description="专家举荐意见"
    )


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agreed: bool
    reason: MultilineText = Field(default="", max_length=MAX_REASON, description="单位意见")


@router.post(
    "/{application_id}/expert-recommendation",
    status_code=201,
    response_model=RecommendationView,
    summary="申报人书面申请使用专家举荐（POL-ER-1）",
)
async def request_recommendation(
    application_id: Ident,
    body: RecommendationRequestIn,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    idempotent: IdempotencyDep,
) -> RecommendationView:
    require_role(principal, Role.APPLICANT)
    return await recommendations.request(
        ctx,
        application_id,
        principal.subject,
        recommending_expert_id=body.recommending_expert_id,
        request_text=body.request_text,
        recommendation_text=body.recommendation_text,
        idempotent=idempotent,
    )


@router.post(
    "/{application_id}/expert-recommendation/consent",
    response_model=RecommendationView,
    summary="用人单位对专家举荐申请表态（POL-ER-1）",
)
async def consent(
    application_id: Ident, body: ConsentIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> RecommendationView:
    return await recommendations.consent(
        ctx, application_id, principal, agreed=body.agreed, reason=body.reason, idempotent=idempotent
    )


@router.get(
    "/{application_id}/expert-recommendation",
    response_model=RecommendationView,
    summary="专家举荐的状态与盲审结果（仅人数，不含评审专家）",
)
async def read_recommendation(
    application_id: Ident, principal: CurrentPrincipal, ctx: ContextDep
) -> RecommendationView:
    return await recommendations.read(ctx, application_id, principal)
