"""Use cases behind the HTTP API: load → decide → append, in one transaction each."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from zhicheng_kernel.envelope import Metadata

from ..adapters import tables
from ..adapters.repository import ApplicationRepository, applicants_on_staff, org_with_ancestors
from ..domain import application as aggregate
from ..domain.application import Application
from ..domain.commands import CreatePush, DecideApplication, SubmitApplication
from ..domain.errors import Conflict, Forbidden, NotFound
from ..domain.push import plan_push
from ..domain.rules import (
    county_code,
    grassroots_track_allowed,
    published_not_in_future,
    review_chain,
    series_in_schedule,
    today_in_shanghai,
)
from ..projections.applications import view
from .context import Context


async def submit_application(ctx: Context, cmd: SubmitApplication, actor: str) -> dict[str, Any]:
    schedule = await ctx.schedule(cmd.year)
    entry = series_in_schedule(schedule, cmd.series)
    grassroots_track_allowed(entry, cmd.track)
    today = today_in_shanghai(ctx.clock.now())
    for i, paper in enumerate(cmd.papers):
        published_not_in_future(paper.published_on, today, f"papers.{i}.published_on")
    cmd = replace(cmd, series=entry.series)  # the schedule's spelling, which committees match on
    application_id = str(uuid.uuid4())
    async with ctx.db.transaction() as conn:
        orgs = await org_with_ancestors(conn, cmd.org_id)
        unit = orgs.get(cmd.org_id)
        # Org events arrive per key, not in global order: compute the chain only from a complete path.
        if unit is None or any(i not in orgs for i in unit.path.strip("/").split("/") if i):
            raise Conflict(
                "organization_not_synced", "尚未获取到您所在单位的组织机构信息，请稍后重试。", field="org_id"
            )
        chain = review_chain(unit, orgs)
        new_events = aggregate.submit(
            application_id,
            cmd,
            org_path=unit.path,
            county_code=county_code(unit, orgs),
            chain=chain,
            paper_ids=[str(uuid.uuid4()) for _ in cmd.papers],
        )
        repo = ApplicationRepository(conn, ctx.store)
        app = Application(application_id)
        await repo.append(app, new_events, Metadata(actor=actor))
        row = (await conn.execute(select(tables.applications).where(tables.applications.c.id == app.id))).one()
    return view(row)


async def decide(ctx: Context, cmd: DecideApplication) -> dict[str, Any]:
    async with ctx.db.transaction() as conn:
        repo = ApplicationRepository(conn, ctx.store)
        app = await repo.get(cmd.application_id)
        if not app.exists:
            raise NotFound("application_not_found", "申报不存在。")
        await repo.append(app, app.decide(cmd), Metadata(actor=cmd.reviewer.account_id))
        row = (await conn.execute(select(tables.applications).where(tables.applications.c.id == app.id))).one()
    return view(row)


async def create_push(ctx: Context, cmd: CreatePush) -> dict[str, Any]:
    push_id = str(uuid.uuid4())
    schedule = await ctx.schedule(cmd.year)
    async with ctx.db.transaction() as conn:
        office = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id == cmd.office_org_id))).first()
        if office is None or office.kind != "title_office":
            raise Forbidden("not_title_office", "只有职称改革办公室可以向评委会推送申报。")
        cmd = replace(cmd, office_org_path=office.path)
        repo = ApplicationRepository(conn, ctx.store)
        apps = {a: await repo.get(a) for a in dict.fromkeys(cmd.application_ids)}
        on_staff = await applicants_on_staff(conn, [a.submitted["applicant_id"] for a in apps.values() if a.exists])
        plan = plan_push(cmd, push_id, apps, schedule, ctx.clock.now(), on_staff)
        meta = Metadata(actor=cmd.pusher_id)
        await repo.append_push(push_id, plan.batch, meta)
        for application_id, new_events in plan.pushed.items():
            await repo.append(apps[application_id], new_events, meta)
    return {"id": push_id, **plan.batch.payload, "status": "pushed"}
