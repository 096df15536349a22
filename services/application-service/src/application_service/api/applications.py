"""Applications: drafts, submission, correction and withdrawal, reading and querying, the eligibility
report, attachments, the unit's publicity (NAT-5) and the review chain's decisions (NAT-7)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import func, select
from zhicheng_kernel.auth import CurrentPrincipal, Principal, require_role
from zhicheng_kernel.errors import Forbidden, InvalidInput, NotFound
from zhicheng_kernel.inputs import CleanText, LimitQuery, OffsetQuery, OptionalYearQuery
from zhicheng_kernel.roles import Role

from ..adapters import attachments as files
from ..adapters import tables
from ..domain.commands import AttestFacts, DecideApplication, Reviewer
from ..domain.eligibility import blocking_of, route_of
from ..domain.schedule import normalise_series
from ..projections.applications import ApplicationView, view
from ..service_layer import commands
from ..service_layer.commands import AttachmentAdded, Author, ExternalReportRecorded
from .deps import ContextDep, IdempotencyDep, Ident
from .responses import (
    ApplicationList,
    AttachmentList,
    CountList,
    EligibilityOut,
    file_download,
)
from .schemas import ApplicationIn, AttestationIn, DecisionIn, NewApplicationIn, PublicityIn, WithdrawIn

router = APIRouter(prefix="/api/v1/applications", tags=["职称申报"])

# Query texts (finding 27): clean and bounded before they reach PostgreSQL.
StatusQuery = Annotated[CleanText | None, Query(max_length=40, description="申报状态，如 submitted")]
SeriesQuery = Annotated[CleanText | None, Query(max_length=100, description="系列，如 卫生系列")]
LevelQuery = Annotated[CleanText | None, Query(max_length=40, description="申报级别，如 intermediate")]
CountyQuery = Annotated[CleanText | None, Query(max_length=12, description="县区行政区划代码（county_code）")]
RuleQuery = Annotated[CleanText | None, Query(max_length=40, description="未通过的规则，如 POL-PA-1")]
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

# The roles of the review chain's steps (NAT-7); the domain checks the current step's org and role.
DECIDING_ROLES = (Role.UNIT_REVIEW, Role.DEPARTMENT_REVIEW, Role.TITLE_OFFICE_REVIEW)


def _may_read(principal: Principal, row: Any) -> bool:
    """The applicant; services; and the reviewing roles of the orgs above — except drafts, which are the
    applicant's alone. Another account of those orgs (an applicant colleague, an expert, the system
    administrator) sees only its own, as in the list."""
    if principal.subject == row.applicant_id:
        return True
    if row.status == "draft":
        return False
    return principal.kind == "service" or (principal.has(*REVIEWING_ROLES) and principal.covers(row.org_path))


def _author(principal: Principal) -> Author:
    require_role(principal, Role.APPLICANT)
    if not principal.org_id:
        raise Forbidden("no_organization", "当前账号未关联单位，不能提交申报。")
    return Author(principal.subject, principal.display_name or principal.username, principal.org_id)


async def _reviewable(ctx: ContextDep, principal: Principal, application_id: str, refusal_zh: str) -> None:
    """NAT-7: an application outside the reviewer's subtree is refused before anything else is told."""
    try:
        await _readable(ctx, principal, application_id)
    except Forbidden as exc:
        raise Forbidden("not_current_reviewer", refusal_zh, rule="NAT-7") from exc


async def _readable(ctx: ContextDep, principal: Principal, application_id: str) -> Any:
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(t).where(t.c.id == application_id))).first()
    if row is None or (row.status == "draft" and principal.subject != row.applicant_id):
        raise NotFound("application_not_found", "申报不存在。")
    if not _may_read(principal, row):
        raise Forbidden("outside_scope", "该申报不属于您所在单位及其下级单位，无权查看。")
    return row


@router.post("", status_code=201, response_model=ApplicationView, summary="提交职称申报（submit=false 时保存为草稿）")
async def create(
    body: NewApplicationIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> ApplicationView:
    author = _author(principal)
    content = ApplicationIn.model_validate(body.model_dump(exclude={"submit"})).content()
    return await commands.create_application(ctx, content, author, submit=body.submit, idempotent=idempotent)


@router.put("/{application_id}", response_model=ApplicationView, summary="修改草稿或被退回的申报")
async def edit(
    application_id: Ident,
    body: ApplicationIn,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    expected_version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="修改时看到的版本；他人已修改时 409 concurrent_modification")
    ] = None,
) -> ApplicationView:
    return await commands.edit(ctx, application_id, body.content(), _author(principal), expected_version)


@router.post(
    "/{application_id}/submit",
    response_model=ApplicationView,
    summary="提交草稿，或重新提交被退回的申报（回到单位审核）",
)
async def submit(application_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> ApplicationView:
    return await commands.submit_existing(ctx, application_id, _author(principal))


@router.post("/{application_id}/withdraw", response_model=ApplicationView, summary="申报人撤回申报（职改办审核通过前）")
async def withdraw(
    application_id: Ident, body: WithdrawIn, principal: CurrentPrincipal, ctx: ContextDep
) -> ApplicationView:
    return await commands.withdraw(ctx, application_id, body.reason, _author(principal))


def _scoped(query: Any, principal: Principal) -> Any:
    if principal.kind == "service":
        return query.where(t.c.status != "draft")
    if principal.has(*REVIEWING_ROLES) and principal.org_path:
        return query.where(t.c.org_path.startswith(principal.org_path, autoescape=True), t.c.status != "draft")
    return query.where(t.c.applicant_id == principal.subject)  # applicants see their own


def _filtered(
    query: Any,
    *,
    status: str | None,
    series: str | None,
    year: int | None,
    level: str | None,
    county: str | None,
    failed_rule: str | None,
    eligible: bool | None,
) -> Any:
    if status:
        query = query.where(t.c.status == status)
    if series:
        query = query.where(t.c.series == normalise_series(series))
    if year:
        query = query.where(t.c.year == year)
    if level:
        query = query.where(t.c.level == level)
    if county:
        query = query.where(t.c.county_code == county)
    if failed_rule:
        query = query.where(t.c.failed_rules.contains([failed_rule.strip().upper()]))
    if eligible is not None:
        query = query.where(t.c.eligible.is_(eligible))
    return query


@router.get(
    "", response_model=ApplicationList, summary="按年度、系列、级别、县区、状态、规则结果查询本单位及下级单位的申报"
)
async def list_applications(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    status: StatusQuery = None,
    series: SeriesQuery = None,
    year: OptionalYearQuery = None,
    level: LevelQuery = None,
    county: CountyQuery = None,
    failed_rule: RuleQuery = None,
    eligible: bool | None = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> dict[str, Any]:
    query = _filtered(
        _scoped(select(t), principal),
        status=status,
        series=series,
        year=year,
        level=level,
        county=county,
        failed_rule=failed_rule,
        eligible=eligible,
    )
    query = query.order_by(t.c.submitted_at, t.c.id).limit(limit).offset(offset)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(query)).all()
    return {"items": [view(r) for r in rows], "limit": limit, "offset": offset}


@router.get("/counts", response_model=CountList, summary="按系列和状态统计本单位及下级单位的申报数")
async def counts(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    year: OptionalYearQuery = None,
    county: CountyQuery = None,
    level: LevelQuery = None,
) -> dict[str, Any]:
    query = select(t.c.series, t.c.status, func.count().label("count")).group_by(t.c.series, t.c.status)
    query = _filtered(
        _scoped(query, principal),
        status=None,
        series=None,
        year=year,
        level=level,
        county=county,
        failed_rule=None,
        eligible=None,
    )
    async with ctx.db.read() as conn:
        rows = (await conn.execute(query.order_by(t.c.series, t.c.status))).all()
    items = [{"series": r.series, "status": r.status, "count": r.count} for r in rows]
    return {"items": items, "total": sum(i["count"] for i in items)}


@router.get("/{application_id}", response_model=ApplicationView, summary="查看一份申报")
async def read(application_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> ApplicationView:
    return view(await _readable(ctx, principal, application_id))


@router.get(
    "/{application_id}/eligibility", response_model=EligibilityOut, summary="资格审查报告：适用的规则、结果和中文说明"
)
async def eligibility(application_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    row = await _readable(ctx, principal, application_id)
    if row.eligibility is None:
        raise NotFound("eligibility_not_assessed", "该申报尚未提交，还没有资格审查报告。")
    report = row.eligibility
    return {"application_id": row.id, **report, "blocking": blocking_of(report), "route": route_of(report)}


@router.post(
    "/{application_id}/publicity",
    response_model=ApplicationView,
    summary="单位登记内部公示的开始日期（NAT-5，不少于5个工作日）",
)
async def start_publicity(
    application_id: Ident, body: PublicityIn, principal: CurrentPrincipal, ctx: ContextDep
) -> ApplicationView:
    require_role(principal, Role.UNIT_REVIEW)
    await _readable(ctx, principal, application_id)  # outside the caller's subtree: refused before anything
    reviewer = Reviewer(principal.subject, principal.org_id, principal.roles)
    return await commands.start_publicity(ctx, application_id, reviewer, body.starts_on, body.expected_version)


@router.post(
    "/{application_id}/attachments",
    status_code=201,
    response_model=AttachmentAdded,
    summary="上传附件（PDF/JPEG/PNG，单个不超过 20 MB）",
    description=(
        "申报人在单位审核通过前（草稿、已提交、被退回）、当前审核环节的审核人员可上传；"
        "每份申报最多 20 个、合计 100 MB。"
    ),
)
async def upload(
    application_id: Ident, file: UploadFile, request: Request, principal: CurrentPrincipal, ctx: ContextDep
) -> AttachmentAdded:
    declared = int(request.headers.get("content-length") or 0)
    if declared > files.MAX_BYTES + 64 * 1024:
        raise files.too_large()
    await _readable(ctx, principal, application_id)
    uploader = Reviewer(principal.subject, principal.org_id, principal.roles)
    await commands.check_attachment(ctx, application_id, uploader)  # before anything is stored
    sha, media, size = await asyncio.to_thread(files.store, ctx.attachments_dir, file.file)
    attachment = AttachmentAdded(
        attachment_id=str(uuid.uuid4()),
        filename=_filename(file.filename),
        media_type=media,
        size=size,
        sha256=sha,
        uploaded_by=principal.subject,
    )
    return await commands.add_attachment(ctx, application_id, attachment, uploader)


def _filename(name: str | None) -> str:
    """The client's file name as shown in lists: printable characters only, at most 200 of them."""
    cleaned = "".join(ch for ch in (name or "") if ch.isprintable() and ch not in "/\\")
    return cleaned.strip()[-200:] or "attachment"


@router.post(
    "/{application_id}/papers/{paper_id}/external-report",
    status_code=201,
    response_model=ExternalReportRecorded,
    summary="上传用人单位审核盖章的论文查重报告（比对库未收录的论文，POL-PA-4）",
)
async def upload_external_report(
    application_id: Ident,
    paper_id: Ident,
    file: UploadFile,
    request: Request,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    copy_ratio: Annotated[float, Form(ge=0, le=1, description="报告中的去除本人已发表文献复制比（0–1）")],
    provider: Annotated[CleanText, Form(min_length=2, max_length=50, description="查重机构，如 中国知网")],
    report_number: Annotated[CleanText, Form(min_length=1, max_length=64)],
    attested: Annotated[bool, Form(description="经用人单位审核无误并加盖公章")] = False,
) -> ExternalReportRecorded:
    declared = int(request.headers.get("content-length") or 0)
    if declared > files.MAX_BYTES + 64 * 1024:
        raise files.too_large()
    row = await _readable(ctx, principal, application_id)
    require_role(principal, Role.UNIT_REVIEW, Role.APPLICANT_MANAGEMENT)
    if principal.org_id != row.org_id:
        raise Forbidden("not_employer", "只有申报人所在单位可以上传查重报告。", field="org_id", rule="POL-PA-4")
    await commands.check_external_report(ctx, application_id, paper_id)  # before anything is stored
    sha, media, size = await asyncio.to_thread(files.store, ctx.attachments_dir, file.file)
    if media != "application/pdf":
        raise InvalidInput("report_must_be_pdf", "查重报告须为 PDF 文件。", field="file")
    report = {
        "report_id": str(uuid.uuid4()),
        "provider": provider.strip(),
        "report_number": report_number.strip(),
        "copy_ratio": copy_ratio,
        "attested": attested,
        "sha256": sha,
        "size": size,
        "uploaded_by": principal.subject,
    }
    return await commands.record_external_report(ctx, application_id, paper_id, report, principal.subject)


@router.get("/{application_id}/attachments", response_model=AttachmentList, summary="附件列表")
async def list_attachments(application_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    row = await _readable(ctx, principal, application_id)
    return {"items": row.attachments}


@router.get(
    "/{application_id}/attachments/{attachment_id}",
    summary="下载附件",
    response_class=FileResponse,
    responses=file_download("application/pdf", "image/jpeg", "image/png"),
)
async def download(
    application_id: Ident, attachment_id: Ident, principal: CurrentPrincipal, ctx: ContextDep
) -> FileResponse:
    row = await _readable(ctx, principal, application_id)
    found = next((a for a in row.attachments if a["attachment_id"] == attachment_id), None)
    path = files.path_of(ctx.attachments_dir, found["sha256"]) if found else None
    if found is None or path is None or not path.is_file():
        raise NotFound("attachment_not_found", "附件不存在。")
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[found["media_type"]]
    return FileResponse(
        path,
        media_type=found["media_type"],
        filename=f"{attachment_id}.{extension}",
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


@router.post(
    "/{application_id}/attestation",
    response_model=ApplicationView,
    summary="单位核实申报事实：确认或逐项更正（须说明理由），此后按核实后的事实审查资格",
    description=(
        "申报人所在单位的单位审核人员（unit_review）在单位审核环节核实申报人填报的事实：不带更正即确认全部填报事实；"
        "每项更正给出路径（如 work.rural_months、education.level、current_title.obtained_on）、核实值和理由。"
        "每次核实陈述完整的更正集合，取代此前的核实。在编状态和单位性质以组织机构系统登记为准，不在此更正。"
        "核实后系统按核实后的事实重新审查资格（EligibilityAssessed，basis=attested）。"
    ),
)
async def attest(
    application_id: Ident, body: AttestationIn, principal: CurrentPrincipal, ctx: ContextDep
) -> ApplicationView:
    require_role(principal, Role.UNIT_REVIEW)
    await _reviewable(ctx, principal, application_id, "只有申报人所在单位的单位审核人员可以核实申报事实。")
    cmd = AttestFacts(
        application_id=application_id,
        corrections=[c.model_dump(mode="json") for c in body.corrections],
        reviewer=Reviewer(principal.subject, principal.org_id, principal.roles),
        expected_version=body.expected_version,
    )
    return await commands.attest(ctx, cmd)


@router.post(
    "/{application_id}/decisions",
    response_model=ApplicationView,
    summary="审核：通过或退回（逐级审核）",
    description=(
        "单位审核通过即确认申报人填报的事实：此前未核实的，先记录单位确认（FactsAttested），并按核实后的事实重新审查资格。"
        "资格审查有硬性条件不符合（如 POL-EX-1、POL-SK-3、POL-EN-3）时任何环节都不能审核通过"
        "（409 eligibility_blocked）；"
        "职改办另须等待待定事项处理完毕（如期刊未列入名录）。退回始终可以。"
    ),
)
async def decide(
    application_id: Ident, body: DecisionIn, principal: CurrentPrincipal, ctx: ContextDep
) -> ApplicationView:
    require_role(principal, *DECIDING_ROLES)
    await _reviewable(ctx, principal, application_id, "您所在单位不是该申报的审核单位（逐级审核），无权办理。")
    cmd = DecideApplication(
        application_id=application_id,
        decision=body.decision,
        opinion=body.opinion,
        expected_version=body.expected_version,
        reviewer=Reviewer(principal.subject, principal.org_id, principal.roles),
    )
    return await commands.decide(ctx, cmd)
