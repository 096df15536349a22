"""The CNKI ratio POL-PA-4 decides on, per year: chosen by the city 职改办 (title_office_review at the
city-level title office), read by the reviewers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.roles import Role

from ..domain.policy.model import SimilarityRatio
from ..service_layer import similarity as use
from ..service_layer.similarity import SimilaritySetting
from .deps import ContextDep, IdempotencyDep

router = APIRouter(prefix="/api/v1/similarity-settings", tags=["论文查重判定口径"])
Year = Annotated[int, Path(ge=2000, le=2100)]
READERS = (
    Role.UNIT_REVIEW,
    Role.DEPARTMENT_REVIEW,
    Role.TITLE_OFFICE_REVIEW,
    Role.PUSH,
    Role.AUDITOR,
    Role.COMMITTEE_SECRETARY,
)


class SimilarityRatioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratio: SimilarityRatio = Field(
        description="total（总文字复制比）、excluding_quotes（去除引用文献复制比）或 "
        "excluding_own（去除本人已发表文献复制比，默认）"
    )


@router.get("/{year}", response_model=SimilaritySetting, summary="某年度论文查重判定所用的复制比（POL-PA-4）")
async def read_setting(year: Year, principal: CurrentPrincipal, ctx: ContextDep) -> SimilaritySetting:
    if principal.kind != "service":
        require_role(principal, *READERS)
    return await use.read_setting(ctx, year)


@router.put("/{year}", response_model=SimilaritySetting, summary="选定某年度论文查重判定所用的复制比（市职改办）")
async def choose(
    year: Year, body: SimilarityRatioIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> SimilaritySetting:
    """The city office's choice holds for the checks recorded from then on and every later assessment."""
    require_role(principal, Role.TITLE_OFFICE_REVIEW)
    await use.require_city_office(ctx, principal.org_id)
    return await use.choose_ratio(ctx, year, body.ratio, principal.subject, idempotent)
