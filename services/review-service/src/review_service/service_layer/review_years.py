"""The review year (SCHED-3) as review-service keeps it: the year's workflow requested through the start
outbox, the steps it drives (warnings, overdue sessions, the sessions still waiting), the city office's
extension and carry-over, the year's report and its archive export."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute
from zhicheng_kernel.workflow_starts import request_start, start_pending

from ..adapters import ballot_box
from ..adapters.tables import candidates, complaints, documents, organizations, sessions, workflow_starts
from ..context import ReviewContext
from ..domain import year as review_year
from ..domain.events import REVIEW_YEAR, SESSION
from ..domain.session import Session
from ..domain.year import ReviewYear, is_bound, review_deadline, unvoted, workflow_id_for_year

log = logging.getLogger(__name__)

WORKFLOW_NAME = "ReviewYearWorkflow"
# Who acts for the city office on the review year, and who reads its report.
OFFICE_ROLES = (Role.TITLE_OFFICE_REVIEW, Role.COMMITTEE_SECRETARY)
REPORT_ROLES = (*OFFICE_ROLES, Role.AUDITOR)


# -- views ------------------------------------------------------------------------------------------


class YearSessionView(BaseModel):
    session_id: str
    series: str
    level: str
    organizing_org_id: str
    status: str
    voted: bool
    overdue: bool
    extended_until: datetime | None = None
    carried_over: bool
    application_ids: list[str]


class YearSessionsView(BaseModel):
    """The year's sessions; `open_session_ids`: intermediate and senior ones not voted yet;
    `pending_session_ids`: overdue ones still waiting (not voted, not carried over)."""

    year: int
    deadline: datetime
    sessions: list[YearSessionView]
    open_session_ids: list[str]
    pending_session_ids: list[str]


class WarningView(BaseModel):
    year: int
    deadline: datetime
    remaining_seconds: int
    session_ids: list[str]
    organizing_org_ids: list[str]
    office_org_ids: list[str]


class OverdueView(BaseModel):
    year: int
    deadline: datetime
    overdue_session_ids: list[str]
    pending_session_ids: list[str]


class ExtensionView(BaseModel):
    session_id: str
    year: int
    until: datetime
    reason: str


class CarriedOverView(BaseModel):
    session_id: str
    year: int
    to_year: int
    application_ids: list[str]
    reason: str


class SeriesReport(BaseModel):
    series: str
    pushed: int = Field(default=0, description="推送到评审的申报（含结转下一年度的）")
    filed_approved: int = Field(default=0, description="报省职改办审核通过的（POL-FI-1）")
    returned_by_province: int = Field(default=0, description="被省职改办审核退回的（POL-FI-1）")
    sessions: int = 0
    sessions_voted: int = Field(default=0, description="已完成投票计票的会议")
    reviewed: int = Field(default=0, description="已投票计票会议评审的人数")
    passed: int = 0
    failed: int = 0
    documents_issued: int = 0
    complaints_open: int = Field(default=0, description="尚未办结的投诉")
    sessions_overdue: int = Field(default=0, description="12月31日前未完成投票的中、高级会议（SCHED-3）")
    sessions_extended: int = 0
    sessions_carried_over: int = 0
    candidates_carried_over: int = 0


class YearReport(BaseModel):
    """The year's review in counts, by series, with the province's verdicts on the city's filings."""

    year: int
    deadline: datetime
    generated_at: datetime
    scope_org_path: str | None = Field(description="统计范围（市职改办为全市，null）")
    by_series: list[SeriesReport]
    total: SeriesReport


# -- the workflow's start -------------------------------------------------------------------------


def deadline_of(ctx: ReviewContext, year: int) -> datetime:
    return review_deadline(year, ctx.settings.review_year_deadline_override)


async def city_office_ids(conn: AsyncConnection) -> list[str]:
    """The city-level title office(s) as org-service announced them."""
    query = select(organizations.c.org_id).where(
        organizations.c.kind == "title_office", organizations.c.level == "city"
    )
    return sorted((await conn.execute(query)).scalars())


async def request_review_year(conn: AsyncConnection, ctx: ReviewContext, year: int) -> bool:
    """Ask for `review-year-{year}` in the caller's transaction (the start outbox); False when asked before."""
    offices = await city_office_ids(conn)
    attributes: dict[str, int | str] = {"ZcYear": year, "ZcStatus": "running"}
    if offices:
        attributes["ZcOffice"] = offices[0]
    workflow_input = {
        "year": year,
        "deadline": deadline_of(ctx, year).isoformat(),
        "warning_offsets_seconds": ctx.settings.review_year_warning_offsets_seconds,
        "recheck_seconds": ctx.settings.review_year_recheck_seconds,
    }
    return await request_start(
        conn, workflow_starts, WORKFLOW_NAME, workflow_id_for_year(year), workflow_input, attributes
    )


async def request_current_year(ctx: ReviewContext) -> None:
    """The current year's workflow (Asia/Shanghai) without waiting for its first session, for robustness;
    once the city office is known (org-service's events), so that it starts with its ZcOffice."""
    async with ctx.db.transaction() as conn:
        if await city_office_ids(conn):
            await request_review_year(conn, ctx, china_today(ctx.clock.now()).year)


async def start_requested(ctx: ReviewContext) -> int:
    return await start_pending(ctx.db, workflow_starts, ctx.temporal)


async def _signal_year(ctx: ReviewContext, year: int) -> None:
    """Wake the year's workflow sooner; it re-reads the service on its recheck timer anyway."""
    try:
        await ctx.temporal.signal(workflow_id_for_year(year), "session_changed")
    except Exception as exc:
        log.warning("cannot signal review-year-%s (it re-checks later): %s", year, exc)


async def session_voted(ctx: ReviewContext, session_id: str) -> None:
    """A session was tallied: if it was overdue, its year's workflow may stop waiting for it."""
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
    if session.overdue is not None:
        await _signal_year(ctx, session.year)


# -- the year's sessions ---------------------------------------------------------------------------


async def _year_sessions(conn: AsyncConnection, ctx: ReviewContext, year: int) -> list[tuple[Session, str]]:
    """Every session of `year` rebuilt from its stream, with its committee's organising office."""
    ids = (await conn.execute(select(sessions.c.session_id).where(sessions.c.year == year))).scalars()
    found = []
    for session_id in sorted(ids):
        session = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, session.committee_id)
        found.append((session, committee.organizing_org_id))
    return found


def _session_view(session: Session, organizing_org_id: str) -> YearSessionView:
    return YearSessionView(
        session_id=session.session_id,
        series=session.series,
        level=session.level,
        organizing_org_id=organizing_org_id,
        status=session.status,
        voted=session.tally is not None,
        overdue=session.overdue is not None,
        extended_until=session.extended_until,
        carried_over=session.carried_over is not None,
        application_ids=list(session.application_ids),
    )


def _pending(found: Sequence[tuple[Session, str]]) -> list[str]:
    return [s.session_id for s, _ in found if s.overdue is not None and unvoted(s)]


async def year_sessions(ctx: ReviewContext, year: int) -> YearSessionsView:
    async with ctx.db.read() as conn:
        found = await _year_sessions(conn, ctx, year)
    return YearSessionsView(
        year=year,
        deadline=deadline_of(ctx, year),
        sessions=[_session_view(s, org) for s, org in found],
        open_session_ids=[s.session_id for s, _ in found if unvoted(s)],
        pending_session_ids=_pending(found),
    )


async def issue_warning(ctx: ReviewContext, year: int, remaining_seconds: int, actor: str) -> WarningView:
    """One ReviewYearWarningIssued per offset (a retried call answers the first warning)."""

    async def action(uow: UnitOfWork) -> WarningView:
        conn = uow.conn
        state = ReviewYear.from_events(year, await ctx.store.load(conn, str(year)))
        found = await _year_sessions(conn, ctx, year)
        open_sessions = [(s.session_id, org) for s, org in found if unvoted(s)]
        warning = state.warn(remaining_seconds, deadline_of(ctx, year), open_sessions, await city_office_ids(conn))
        if warning is not None:
            await uow.append(REVIEW_YEAR, str(year), state.version, [warning])
        issued = warning or state.warnings[remaining_seconds]
        return WarningView.model_validate(issued.model_dump())

    return await execute(ctx, Metadata(actor), action, answer=WarningView)


async def mark_overdue(ctx: ReviewContext, year: int, actor: str) -> OverdueView:
    """At the deadline: SessionOverdue for every intermediate or senior session of the year not voted."""
    deadline = deadline_of(ctx, year)

    async def action(uow: UnitOfWork) -> OverdueView:
        review_year.check_year_over(year, ctx.clock.now(), deadline)
        found = await _year_sessions(uow.conn, ctx, year)
        for session, organizing_org_id in found:
            overdue = review_year.mark_overdue(session, deadline, organizing_org_id)
            if overdue is not None:
                await uow.append(SESSION, session.session_id, session.version, [overdue])
                session.apply(overdue)
        return OverdueView(
            year=year,
            deadline=deadline,
            overdue_session_ids=[s.session_id for s, _ in found if s.overdue is not None],
            pending_session_ids=_pending(found),
        )

    marked = await execute(ctx, Metadata(actor), action, answer=OverdueView)
    for session_id in marked.overdue_session_ids:  # the session's own workflow shows it (ZcStatus)
        await _signal_session(ctx, session_id, "overdue")
    return marked


async def _signal_session(ctx: ReviewContext, session_id: str, signal: str) -> None:
    """Tell a session's workflow it became overdue or was extended; repeating it changes nothing."""
    try:
        async with ctx.db.read() as conn:
            workflow_id = (await ctx.session(conn, session_id)).workflow_id
        await ctx.temporal.signal(workflow_id, signal)
    except Exception as exc:
        log.warning("cannot signal %s to the workflow of session %s: %s", signal, session_id, exc)


# -- the city office's decisions -------------------------------------------------------------------


async def _org(conn: AsyncConnection, org_id: str | None) -> Any:
    return (await conn.execute(select(organizations).where(organizations.c.org_id == (org_id or "")))).first()


async def require_city_office(conn: AsyncConnection, principal: Principal, *roles: Role) -> None:
    """The city title office (a title office of city level) with one of `roles`."""
    require_role(principal, *(roles or OFFICE_ROLES))
    org = await _org(conn, principal.org_id)
    if org is None or org.kind != "title_office" or org.level != "city":
        raise Forbidden(
            "not_city_title_office", "评审年度的延期、结转与归档由市职称改革工作办公室办理。", rule="SCHED-3"
        )


async def grant_extension(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    session_id: str,
    *,
    until: datetime,
    reason: str,
) -> ExtensionView:
    async def action(uow: UnitOfWork) -> ExtensionView:
        await require_city_office(uow.conn, principal)
        session = await ctx.session(uow.conn, session_id)
        committee = await ctx.committee(uow.conn, session.committee_id)
        granted = review_year.grant_extension(
            session,
            until=until,
            reason=reason,
            granted_by=principal.subject,
            organizing_org_id=committee.organizing_org_id,
            now=ctx.clock.now(),
            deadline=deadline_of(ctx, session.year),
        )
        await uow.append(SESSION, session_id, session.version, [granted])
        return ExtensionView(session_id=session_id, year=session.year, until=granted.until, reason=granted.reason)

    granted = await execute(ctx, Metadata(principal.subject), action, answer=ExtensionView, idempotent=idempotent)
    await _signal_session(ctx, session_id, "extended")
    await _signal_year(ctx, granted.year)
    return granted


async def carry_over(
    ctx: ReviewContext, principal: Principal, idempotent: Idempotency | None, session_id: str, *, reason: str
) -> CarriedOverView:
    """The candidates go back to the pool as pushed candidates of the next year; the session's own
    workflow, which waited for a vote that will not come, is cancelled, and the ballots cast in time,
    never to be counted, leave the private ballot box unopened (NAT-2)."""

    async def action(uow: UnitOfWork) -> CarriedOverView:
        conn = uow.conn
        await require_city_office(conn, principal)
        await ballot_box.lock(conn, session_id)
        session = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, session.committee_id)
        carried = review_year.carry_over(
            session,
            reason=reason,
            carried_by=principal.subject,
            organizing_org_id=committee.organizing_org_id,
            now=ctx.clock.now(),
            deadline=deadline_of(ctx, session.year),
        )
        await uow.append(SESSION, session_id, session.version, [carried])
        await ballot_box.discard(conn, session_id)  # NAT-2: ballots never counted leave no box behind
        await conn.execute(
            update(candidates)
            .where(candidates.c.session_id == session_id, candidates.c.application_id.in_(carried.application_ids))
            .values(year=carried.to_year, status="pushed", session_id=None)
        )
        return CarriedOverView(
            session_id=session_id,
            year=carried.year,
            to_year=carried.to_year,
            application_ids=carried.application_ids,
            reason=carried.reason,
        )

    carried = await execute(ctx, Metadata(principal.subject), action, answer=CarriedOverView, idempotent=idempotent)
    try:
        client = await ctx.temporal.client()
        async with ctx.db.read() as conn:
            workflow_id = (await ctx.session(conn, session_id)).workflow_id
        await client.get_workflow_handle(workflow_id).cancel()
    except Exception as exc:
        log.warning("cannot cancel the workflow of carried-over session %s: %s", session_id, exc)
    await _signal_year(ctx, carried.year)
    return carried


# -- the year's report and archive -----------------------------------------------------------------


async def _report_scope(conn: AsyncConnection, principal: Principal) -> str | None:
    """Title offices read the report: the city office the whole city (None), another its own subtree."""
    if principal.kind == "service":
        return None
    require_role(principal, *REPORT_ROLES)
    org = await _org(conn, principal.org_id)
    if org is None or org.kind != "title_office":
        raise Forbidden("not_title_office", "评审年度报告仅供职称改革工作办公室查阅。")
    return None if org.level == "city" else principal.org_path


async def report(ctx: ReviewContext, principal: Principal, year: int) -> YearReport:
    async with ctx.db.read() as conn:
        scope = await _report_scope(conn, principal)
        return await _report(conn, ctx, year, scope)


async def _report(conn: AsyncConnection, ctx: ReviewContext, year: int, scope: str | None) -> YearReport:
    paths: dict[str, str] = {}  # every candidate's employer path: the report's scope
    rows: dict[str, SeriesReport] = {}

    def row(series: str) -> SeriesReport:
        return rows.setdefault(series, SeriesReport(series=series))

    def covered(path: str | None) -> bool:
        return scope is None or (path or "").startswith(scope)

    found = await _year_sessions(conn, ctx, year)
    carried_ids = {a for s, _ in found if s.carried_over is not None for a in s.carried_over.application_ids}
    pool = select(candidates).where((candidates.c.year == year) | candidates.c.application_id.in_(carried_ids))
    in_session = {a for s, _ in found for a in s.application_ids}
    known = select(candidates.c.application_id, candidates.c.org_path).where(
        candidates.c.application_id.in_(in_session)
    )
    for application_id, org_path in (await conn.execute(known)).all():
        paths[application_id] = org_path
    for c in (await conn.execute(pool)).all():
        paths[c.application_id] = c.org_path
        if covered(c.org_path):
            r = row(c.series)
            r.pushed += 1
            r.filed_approved += c.filing == "approved"
            r.returned_by_province += c.filing == "returned"

    for session, _ in found:
        mine = [a for a in session.application_ids if covered(paths.get(a))]
        if not mine:
            continue
        r = row(session.series)
        r.sessions += 1
        if session.tally is not None:
            r.sessions_voted += 1
            results = [x for x in session.tally.results if x.application_id in mine]
            r.reviewed += len(results)
            r.passed += sum(1 for x in results if x.passed)
            r.failed += sum(1 for x in results if not x.passed)
        r.sessions_overdue += session.overdue is not None
        r.sessions_extended += bool(session.extensions)
        if session.carried_over is not None:
            r.sessions_carried_over += 1
            r.candidates_carried_over += len(mine)

    session_series = {s.session_id: s.series for s, _ in found}
    open_complaints = select(complaints.c.session_id, complaints.c.application_id).where(
        complaints.c.session_id.in_(list(session_series)), complaints.c.outcome.is_(None)
    )
    for session_id, application_id in (await conn.execute(open_complaints)).all():
        if covered(paths.get(application_id)):
            row(session_series[session_id]).complaints_open += 1

    issued = select(documents.c.payload, documents.c.org_path).where(documents.c.payload["year"].as_integer() == year)
    for payload, org_path in (await conn.execute(issued)).all():
        if covered(org_path):
            row(str(payload["series"])).documents_issued += 1

    by_series = [rows[s] for s in sorted(rows)]
    total = SeriesReport(series="合计")
    for name in SeriesReport.model_fields:
        if name != "series":
            setattr(total, name, sum(getattr(r, name) for r in by_series))
    return YearReport(
        year=year,
        deadline=deadline_of(ctx, year),
        generated_at=ctx.clock.now(),
        scope_org_path=scope,
        by_series=by_series,
        total=total,
    )


async def archive_of(ctx: ReviewContext, principal: Principal, year: int) -> Callable[[], AsyncIterator[bytes]]:
    """The city office's export of the year (checked before the first byte): JSON lines, one object each
    of the year, its applications, sessions, documents and report. Sessions carry tallies and counts
    only: no expert of the committee, of the attendance or of a ballot is ever named (NAT-2, NAT-4)."""
    async with ctx.db.read() as conn:
        await require_city_office(conn, principal, *REPORT_ROLES)

    async def lines() -> AsyncIterator[bytes]:
        async with ctx.db.read() as conn:
            yield _line({"kind": "review_year", "year": year, "deadline": deadline_of(ctx, year)})
            found = await _year_sessions(conn, ctx, year)
            carried = {a for s, _ in found if s.carried_over is not None for a in s.carried_over.application_ids}
            pool = (
                select(candidates)
                .where((candidates.c.year == year) | candidates.c.application_id.in_(carried))
                .order_by(candidates.c.application_id)
            )
            for c in (await conn.execute(pool)).all():
                yield _line(
                    {
                        "kind": "application",
                        "application_id": c.application_id,
                        "push_id": c.push_id,
                        "year": c.year,
                        "series": c.series,
                        "specialty": c.specialty,
                        "level": c.level,
                        "applicant_name": c.applicant_name,
                        "org_id": c.org_id,
                        "status": c.status,
                        "session_id": c.session_id,
                        "annotations": c.annotations,
                        "carried_over_from": year if c.application_id in carried else None,
                    }
                )
            for session, organizing_org_id in found:
                yield _line(_archived_session(session, organizing_org_id))
            issued = (
                select(documents).where(documents.c.payload["year"].as_integer() == year).order_by(documents.c.number)
            )
            for d in (await conn.execute(issued)).all():
                yield _line({"kind": "document", "issued_at": d.issued_at, **dict(d.payload)})
            yield _line({"kind": "report", **(await _report(conn, ctx, year, None)).model_dump(mode="json")})

    return lines


def _archived_session(session: Session, organizing_org_id: str) -> dict[str, Any]:
    tally = session.tally
    publicity = session.publicity
    outcomes: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in session.complaints.values():
        outcomes[c.application_id].append({"complaint_id": c.complaint_id, "outcome": c.outcome})
    return {
        "kind": "session",
        "session_id": session.session_id,
        "committee_id": session.committee_id,
        "year": session.year,
        "series": session.series,
        "level": session.level,
        "bound_by_review_year": is_bound(session.level),
        "organizing_org_id": organizing_org_id,
        "status": session.status,
        "application_ids": session.application_ids,
        "committee_size": len(session.expert_ids),
        "present": len(session.present_expert_ids or []),
        "ballots_cast": session.ballots_cast,
        "tally": None
        if tally is None
        else {"quorum_met": tally.quorum_met, "results": [r.model_dump() for r in tally.results]},
        "publicity": None
        if publicity is None
        else {
            "starts_at": publicity.publicity_starts_at,
            "ends_at": publicity.publicity_ends_at,
            "passed_application_ids": publicity.passed_application_ids,
        },
        "complaints": dict(outcomes),
        "overdue": session.overdue is not None,
        "extensions": [{"until": e.until, "reason": e.reason, "granted_by": e.granted_by} for e in session.extensions],
        "carried_over": None
        if session.carried_over is None
        else {"to_year": session.carried_over.to_year, "reason": session.carried_over.reason},
    }


def _line(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, default=_json_default) + "\n").encode()


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
