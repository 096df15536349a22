"""复查 (NAT-11): the applicant requests a review of a result that did not pass; the organising
unit answers in writing; a changed result is issued a document."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import CleanText, MultilineText
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..domain.reexamination import ReviewOutcome
from ..service_layer import review_requests
from ..service_layer.review_requests import ReviewRequestPage, ReviewRequestView
from .deps import ContextDep
from .listings import Limit, Offset

router = APIRouter(prefix="/api/v1/review-requests", tags=["复查"])

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


class RequestReview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_id: CleanText = Field(min_length=1, max_length=100)
    reason: MultilineText = Field(min_length=1, max_length=2000, description="申请复查的理由")


class AnswerReview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: ReviewOutcome = Field(description="upheld：维持原评审结果；changed：改为通过并印发资格文件")
    answer: MultilineText = Field(min_length=1, max_length=2000, description="书面答复")


@router.post(
    "",
    status_code=201,
    response_model=ReviewRequestView,
    summary="申请人对未通过的评审结果申请复查（NAT-11，公示期满后规定期限内）",
)
async def request_review(
    body: RequestReview, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> ReviewRequestView:
    return await review_requests.request_review(ctx, principal, idem, body.application_id, body.reason)


@router.post(
    "/{request_id}/answer",
    response_model=ReviewRequestView,
    summary="评委会组建单位书面答复复查申请（NAT-11；改为通过的，公示期满后印发资格文件，NAT-3）",
)
async def answer_review(
    body: AnswerReview,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    idem: IdempotencyDep,
    request_id: Annotated[str, Path(min_length=1, max_length=100)],
) -> ReviewRequestView:
    return await review_requests.answer_review(ctx, principal, idem, request_id, body.outcome, body.answer)


@router.get(
    "",
    response_model=ReviewRequestPage,
    summary="复查申请：申请人看本人的，评委会组建单位看向本单位提出的",
)
async def list_review_requests(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    application_id: Annotated[Annotated[CleanText, Field(max_length=100)] | None, Query()] = None,
    status: Annotated[
        Literal["pending", "answered"] | None, Query(description="pending：待答复；answered：已答复")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> ReviewRequestPage:
    return await review_requests.list_requests(
        ctx, principal, application_id, status=status, offset=offset, limit=limit
    )
