"""The integrity file (科研诚信档案): only title offices' reviewers and auditors read it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import CleanText, LimitQuery, OffsetQuery

from ..service_layer import integrity
from ..service_layer.integrity import IntegrityFileView
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/integrity-file", tags=["科研诚信档案"])


@router.get(
    "",
    response_model=IntegrityFileView,
    summary="科研诚信档案（NAT-8 撤销职称、POL-ER-3 举荐不端、市职改办黑名单；仅职改办审核与审计人员）",
)
async def integrity_file(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    person: Annotated[CleanText | None, Query(max_length=64, description="身份证号码或账号")] = None,
    in_force: Annotated[bool, Query(description="仅列出今日仍在有效期内的条目")] = False,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> IntegrityFileView:
    return await integrity.integrity_file(
        ctx, principal, person=person, in_force_only=in_force, limit=limit, offset=offset
    )
