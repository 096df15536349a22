"""Use cases behind the HTTP API: load → decide → append, in one transaction each."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import ConcurrencyError, Conflict, Forbidden, not_found
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters import tables
from ..adapters.registries import empty_registries, integrity_entries_of, load_registries
from ..adapters.repository import (
    ApplicationRepository,
    Person,
    applicant_person,
    org_with_ancestors,
)
from ..context import Context
from ..domain import application as aggregate
from ..domain.application import Application
from ..domain.commands import AttestFacts, CreatePush, DecideApplication, PaperInput, Reviewer, SubmitApplication
from ..domain.eligibility import assessment
from ..domain.facts import default_employer, employer_fact_rows, fact_rows, policy_application
from ..domain.policy import evaluate
from ..domain.policy.expert import not_on_integrity_blacklist
from ..domain.push import plan_push, quota_pool_of
from ..domain.rules import (
    OrgNode,
    county_code,
    grassroots_track_allowed,
    not_in_future,
    published_not_in_future,
    pushing_org,
    review_chain,
    series_in_schedule,
)
from ..projections.applications import ApplicationView, view
from . import filings, recommendations, similarity
from .quotas import standings


@dataclass(frozen=True)
class Author:
    """Who acts: the applicant's account, name and org. The person the rules match (the ID-card number)
    is not in the token: it comes from the applicants projection (`applicant_person`)."""

    account_id: str
    name: str
    org_id: str


def to_command(content: Mapping[str, Any], author: Author) -> SubmitApplication:
    """A submission from its content (the API body, as JSON) and its author."""
    return SubmitApplication(
        applicant_id=author.account_id,
        applicant_name=author.name,
        org_id=author.org_id,
        year=content["year"],
        series=content["series"],
        specialty=content["specialty"],
        level=content["level"],
        track=content.get("track", "normal"),
        papers=[paper_input(p) for p in content.get("papers", [])],
        facts=dict(content.get("facts") or {}),
    )


def paper_input(p: Mapping[str, Any]) -> PaperInput:
    return PaperInput(
        title=p["title"],
        journal=p["journal"],
        journal_level=p["journal_level"],
        published_on=date.fromisoformat(str(p["published_on"])),
        authors=list(p["authors"]),
        text=p["text"],
        cn_number=p.get("cn_number"),
        issue_type=p.get("issue_type") or "regular",
        electronic=bool(p.get("electronic", False)),
        press_listed=p.get("press_listed"),
    )


async def validated(ctx: Context, cmd: SubmitApplication) -> SubmitApplication:
    """SCHED-1/2/4, and no date after today (papers, titles, certificates, qualifications, awards)."""
    schedule = await ctx.schedule(cmd.year)
    entry = series_in_schedule(schedule, cmd.series)
    grassroots_track_allowed(entry, cmd.track)
    today = china_today(ctx.clock.now())
    for i, paper in enumerate(cmd.papers):
        published_not_in_future(paper.published_on, today, f"papers.{i}.published_on")
    facts = cmd.facts
    if facts.get("current_title"):
        not_in_future(date.fromisoformat(facts["current_title"]["obtained_on"]), today, "current_title.obtained_on")
    for name in ("skill_certificates", "bridged_qualifications"):
        for i, item in enumerate(facts.get(name) or []):
            not_in_future(date.fromisoformat(item["obtained_on"]), today, f"{name}.{i}.obtained_on")
    for i, award in enumerate(facts.get("awards") or []):
        if award["year"] > today.year:
            not_in_future(date(award["year"], 1, 1), today, f"awards.{i}.year")
    return replace(cmd, series=entry.series)  # the schedule's spelling, which committees match on


async def _unit(conn: AsyncConnection, org_id: str) -> tuple[Any, dict[str, Any]]:
    orgs = await org_with_ancestors(conn, org_id)
    unit = orgs.get(org_id)
    # Org events arrive per key, not in global order: compute the chain only from a complete path.
    if unit is None or any(i not in orgs for i in unit.path.strip("/").split("/") if i):
        raise Conflict("organization_not_synced", "尚未获取到您所在单位的组织机构信息，请稍后重试。", field="org_id")
    return unit, orgs


@dataclass(frozen=True)
class EngineReport:
    """The engine's report (EligibilityReport.to_payload) and the employer facts it was given."""

    report: dict[str, Any]
    registered: list[dict[str, Any]]


async def engine_report(
    conn: AsyncConnection,
    ctx: Context,
    submitted: Mapping[str, Any],
    person: Person,
    *,
    facts: Mapping[str, Any],
    checks: Any = None,
    recommendation: Mapping[str, Any] | None = None,
) -> EngineReport:
    """The policy engine's report on `facts`, with the employer facts org-service owns: the org's kind,
    unit type and level (C1) and the applicant's on-staff status (C5)."""
    org = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id == submitted["org_id"]))).one()
    employer = default_employer(org.kind, org.level, org.name, org.unit_type)
    application = policy_application(
        submitted,
        person_id=person.id_card_number,
        employer=employer,
        on_staff=person.on_staff,
        checks=checks,
        facts=facts,
        recommendation=recommendation,
    )
    today = china_today(ctx.clock.now())
    params = await similarity.policy_parameters(ctx, conn, int(submitted["year"]))  # POL-PA-4's ratio of the year
    report = evaluate(
        application, await load_registries(conn), today, params=params, schedule=await ctx.schedule(submitted["year"])
    )
    declared = submitted.get("facts") or {}
    payload = report.to_payload() | {"empty_registries": await empty_registries(conn)}
    return EngineReport(payload, employer_fact_rows(declared, employer, person.on_staff))


async def assess(
    conn: AsyncConnection,
    ctx: Context,
    app_id: str,
    submitted: Mapping[str, Any],
    person: Person,
    recommendation: Mapping[str, Any] | None = None,
) -> DomainEvent:
    """The report on what was submitted (declared facts, and the expert recommendation requested while it
    was a draft), as EligibilityAssessed (same transaction)."""
    facts = dict(submitted.get("facts") or {})
    done = await engine_report(conn, ctx, submitted, person, facts=facts, recommendation=recommendation)
    rows = [*done.registered, *fact_rows(facts, [])]
    return assessment(app_id, done.report, trigger="submitted", basis="declared", facts=rows, previous=None)


async def reassess(
    conn: AsyncConnection, ctx: Context, app: Application, trigger: str, *, only_if_changed: bool = False
) -> list[DomainEvent]:
    """A late fact re-assesses an open application on its facts as they now stand (attested once the unit
    attested them), its recorded paper checks and org-service's employer facts."""
    if not app.is_open:
        return []
    person = await applicant_person(conn, app.submitted["applicant_id"])
    owned = await recommendations.owned(conn, app)  # POL-ER-1: what the system knows, never the declared
    done = await engine_report(
        conn, ctx, app.submitted, person, facts=app.engine_facts(), checks=app.checks, recommendation=owned
    )
    return app.assessed(done.report, trigger, registered=done.registered, only_if_changed=only_if_changed)


async def reassess_open(
    conn: AsyncConnection, ctx: Context, meta: Metadata, trigger: str, *, applicant_id: str | None = None
) -> int:
    """Every open application (or one applicant's) re-assessed after a registry change or a corrected
    staff status; a report is appended only where an outcome changed. Answers how many were."""
    a = tables.applications
    query = select(a.c.id).where(a.c.outcome.is_(None), a.c.status.not_in(("draft", "withdrawn")))
    if applicant_id is not None:
        query = query.where(a.c.applicant_id == applicant_id)
    repo = ApplicationRepository(conn, ctx.store)
    count = 0
    for application_id in (await conn.execute(query.order_by(a.c.id))).scalars().all():
        app = await repo.get(application_id)
        new_events = await reassess(conn, ctx, app, trigger, only_if_changed=True)
        count += bool(await repo.append(app, new_events, meta))
    return count


async def _integrity(conn: AsyncConnection, ctx: Context, applicant_id: str) -> Person:
    """The person behind the account, refused while an entry of the integrity file (by ID-card number or
    account) is in force, naming the entry's rule."""
    person = await applicant_person(conn, applicant_id)
    for entry in await integrity_entries_of(conn, person.id_card_number, applicant_id):
        not_on_integrity_blacklist(entry, china_today(ctx.clock.now()))
    return person


async def _submission_events(
    conn: AsyncConnection,
    ctx: Context,
    application_id: str,
    cmd: SubmitApplication,
    draft: Application | None = None,
) -> list[DomainEvent]:
    person = await _integrity(conn, ctx, cmd.applicant_id)
    unit, orgs = await _unit(conn, cmd.org_id)
    new_events = aggregate.submit(
        application_id,
        cmd,
        org_path=unit.path,
        county_code=county_code(unit, orgs),
        chain=review_chain(unit, orgs),
        paper_ids=[str(uuid.uuid4()) for _ in cmd.papers],
    )
    owned = await recommendations.owned(conn, draft) if draft is not None else None
    submitted = new_events[0].model_dump(mode="json")
    return [*new_events, await assess(conn, ctx, application_id, submitted, person, owned)]


async def _view(conn: AsyncConnection, app_id: str) -> ApplicationView:
    return view((await conn.execute(select(tables.applications).where(tables.applications.c.id == app_id))).one())


async def one_application_per_series(
    conn: AsyncConnection, account_id: str, year: int, series: str, *, other_than: str | None = None
) -> None:
    """One application of a person per year and series (finding 22): a second one — a double click, a
    retry without an Idempotency-Key, a draft edited into a series already applied for — is refused
    with 409 naming the existing application. A withdrawn application does not count. A transaction
    lock on (person, year, series) makes two concurrent submissions wait for each other; the unique
    index `applications_one_per_series` is the last word."""
    key = f"application:{account_id}:{year}:{series}"
    await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    t = tables.applications
    query = select(t.c.id).where(
        t.c.applicant_id == account_id, t.c.year == year, t.c.series == series, t.c.status != "withdrawn"
    )
    if other_than is not None:
        query = query.where(t.c.id != other_than)
    existing = (await conn.execute(query.limit(1))).scalar()
    if existing is not None:
        raise Conflict(
            "application_exists",
            f"您已有{year}年度{series}的申报（含草稿），不能重复申报；如需修改，请编辑或撤回原申报。",
            field="series",
            extra={"application_id": existing},
        )


async def create_application(
    ctx: Context,
    content: dict[str, Any],
    author: Author,
    *,
    submit: bool = True,
    idempotent: Idempotency | None = None,
) -> ApplicationView:
    """A submission (ApplicationSubmitted, PaperCheckRequested…, EligibilityAssessed) or a draft; a retry
    with the same Idempotency-Key answers with the first application instead of creating another."""
    cmd = await validated(ctx, to_command(content, author))
    content = {**content, "series": cmd.series}
    application_id = str(uuid.uuid4())

    async def act(uow: UnitOfWork) -> ApplicationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = Application(application_id)
        if submit:
            new_events = await _submission_events(uow.conn, ctx, application_id, cmd)
        else:
            unit, _ = await _unit(uow.conn, cmd.org_id)
            header = {
                "applicant_id": author.account_id,
                "applicant_name": author.name,
                "org_id": author.org_id,
                "org_path": unit.path,
            }
            new_events = aggregate.draft(application_id, header, content)
        # After the rules' refusals (NAT-8, POL-ER-3 name the person's standing first), before the append.
        await one_application_per_series(uow.conn, author.account_id, cmd.year, cmd.series)
        await repo.append(app, new_events, uow.meta)
        return await _view(uow.conn, app.id)

    return await execute(ctx, Metadata(actor=author.account_id), act, answer=ApplicationView, idempotent=idempotent)


async def edit(
    ctx: Context, application_id: str, content: dict[str, Any], author: Author, expected_version: int | None = None
) -> ApplicationView:
    """A draft or a returned application edited; at `expected_version` when the client pinned the version
    it saw (someone — the applicant in another window — edited it since: 409 concurrent_modification)."""
    cmd = await validated(ctx, to_command(content, author))
    content = {**content, "series": cmd.series}

    async def act(uow: UnitOfWork) -> ApplicationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        edited = app.edit(author.account_id, content)  # first: only its applicant may edit it (404/403)
        if expected_version is not None and expected_version != app.version:
            raise ConcurrencyError(app.id, expected_version)
        await one_application_per_series(uow.conn, author.account_id, cmd.year, cmd.series, other_than=application_id)
        await repo.append(app, edited, uow.meta)
        return await _view(uow.conn, app.id)

    meta = Metadata(actor=author.account_id)
    return await execute(ctx, meta, act, answer=ApplicationView, retry_conflicts=expected_version is None)


async def submit_existing(ctx: Context, application_id: str, author: Author) -> ApplicationView:
    """A draft is submitted; an application returned for correction is resubmitted (to the unit)."""

    async def act(uow: UnitOfWork) -> ApplicationView:
        conn = uow.conn
        repo = ApplicationRepository(conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists:
            raise not_found("申报", "application_not_found", application_id)
        if app.submitted.get("applicant_id") != author.account_id:
            raise Forbidden("not_applicant", "只有申报人本人可以办理此事项。")
        if app.status == "draft" and app.content is not None:
            cmd = await validated(ctx, to_command(app.content, author))
            new_events = await _submission_events(conn, ctx, app.id, cmd, draft=app)
        else:
            await _integrity(conn, ctx, author.account_id)
            papers = [paper_input(p) for p in (app.content or {}).get("papers", [])] if app.edited_since_return else []
            new_events = app.resubmit(author.account_id, [str(uuid.uuid4()) for _ in papers], papers)
            if app.edited_since_return and app.content is not None:
                await validated(ctx, to_command(app.content, author))
            await repo.append(app, new_events, uow.meta)
            new_events = await reassess(conn, ctx, app, "resubmitted")
        await repo.append(app, new_events, uow.meta)
        return await _view(conn, app.id)

    return await execute(ctx, Metadata(actor=author.account_id), act, answer=ApplicationView)


async def withdraw(ctx: Context, application_id: str, reason: str, author: Author) -> ApplicationView:
    async def act(uow: UnitOfWork) -> ApplicationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        await repo.append(app, app.withdraw(author.account_id, reason), uow.meta)
        return await _view(uow.conn, app.id)

    return await execute(ctx, Metadata(actor=author.account_id), act, answer=ApplicationView)


async def start_publicity(
    ctx: Context, application_id: str, reviewer: Reviewer, starts_on: date | None, expected_version: int | None
) -> ApplicationView:
    """NAT-5: the unit records the start of its internal publicity (today unless given; not in the future)."""
    now = ctx.clock.now()
    today = china_today(now)
    day = starts_on or today
    not_in_future(day, today, "starts_on")

    async def act(uow: UnitOfWork) -> ApplicationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists:
            raise not_found("申报", "application_not_found", application_id)
        new_events = app.start_publicity(reviewer, day, now)  # who may record it, before the version
        if expected_version is not None and expected_version != app.version:
            raise ConcurrencyError(app.id, expected_version)
        await repo.append(app, new_events, uow.meta)
        return await _view(uow.conn, app.id)

    meta = Metadata(actor=reviewer.account_id)
    return await execute(ctx, meta, act, answer=ApplicationView, retry_conflicts=expected_version is None)


async def decide(ctx: Context, cmd: DecideApplication) -> ApplicationView:
    """A step of the chain decides at the version its reviewer saw (a conflict is the client's 409)."""
    now = ctx.clock.now()

    async def act(uow: UnitOfWork) -> ApplicationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(cmd.application_id)
        if not app.exists or app.status == "draft":
            raise not_found("申报", "application_not_found", cmd.application_id)
        decision = cmd
        if app.needs_attestation(cmd):
            # Approving at the unit confirms what was declared: FactsAttested, the report on attested
            # facts, then the approval judged on that report (one transaction: all or nothing).
            await repo.append(app, app.confirmed_by_approval(cmd), uow.meta)
            await repo.append(app, await reassess(uow.conn, ctx, app, "facts_attested"), uow.meta)
            decision = replace(cmd, expected_version=app.version)
        new_events = app.decide(decision, now=now, publicity=ctx.unit_publicity())
        await repo.append(app, new_events, uow.meta)
        return await _view(uow.conn, app.id)

    meta = Metadata(actor=cmd.reviewer.account_id)
    return await execute(ctx, meta, act, answer=ApplicationView, retry_conflicts=False)


async def attest(ctx: Context, cmd: AttestFacts) -> ApplicationView:
    """The unit's reviewer confirms or corrects the declared facts (FactsAttested); the engine then
    re-assesses the application on the attested facts (EligibilityAssessed, trigger "facts_attested")."""

    async def act(uow: UnitOfWork) -> ApplicationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(cmd.application_id)
        if not app.exists or app.status == "draft":
            raise not_found("申报", "application_not_found", cmd.application_id)
        await repo.append(app, app.attest(cmd), uow.meta)
        await repo.append(app, await reassess(uow.conn, ctx, app, "facts_attested"), uow.meta)
        return await _view(uow.conn, app.id)

    meta = Metadata(actor=cmd.reviewer.account_id)
    return await execute(ctx, meta, act, answer=ApplicationView, retry_conflicts=cmd.expected_version is None)


class AttachmentAdded(BaseModel):
    attachment_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str


async def check_attachment(ctx: Context, application_id: str, uploader: Reviewer) -> None:
    """Before an upload is stored: may `uploader` add a file to the application now (finding 26)?"""
    async with ctx.db.read() as conn:
        app = await ApplicationRepository(conn, ctx.store).get(application_id)
    if not app.exists:
        raise not_found("申报", "application_not_found", application_id)
    app.check_attachment(uploader)


async def add_attachment(
    ctx: Context, application_id: str, attachment: AttachmentAdded, uploader: Reviewer
) -> AttachmentAdded:
    async def act(uow: UnitOfWork) -> AttachmentAdded:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists:
            raise not_found("申报", "application_not_found", application_id)
        await repo.append(app, app.add_attachment(attachment.model_dump(), uploader), uow.meta)
        return attachment

    return await execute(ctx, Metadata(actor=uploader.account_id), act, answer=AttachmentAdded)


class QuotaUseOut(BaseModel):
    """One unit's pool in a push: its recorded quota (null: none recorded, "未录入指标"), what earlier
    pushes used, the applications this push counts, and a note in Chinese."""

    org_id: str
    pool: str
    application_ids: list[str]
    quota: int | None
    used_before: int
    note: str


class PushCreated(BaseModel):
    id: str
    push_id: str
    year: int
    series: str
    level: str
    office_org_id: str
    application_ids: list[str]
    status: str
    quota: list[QuotaUseOut] = Field(default_factory=list)


async def create_push(ctx: Context, cmd: CreatePush, idempotent: Idempotency | None = None) -> PushCreated:
    """SCHED-1 and the pushed applications in one transaction; a retry with the same Idempotency-Key
    answers with the first batch instead of pushing again."""
    push_id = str(uuid.uuid4())
    schedule = await ctx.schedule(cmd.year)
    series = series_in_schedule(schedule, cmd.series).series

    async def act(uow: UnitOfWork) -> PushCreated:
        row = (await uow.conn.execute(select(tables.orgs).where(tables.orgs.c.id == cmd.office_org_id))).first()
        office = pushing_org(OrgNode(row.id, row.kind, row.path, row.level) if row else None)
        scoped = replace(cmd, office_org_path=office.path)
        repo = ApplicationRepository(uow.conn, ctx.store)
        apps = {a: await repo.get(a) for a in dict.fromkeys(scoped.application_ids)}
        pools = {(a.submitted["org_id"], quota_pool_of(a)) for a in apps.values() if a.exists}
        quotas = await standings(uow.conn, cmd.year, series, cmd.level, pools)
        plan = plan_push(scoped, push_id, apps, schedule, ctx.clock.now(), quotas)
        await repo.append_push(push_id, plan.batch, uow.meta)
        await filings.request_filing(ctx, uow.conn, plan.batch, office.path)  # POL-FI-1
        for application_id, new_events in plan.pushed.items():
            await repo.append(apps[application_id], new_events, uow.meta)
        quota = [QuotaUseOut(**vars(use)) for use in plan.quota]
        return PushCreated(id=push_id, **plan.batch.model_dump(mode="json"), status="pushed", quota=quota)

    return await execute(ctx, Metadata(actor=cmd.pusher_id), act, answer=PushCreated, idempotent=idempotent)


class ExternalReportRecorded(BaseModel):
    """The employer's report as recorded, with the POL-PA-4 decision and the limit it was judged by."""

    report_id: str
    paper_id: str
    provider: str
    report_number: str
    copy_ratio: float
    attested: bool
    sha256: str
    size: int
    uploaded_by: str
    decision: str
    threshold: float | None  # None: the registries do not know the journal's level (POL-PA-4)


async def check_external_report(ctx: Context, application_id: str, paper_id: str) -> None:
    """Before the report's file is stored: may the employer's report stand in for this paper's check?"""
    async with ctx.db.read() as conn:
        app = await ApplicationRepository(conn, ctx.store).get(application_id)
    if not app.exists:
        raise not_found("申报", "application_not_found", application_id)
    app.check_external_report(paper_id)


async def record_external_report(
    ctx: Context, application_id: str, paper_id: str, report: dict[str, Any], actor: str
) -> ExternalReportRecorded:
    """POL-PA-4: the employer's sealed report for a paper outside the corpus becomes the paper's check."""

    async def act(uow: UnitOfWork) -> ExternalReportRecorded:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists:
            raise not_found("申报", "application_not_found", application_id)
        paper = next((p for p in app.submitted.get("papers", []) if p.get("paper_id") == paper_id), None)
        ratio, level = await similarity.judging(ctx, uow.conn, int(app.submitted.get("year") or 0), paper)
        new_events = app.record_external_report(paper_id, report, ratio=ratio, journal_level=level)
        await repo.append(app, new_events, uow.meta)
        await repo.append(app, await reassess(uow.conn, ctx, app, "paper_checked"), uow.meta)
        recorded = new_events[-1].model_dump(mode="json")
        return ExternalReportRecorded(
            **report, paper_id=paper_id, decision=recorded["decision"], threshold=recorded["threshold"]
        )

    return await execute(ctx, Metadata(actor=actor), act, answer=ExternalReportRecorded)
