"""Applications: submit, read, list, and the review chain's decisions (NAT-7)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from zhicheng_kernel.auth import CurrentPrincipal, Principal, require_role
from zhicheng_kernel.errors import Forbidden, NotFound
from zhicheng_kernel.roles import Role

from ..adapters import tables
from ..domain.commands import DecideApplication, PaperInput, Reviewer, SubmitApplication
from ..domain.schedule import normalise_series
from ..projections.applications import view
from ..service_layer import commands
from .deps import ContextDep
from .schemas import ApplicationIn, DecisionIn

router = APIRouter(prefix="/api/v1/applications", tags=["职称申报"])
t = tables.applications

REVIEWING_ROLES = (
    Role.UNIT_REVIEW,
    Role.DEPARTMENT_REVIEW,
    Role.TITLE_OFFICE_REVIEW,
    Role.PUSH,
    Role.AUDITOR,
    Role.APPLICANT_MANAGEMENT,
    Role.COMMITTEE_SECRETARY,
)


def _may_read(principal: Principal, row: Any) -> bool:
    return principal.kind == "service" or principal.subject == row.applicant_id or principal.covers(row.org_path)


@router.post("", status_code=201, summary="提交职称申报")
async def submit(body: ApplicationIn, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    require_role(principal, Role.APPLICANT)
    if not principal.org_id:
        raise Forbidden("no_organization", "当前账号未关联单位，不能提交申报。")
    cmd = SubmitApplication(
        applicant_id=principal.subject,
        applicant_name=principal.display_name or principal.username,
        org_id=principal.org_id,
        year=body.year,
        series=body.series,
        specialty=body.specialty,
        level=body.level,
        track=body.track,
        papers=[PaperInput(**p.model_dump()) for p in body.papers],
    )
    return await commands.submit_application(ctx, cmd, principal.subject)


@router.get("/{application_id}", summary="查看一份申报")
async def read(application_id: str, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(t).where(t.c.id == application_id))).first()
    if row is None:
        raise NotFound("application_not_found", "申报不存在。")
    if not _may_read(principal, row):
        raise Forbidden("outside_scope", "该申报不属于您所在单位及其下级单位，无权查看。")
    return view(row)


@router.get("", summary="按状态、系列、年度查询本单位及下级单位的申报")
async def list_applications(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    status: str | None = None,
    series: str | None = None,
    year: int | None = None,
    level: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    query = select(t)
    if principal.kind == "service":
        pass
    elif principal.has(*REVIEWING_ROLES) and principal.org_path:
        query = query.where(t.c.org_path.startswith(principal.org_path, autoescape=True))
    else:
        query = query.where(t.c.applicant_id == principal.subject)  # applicants see their own
    if status:
        query = query.where(t.c.status == status)
    if series:
        query = query.where(t.c.series == normalise_series(series))
    if year:
        query = query.where(t.c.year == year)
    if level:
        query = query.where(t.c.level == level)
    query = query.order_by(t.c.submitted_at, t.c.id).limit(limit).offset(offset)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(query)).all()
    return {"items": [view(r) for r in rows], "limit": limit, "offset": offset}


@router.post("/{application_id}/decisions", summary="审核：通过或退回（逐级审核）")
async def decide(application_id: str, body: DecisionIn, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    cmd = DecideApplication(
        application_id=application_id,
        decision=body.decision,
        opinion=body.opinion,
        expected_version=body.expected_version,
        reviewer=Reviewer(principal.subject, principal.org_id, principal.roles),
    )
    return await commands.decide(ctx, cmd)
