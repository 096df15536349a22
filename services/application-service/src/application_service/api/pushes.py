"""Pushes of office-approved applications to the committees (SCHED-1), and a batch's roster (花名册)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.errors import Forbidden, NotFound
from zhicheng_kernel.roles import Role
from zhicheng_kernel.titles import level_zh

from ..adapters import tables
from ..adapters.spreadsheets import XLSX_MEDIA_TYPE, write_xlsx
from ..domain.commands import CreatePush
from ..service_layer import commands
from ..service_layer.commands import PushCreated
from .applications import REVIEWING_ROLES
from .deps import ContextDep, IdempotencyDep, Ident
from .registries import attachment
from .responses import file_download
from .schemas import PushIn

router = APIRouter(prefix="/api/v1/pushes", tags=["推送"])

ROSTER_HEADINGS = ("序号", "姓名", "工作单位", "县区代码", "系列", "专业", "申报级别", "申报类型", "资格审查", "备注")


@router.post(
    "", status_code=201, response_model=PushCreated, summary="县（市、区）职改办或市直有关部门向评委会推送一批申报"
)
async def push(body: PushIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep) -> PushCreated:
    """Pushed by a county title office or a city-level department (`rules.pushing_org` decides which),
    of office-approved applications of its own subtree."""
    require_role(principal, Role.PUSH)
    cmd = CreatePush(
        year=body.year,
        series=body.series,
        level=body.level,
        application_ids=body.application_ids,
        pusher_id=principal.subject,
        office_org_id=principal.org_id or "",
        office_org_path=principal.org_path,
    )
    return await commands.create_push(ctx, cmd, idempotent)


@router.get(
    "/{push_id}/roster.xlsx",
    summary="推送批次花名册（Excel）",
    response_class=Response,
    responses=file_download(XLSX_MEDIA_TYPE),
)
async def roster(push_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> Response:
    """Only for offices whose subtree holds the pushing office (the office itself and those above)."""
    require_role(principal, *REVIEWING_ROLES)
    p, o, a = tables.pushes, tables.orgs, tables.applications
    async with ctx.db.read() as conn:
        batch = (
            await conn.execute(select(p, o.c.path).join(o, o.c.id == p.c.office_org_id).where(p.c.id == push_id))
        ).first()
        if batch is None:
            raise NotFound("push_not_found", "推送批次不存在。")
        if not principal.covers(batch.path):
            raise Forbidden("outside_scope", "该推送批次不属于您所在单位及其下级单位，无权导出。")
        query = select(a, o.c.name.label("org_name")).join(o, o.c.id == a.c.org_id, isouter=True)
        rows = {r.id: r for r in (await conn.execute(query.where(a.c.id.in_(list(batch.application_ids))))).all()}
    lines = []
    for number, app_id in enumerate(batch.application_ids, start=1):
        r = rows.get(app_id)
        if r is None:
            continue
        report = r.eligibility or {}
        eligible = {True: "符合", False: "不符合（见审查报告）", None: "未审查"}[r.eligible]
        lines.append(
            [
                number,
                r.applicant_name,
                r.org_name or "",
                r.county_code,
                r.series,
                r.specialty,
                level_zh(r.level),
                r.track,
                eligible,
                # 备注: what is printed, and the remarks POL-EN-4 wants "在报送申报材料时备注说明".
                "；".join([*(report.get("annotations") or []), *(report.get("remarks") or [])]),
            ]
        )
    content = write_xlsx(f"{batch.year}{batch.series}花名册", ROSTER_HEADINGS, lines)
    return attachment(content, XLSX_MEDIA_TYPE, f"roster-{push_id}.xlsx")
