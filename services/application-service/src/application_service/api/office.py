"""The title offices' and the review chain's pages: the review queue (what awaits the caller's decision,
NAT-7), the year's figures for the dashboard, and a push batch's 综合情况一览表 (Excel). Read-only; every
answer is scoped to the caller's organization subtree."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import and_, false, func, or_, select
from zhicheng_kernel.auth import CurrentPrincipal, Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import Forbidden, NotFound
from zhicheng_kernel.inputs import CleanText, LimitQuery, OffsetQuery, OptionalYearQuery
from zhicheng_kernel.roles import Role
from zhicheng_kernel.titles import level_zh

from ..adapters import tables
from ..adapters.spreadsheets import XLSX_MEDIA_TYPE, write_xlsx
from ..domain.application import ROLE_OF_STEP
from ..domain.schedule import normalise_series
from ..domain.vocabulary import CHECK_DECISION_NAMES_ZH, STATUS_NAMES_ZH, TRACK_NAMES_ZH, education_zh
from .applications import REVIEWING_ROLES
from .deps import ContextDep, Ident
from .registries import attachment
from .responses import file_download

# Under /api/v1/applications, so that the gateway routes them with the applications (no new public
# prefix); app.py registers this router before applications.router, whose /{application_id} would
# otherwise take "review-queue" and "stats" for an application's id.
router = APIRouter(prefix="/api/v1/applications", tags=["职称申报"])
overview = APIRouter(prefix="/api/v1/pushes", tags=["推送"])

t = tables.applications
o = tables.orgs

StatusQuery = Annotated[CleanText | None, Query(max_length=40, description="申报状态，如 submitted")]
SeriesQuery = Annotated[CleanText | None, Query(max_length=100, description="系列，如 卫生系列")]
LevelQuery = Annotated[CleanText | None, Query(max_length=40, description="申报级别，如 intermediate")]
UnitQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$",
        description="申报人所在单位（或其上级单位）的组织ID：只列该单位及其下级单位的申报",
    ),
]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="年度")]

# The dashboard's readers: the title offices, the departments that push, the auditors.
STATS_READERS = (Role.TITLE_OFFICE_REVIEW, Role.PUSH, Role.AUDITOR)


class QueueItem(BaseModel):
    """One application of the queue, as a row of the table shows it."""

    id: str
    version: int
    status: str
    applicant_name: str
    org_id: str
    org_name: str
    county_code: str
    year: int
    series: str
    specialty: str
    level: str
    track: str
    current_step: str | None
    # Whether the caller is the reviewer of the current step (its org and its role, NAT-7).
    awaiting_me: bool
    eligible: bool | None
    failed_rules: list[str]
    publicity_starts_on: str | None
    submitted_at: str
    updated_at: str


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int
    limit: int
    offset: int


def _scope_path(principal: Principal) -> str:
    if not principal.org_path:
        raise Forbidden("outside_scope", "当前账号未关联单位，无权查看审核事项。")
    return principal.org_path


def _awaiting(principal: Principal) -> Any:
    """NAT-7: the applications whose current step is the caller's org with a role the caller holds."""
    steps = [step for step, role in ROLE_OF_STEP.items() if role in principal.roles]
    if not steps or not principal.org_id:
        return None
    return or_(
        *(
            and_(t.c.current_step == step, t.c.chain.contains([{"step": step, "org_id": principal.org_id}]))
            for step in steps
        )
    )


@router.get(
    "/review-queue",
    response_model=QueuePage,
    summary="审核队列：待本人审核（mine=true）或本单位及下级单位的申报，按系列、级别、状态、单位筛选，服务器分页",
)
async def review_queue(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    mine: bool = True,
    status: StatusQuery = None,
    series: SeriesQuery = None,
    level: LevelQuery = None,
    unit: UnitQuery = None,
    year: OptionalYearQuery = None,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> QueuePage:
    """The review chain's roles (and the offices' auditors) of an organization; never a draft."""
    require_role(principal, *REVIEWING_ROLES)
    scope = _scope_path(principal)
    awaiting = _awaiting(principal)
    conditions: list[Any] = [t.c.org_path.startswith(scope, autoescape=True), t.c.status != "draft"]
    if mine:
        if awaiting is None:
            return QueuePage(items=[], total=0, limit=limit, offset=offset)
        conditions.append(awaiting)
    if status:
        conditions.append(t.c.status == status)
    if series:
        conditions.append(t.c.series == normalise_series(series))
    if level:
        conditions.append(t.c.level == level)
    if unit:
        conditions.append(t.c.org_path.contains(f"/{unit}/", autoescape=True))
    if year:
        conditions.append(t.c.year == year)
    mine_column = (awaiting if awaiting is not None else false()).label("awaiting_me")
    query = (
        select(t, o.c.name.label("org_name"), mine_column)
        .join(o, o.c.id == t.c.org_id, isouter=True)
        .where(*conditions)
        .order_by(t.c.submitted_at, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    async with ctx.db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(t).where(*conditions))).scalar_one()
        rows = (await conn.execute(query)).all()
    items = [
        QueueItem(
            id=r.id,
            version=r.version,
            status=r.status,
            applicant_name=r.applicant_name,
            org_id=r.org_id,
            org_name=r.org_name or "",
            county_code=r.county_code,
            year=r.year,
            series=r.series,
            specialty=r.specialty,
            level=r.level,
            track=r.track,
            current_step=r.current_step,
            awaiting_me=bool(r.awaiting_me),
            eligible=r.eligible,
            failed_rules=list(r.failed_rules or []),
            publicity_starts_on=r.publicity_starts_on.isoformat() if r.publicity_starts_on else None,
            submitted_at=r.submitted_at.isoformat(),
            updated_at=r.updated_at.isoformat(),
        )
        for r in rows
    ]
    return QueuePage(items=items, total=total, limit=limit, offset=offset)


# -- the dashboard -------------------------------------------------------------------------------------


class Count(BaseModel):
    key: str
    name: str = Field(description="中文名称（系列、状态或县区）")
    count: int


class PassRate(BaseModel):
    series: str
    concluded: int = Field(description="已有评审结果的申报数")
    titled: int = Field(description="评审通过（取得职称）")
    not_passed: int
    rate: float | None = Field(description="评审通过率 titled/concluded；尚无结果时为空")
    assessed: int = Field(description="已作资格审查的申报数")
    eligible: int = Field(description="资格审查符合条件的申报数")


CITY_LEVEL_ZH = "市直单位"


class OfficeStats(BaseModel):
    """A year's applications in the caller's subtree, for the dashboard."""

    year: int
    today: str
    total: int
    by_series: list[Count]
    by_status: list[Count]
    by_county: list[Count]
    pass_rates: list[PassRate]


@router.get("/stats", response_model=OfficeStats, summary="统计：本单位及下级单位某年度申报的分布和通过率")
async def stats(principal: CurrentPrincipal, ctx: ContextDep, year: YearQuery) -> OfficeStats:
    require_role(principal, *STATS_READERS)
    scope = _scope_path(principal)
    where = [t.c.year == year, t.c.status != "draft", t.c.org_path.startswith(scope, autoescape=True)]
    titled = func.count().filter(t.c.outcome == "titled")
    not_passed = func.count().filter(t.c.outcome == "not_passed")
    assessed = func.count().filter(t.c.eligible.is_not(None))
    eligible = func.count().filter(t.c.eligible.is_(True))
    async with ctx.db.read() as conn:
        series_rows = (
            await conn.execute(
                select(
                    t.c.series,
                    func.count().label("n"),
                    titled.label("titled"),
                    not_passed.label("not_passed"),
                    assessed.label("assessed"),
                    eligible.label("eligible"),
                )
                .where(*where)
                .group_by(t.c.series)
                .order_by(t.c.series)
            )
        ).all()
        status_rows = (
            await conn.execute(
                select(t.c.status, func.count().label("n")).where(*where).group_by(t.c.status).order_by(t.c.status)
            )
        ).all()
        county_rows = (
            await conn.execute(
                select(t.c.county_code, func.count().label("n"))
                .where(*where)
                .group_by(t.c.county_code)
                .order_by(t.c.county_code)
            )
        ).all()
        codes = [r.county_code for r in county_rows if r.county_code]
        names_query = (
            select(o.c.division_code, o.c.name, o.c.level)
            .where(o.c.division_code.in_(codes), o.c.level.in_(("county", "city")), o.c.kind == "title_office")
            .order_by((o.c.level == "city").asc(), o.c.path)  # a county's office names its code first
        )
        names: dict[str, str] = {}
        for r in (await conn.execute(names_query)).all():
            # The city's own division code is where its city-level employers (市直单位) are counted.
            names.setdefault(r.division_code, CITY_LEVEL_ZH if r.level == "city" else r.name)
    rates = [
        PassRate(
            series=r.series,
            concluded=r.titled + r.not_passed,
            titled=r.titled,
            not_passed=r.not_passed,
            rate=round(r.titled / (r.titled + r.not_passed), 4) if r.titled + r.not_passed else None,
            assessed=r.assessed,
            eligible=r.eligible,
        )
        for r in series_rows
    ]
    return OfficeStats(
        year=year,
        today=china_today(ctx.clock.now()).isoformat(),
        total=sum(r.n for r in series_rows),
        by_series=[Count(key=r.series, name=r.series, count=r.n) for r in series_rows],
        by_status=[Count(key=r.status, name=STATUS_NAMES_ZH.get(r.status, r.status), count=r.n) for r in status_rows],
        by_county=[
            Count(
                key=r.county_code,
                name=names.get(r.county_code) or (f"县区代码 {r.county_code}" if r.county_code else "未知县区"),
                count=r.n,
            )
            for r in county_rows
        ],
        pass_rates=rates,
    )


# -- a push batch's 综合情况一览表 ---------------------------------------------------------------------

OVERVIEW_HEADINGS = (
    "序号",
    "姓名",
    "工作单位",
    "县区代码",
    "系列",
    "专业",
    "申报级别",
    "申报类型",
    "最高学历",
    "现任职称",
    "现职称取得时间",
    "论文篇数",
    "论文查重",
    "单位公示开始日期",
    "单位审核意见",
    "主管部门审核意见",
    "职改办审核意见",
    "资格审查",
    "未通过的规则",
    "备注",
)
APPROVAL_EVENTS = {"unit": "UnitApproved", "department": "DepartmentApproved", "title_office": "TitleOfficeApproved"}


def _attested(row: Any, path: str) -> Any:
    for fact in (row.eligibility or {}).get("facts") or []:
        if fact.get("path") == path:
            return fact.get("attested")
    return None


def _opinion(row: Any, step: str) -> str:
    """The latest approval of `step` as the table prints it: 同意 when no opinion was written."""
    for entry in reversed(row.history or []):
        if entry.get("event_type") == APPROVAL_EVENTS[step]:
            return str(entry.get("opinion") or "同意")
    return ""


def _checks(row: Any) -> str:
    checks = (row.checks or {}).values()
    decisions = [CHECK_DECISION_NAMES_ZH.get(str(c.get("decision")), str(c.get("decision") or "")) for c in checks]
    return "、".join(d for d in decisions if d) or ("未查重" if row.papers else "无论文")


def overview_line(number: int, row: Any) -> list[Any]:
    """One applicant's line of the 综合情况一览表: from the read model and the attested facts."""
    report = row.eligibility or {}
    title_level = _attested(row, "current_title.level")
    education = _attested(row, "education.level")
    eligible = {True: "符合", False: "不符合（见审查报告）", None: "未审查"}[row.eligible]
    return [
        number,
        row.applicant_name,
        row.org_name or "",
        row.county_code,
        row.series,
        row.specialty,
        level_zh(row.level),
        TRACK_NAMES_ZH.get(row.track, row.track),
        education_zh(education),
        level_zh(str(title_level)) if title_level in ("junior", "intermediate", "deputy_senior", "senior") else "",
        str(_attested(row, "current_title.obtained_on") or ""),
        len(row.papers or []),
        _checks(row),
        row.publicity_starts_on.isoformat() if row.publicity_starts_on else "",
        _opinion(row, "unit"),
        _opinion(row, "department"),
        _opinion(row, "title_office"),
        eligible,
        "、".join(row.failed_rules or []),
        "；".join([*(report.get("annotations") or []), *(report.get("remarks") or [])]),
    ]


@overview.get(
    "/{push_id}/overview.xlsx",
    summary="推送批次的综合情况一览表（Excel）",
    response_class=Response,
    responses=file_download(XLSX_MEDIA_TYPE),
)
async def overview_xlsx(push_id: Ident, principal: CurrentPrincipal, ctx: ContextDep) -> Response:
    """Only for offices whose subtree holds the pushing office (the office itself and those above)."""
    require_role(principal, *REVIEWING_ROLES)
    p = tables.pushes
    async with ctx.db.read() as conn:
        batch = (
            await conn.execute(select(p, o.c.path).join(o, o.c.id == p.c.office_org_id).where(p.c.id == push_id))
        ).first()
        if batch is None:
            raise NotFound("push_not_found", "推送批次不存在。")
        if not principal.covers(batch.path):
            raise Forbidden("outside_scope", "该推送批次不属于您所在单位及其下级单位，无权导出。")
        query = select(t, o.c.name.label("org_name")).join(o, o.c.id == t.c.org_id, isouter=True)
        rows = {r.id: r for r in (await conn.execute(query.where(t.c.id.in_(list(batch.application_ids))))).all()}
    lines = [
        overview_line(number, rows[app_id])
        for number, app_id in enumerate(batch.application_ids, start=1)
        if app_id in rows
    ]
    title = f"{batch.year}{batch.series}{level_zh(batch.level)}综合情况一览表"
    content = write_xlsx(title[:31], OVERVIEW_HEADINGS, lines)
    return attachment(content, XLSX_MEDIA_TYPE, f"overview-{push_id}.xlsx")
