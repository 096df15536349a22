"""Use cases of the push windows (SCHED-1): each series' window of a year, opened when the city office
publishes the year's schedule (with the start of its PushWindowWorkflow requested in the same
transaction), its reminders and its close — the steps the workflow drives through the internal API,
each idempotent — and the title offices' view of a year's windows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, InvalidInput, NotFound
from zhicheng_kernel.unit_of_work import UnitOfWork, execute
from zhicheng_kernel.workflow_starts import request_start

from ..adapters import tables
from ..context import Context
from ..domain import events as ev
from ..domain.push_window import (
    UNFINISHED_STATUSES,
    Holders,
    PublishedWindow,
    Unfinished,
    closes_at_as_published,
    holders,
    is_open,
)

log = logging.getLogger(__name__)

WORKFLOW = "PushWindowWorkflow"
SCHEDULE_CHANGED = "schedule_changed"
pw = tables.push_windows


def workflow_id(year: int, series: str) -> str:
    return f"push-window-{year}-{series}"


def stream_id(year: int, series: str) -> str:
    return f"{year}:{series}"


# -- answers --------------------------------------------------------------------------------------------


class WindowState(BaseModel):
    """A window as the workflow re-reads it each time it wakes."""

    year: int
    series: str
    push_month: int
    closes_at: datetime
    in_schedule: bool
    closed: bool
    # The reminder offsets (seconds before `closes_at`) already issued for this close.
    reminders_issued: list[int]


class ReminderIssued(BaseModel):
    """A reminder of a window; `issued` is false when the window was withdrawn or closed meanwhile."""

    year: int
    series: str
    closes_at: datetime
    remaining_seconds: int
    issued: bool
    office_org_ids: list[str]
    holder_org_ids: list[str]
    unfinished_count: int


class WindowClosed(BaseModel):
    """What the close of a window recorded."""

    year: int
    series: str
    closes_at: datetime
    pushed_count: int
    left_behind_count: int
    left_behind_by_org: dict[str, int]
    office_org_ids: list[str]


class ReminderView(BaseModel):
    remaining_seconds: int
    issued_at: datetime
    unfinished_count: int


class LeftBehind(BaseModel):
    org_id: str
    org_name: str
    count: int


class WindowView(BaseModel):
    series: str
    push_month: int
    closes_at: datetime
    status: Literal["open", "closed", "withdrawn"]
    reminders: list[ReminderView]
    pushed_count: int | None
    left_behind_count: int | None
    # Only the orgs of the caller's subtree.
    left_behind_by_org: list[LeftBehind]


class YearWindows(BaseModel):
    year: int
    windows: list[WindowView]


# -- publication ------------------------------------------------------------------------------------------


async def city_office_id(conn: AsyncConnection) -> str | None:
    o = tables.orgs
    query = select(o.c.id).where(o.c.kind == "title_office", o.c.level == "city").order_by(o.c.path).limit(1)
    return (await conn.execute(query)).scalar_one_or_none()


async def windows_published(
    conn: AsyncConnection, ctx: Context, year: int, entries: Sequence[dict[str, Any]], now: datetime
) -> list[str]:
    """SCHED-1: in the transaction that publishes `year`'s schedule, each series' window is (re)computed;
    a window still open gets its PushWindowWorkflow requested (a closed one gets none), and a series
    no longer in the schedule is withdrawn. Returns the ids of the workflows to tell (a changed close
    or a withdrawal), to be signalled once the transaction committed."""
    rows = (await conn.execute(select(pw).where(pw.c.year == year))).all()
    existing = {r.series: PublishedWindow(r.year, r.series, r.push_month, r.closes_at, r.in_schedule) for r in rows}
    office = await city_office_id(conn)
    config = ctx.push_windows
    changed: list[str] = []
    for entry in entries:
        series, month = str(entry["series"]), int(entry["push_month"])
        previous = existing.get(series)
        closes_at = closes_at_as_published(year, month, now, config.compressed_seconds, previous)
        values = {"push_month": month, "closes_at": closes_at, "in_schedule": True, "published_at": now}
        await conn.execute(
            insert(pw)
            .values(year=year, series=series, **values)
            .on_conflict_do_update(index_elements=[pw.c.year, pw.c.series], set_=values)
        )
        if previous is not None and (previous.closes_at != closes_at or not previous.in_schedule):
            changed.append(workflow_id(year, series))
        if is_open(closes_at, now):
            workflow_input = {
                "year": year,
                "series": series,
                "closes_at": closes_at.isoformat(),
                "reminder_offsets_seconds": list(config.reminder_offsets_seconds),
                "recheck_seconds": config.recheck_seconds,
            }
            attributes: dict[str, int | str] = {
                "ZcYear": year,
                "ZcSeries": series,
                "ZcStatus": "open",
                "ZcOffice": office or "",
            }
            wid = workflow_id(year, series)
            await request_start(conn, tables.workflow_starts, WORKFLOW, wid, workflow_input, attributes)
    named = {str(e["series"]) for e in entries}
    for series, window in existing.items():
        if series not in named and window.in_schedule:
            await conn.execute(
                update(pw).where(pw.c.year == year, pw.c.series == series).values(in_schedule=False, published_at=now)
            )
            changed.append(workflow_id(year, series))
    return changed


async def tell_workflows(ctx: Context, workflow_ids: Sequence[str]) -> None:
    """Wake the workflows whose window changed; a lost signal only delays them until their recheck."""
    if ctx.temporal is None:
        return
    for wid in workflow_ids:
        try:
            await ctx.temporal.signal(wid, SCHEDULE_CHANGED)
        except Exception as exc:
            log.info("workflow %s not signalled (%s); it re-reads its window at its recheck", wid, exc)


# -- the workflow's steps ------------------------------------------------------------------------------------


async def _window(conn: AsyncConnection, year: int, series: str) -> Any:
    row = (await conn.execute(select(pw).where(pw.c.year == year, pw.c.series == series))).first()
    if row is None:
        raise NotFound("push_window_not_found", f"{year}年度推送时间安排中没有“{series}”。", field="series")
    return row


def _issued_offsets(row: Any) -> list[int]:
    closes_at = row.closes_at.isoformat()
    return sorted({int(r["remaining_seconds"]) for r in row.reminders if r["closes_at"] == closes_at})


async def read_window(ctx: Context, year: int, series: str) -> WindowState:
    async with ctx.db.read() as conn:
        row = await _window(conn, year, series)
    return WindowState(
        year=year,
        series=series,
        push_month=row.push_month,
        closes_at=row.closes_at,
        in_schedule=row.in_schedule,
        closed=row.closed_at is not None,
        reminders_issued=_issued_offsets(row),
    )


async def _holders(conn: AsyncConnection, year: int, series: str) -> Holders:
    a = tables.applications
    query = select(a.c.id, a.c.status, a.c.chain, a.c.current_step).where(
        a.c.year == year, a.c.series == series, a.c.push_id.is_(None), a.c.status.in_(sorted(UNFINISHED_STATUSES))
    )
    apps = [Unfinished(r.id, r.status, r.chain, r.current_step) for r in (await conn.execute(query)).all()]
    return holders(apps, await city_office_id(conn))


async def issue_reminder(ctx: Context, year: int, series: str, remaining_seconds: int, actor: str) -> ReminderIssued:
    """SCHED-1: a reminder `remaining_seconds` before the window's close, naming the title offices and the
    units and departments that still hold unfinished applications of the series and year. One event
    per reminder instant of the current close: asked again, it answers what it issued the first time."""

    async def act(uow: UnitOfWork) -> ReminderIssued:
        row = await _window(uow.conn, year, series)
        stream = await uow.load(stream_id(year, series))
        for envelope in stream.events:
            p = envelope.payload
            if (
                envelope.event_type == ev.PushWindowReminderIssued.event_type
                and p["remaining_seconds"] == remaining_seconds
                and datetime.fromisoformat(p["closes_at"]) == row.closes_at
            ):
                return ReminderIssued(**{k: p[k] for k in ReminderIssued.model_fields if k in p}, issued=True)
        found = await _holders(uow.conn, year, series)
        if not row.in_schedule or row.closed_at is not None or not is_open(row.closes_at, ctx.clock.now()):
            return ReminderIssued(
                year=year,
                series=series,
                closes_at=row.closes_at,
                remaining_seconds=remaining_seconds,
                issued=False,
                office_org_ids=found.office_org_ids,
                holder_org_ids=found.holder_org_ids,
                unfinished_count=found.unfinished_count,
            )
        event = ev.PushWindowReminderIssued(
            year=year,
            series=series,
            push_month=row.push_month,
            closes_at=row.closes_at,
            remaining_seconds=remaining_seconds,
            office_org_ids=found.office_org_ids,
            holder_org_ids=found.holder_org_ids,
            unfinished_count=found.unfinished_count,
        )
        stored = await uow.append(ev.PUSH_WINDOW_STREAM, stream_id(year, series), stream.version, [event])
        record = {
            "remaining_seconds": remaining_seconds,
            "closes_at": row.closes_at.isoformat(),
            "issued_at": stored[-1].occurred_at.isoformat(),
            "unfinished_count": found.unfinished_count,
        }
        await uow.conn.execute(
            update(pw).where(pw.c.year == year, pw.c.series == series).values(reminders=[*row.reminders, record])
        )
        return ReminderIssued(**event.model_dump(include=set(ReminderIssued.model_fields)), issued=True)

    return await execute(ctx, Metadata(actor=actor), act, answer=ReminderIssued)


async def close_window(ctx: Context, year: int, series: str, actor: str) -> WindowClosed:
    """SCHED-1: at the close of a series' window, record what was pushed and what was left behind, by the
    org holding it. Refused (409, retried by the workflow) before the close by this service's clock;
    asked again, it answers what it recorded the first time."""

    async def act(uow: UnitOfWork) -> WindowClosed:
        row = await _window(uow.conn, year, series)
        stream = await uow.load(stream_id(year, series))
        for envelope in stream.events:
            if envelope.event_type == ev.PushWindowClosed.event_type:
                return WindowClosed.model_validate(envelope.payload)
        if not row.in_schedule:
            raise InvalidInput(
                "push_window_withdrawn", f"“{series}”已不在{year}年度推送时间安排中。", field="series", rule="SCHED-1"
            )
        now = ctx.clock.now()
        if is_open(row.closes_at, now):
            raise Conflict(
                "push_window_still_open",
                f"{year}年度“{series}”的推送期尚未结束。",
                field="series",
                rule="SCHED-1",
                extra={"closes_at": row.closes_at.isoformat()},
            )
        a = tables.applications
        pushed = await uow.conn.execute(
            select(func.count()).where(a.c.year == year, a.c.series == series, a.c.push_id.is_not(None))
        )
        found = await _holders(uow.conn, year, series)
        event = ev.PushWindowClosed(
            year=year,
            series=series,
            push_month=row.push_month,
            closes_at=row.closes_at,
            pushed_count=int(pushed.scalar_one()),
            left_behind_count=found.unfinished_count,
            left_behind_by_org=found.by_org,
            office_org_ids=found.office_org_ids,
        )
        await uow.append(ev.PUSH_WINDOW_STREAM, stream_id(year, series), stream.version, [event])
        await uow.conn.execute(
            update(pw)
            .where(pw.c.year == year, pw.c.series == series)
            .values(
                closed_at=now,
                pushed_count=event.pushed_count,
                left_behind_count=event.left_behind_count,
                left_behind_by_org=event.left_behind_by_org,
            )
        )
        return WindowClosed.model_validate(event.model_dump())

    return await execute(ctx, Metadata(actor=actor), act, answer=WindowClosed)


# -- the title offices' view -------------------------------------------------------------------------------------


async def year_windows(ctx: Context, year: int, principal: Principal) -> YearWindows:
    """Each series' window of the year; what was left behind only for the orgs of the caller's subtree."""
    now = ctx.clock.now()
    o = tables.orgs
    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(pw).where(pw.c.year == year).order_by(pw.c.closes_at, pw.c.series))).all()
        held = {org for r in rows for org in (r.left_behind_by_org or {})}
        orgs = {r.id: r for r in (await conn.execute(select(o).where(o.c.id.in_(sorted(held))))).all()}
    windows = []
    for r in rows:
        status: Literal["open", "closed", "withdrawn"] = (
            "withdrawn" if not r.in_schedule else "closed" if r.closed_at or not is_open(r.closes_at, now) else "open"
        )
        by_org = [
            LeftBehind(org_id=org_id, org_name=orgs[org_id].name, count=count)
            for org_id, count in sorted((r.left_behind_by_org or {}).items())
            if org_id in orgs and principal.covers(orgs[org_id].path)
        ]
        windows.append(
            WindowView(
                series=r.series,
                push_month=r.push_month,
                closes_at=r.closes_at,
                status=status,
                reminders=[ReminderView.model_validate(x) for x in r.reminders],
                pushed_count=r.pushed_count,
                left_behind_count=r.left_behind_count,
                left_behind_by_org=by_org,
            )
        )
    return YearWindows(year=year, windows=windows)
