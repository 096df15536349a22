"""Use cases of the registries: record, remove, import (CSV/Excel), export, publish a schedule.

Each change is one event on the registry's stream, projected into the tables in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import ConcurrencyError, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters import registries as store
from ..adapters import spreadsheets, tables
from ..context import Context
from ..domain import events as ev
from ..domain.registry_specs import REGISTRIES, SCHEDULE, RegistrySpec
from ..domain.schedule import SCHEDULE_2021
from .commands import reassess_open
from .push_windows import tell_workflows, windows_published


def spec_of(name: str) -> RegistrySpec:
    spec = REGISTRIES.get(name)
    if spec is None:
        raise NotFound("registry_not_found", f"没有名为“{name}”的名录。", extra={"registries": sorted(REGISTRIES)})
    return spec


async def require_city_office(ctx: Context, org_id: str | None, rule: str | None = None) -> None:
    """Registries are the city office's: `title_office_review` at the city-level 职改办."""
    async with ctx.db.read() as conn:
        org = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id == (org_id or "")))).first()
    if org is None or org.kind != "title_office" or org.level != "city":
        raise Forbidden(
            "not_city_title_office", "名录和推送时间安排由市职称改革办公室维护。", field="org_id", rule=rule
        )


class Recorded(BaseModel):
    """The registry's or schedule's stream version after the change."""

    version: int


async def _append(ctx: Context, stream_id: str, new_event: DomainEvent, actor: str) -> dict[str, Any]:
    """One change through the unit of work: appended after the stream's head and projected at once."""

    async def act(uow: UnitOfWork) -> Recorded:
        version = await store.stream_version(uow.conn, stream_id)
        stored = await uow.append(ev.REGISTRY_STREAM, stream_id, version, [new_event])
        await store.project(uow.conn, stored)
        await reassess_open(uow.conn, ctx, uow.meta, "registry_changed")  # a late fact for open applications
        return Recorded(version=stored[-1].version)

    return (await execute(ctx, Metadata(actor=actor), act, answer=Recorded)).model_dump()


async def import_entries(
    ctx: Context, spec: RegistrySpec, entries: list[dict[str, Any]], mode: str, source: str, actor: str
) -> dict[str, Any]:
    event = ev.RegistryEntriesImported(
        registry=spec.name, mode=mode, source=source, count=len(entries), entries=entries
    )
    result = await _append(ctx, store.registry_stream(spec.name), event, actor)
    return {"registry": spec.name, "mode": mode, "imported": len(entries), **result}


async def record_entry(ctx: Context, spec: RegistrySpec, cells: dict[str, Any], actor: str) -> dict[str, Any]:
    entry = spec.parse_entry({k: v for k, v in cells.items()})
    event = ev.RegistryEntryRecorded(registry=spec.name, key=spec.key_of(entry), entry=entry)
    await _append(ctx, store.registry_stream(spec.name), event, actor)
    return entry


async def entry_of(ctx: Context, spec: RegistrySpec, key: str) -> dict[str, Any]:
    """The entry whose key (the key columns joined by "|") is `key`; 404 when there is none."""
    async with ctx.db.read() as conn:
        known = {spec.key_of(e): e for e in await store.entries_of(conn, spec.name)}
    if key not in known:
        raise NotFound("registry_entry_not_found", f"{spec.title_zh}中没有“{key}”。", field="key")
    return known[key]


async def replace_entry(
    ctx: Context, spec: RegistrySpec, key: str, cells: dict[str, Any], actor: str
) -> dict[str, Any]:
    """An existing entry replaced as a whole; the key columns default to the addressed key's and may
    not name another entry."""
    await entry_of(ctx, spec, key)
    parts = key.split("|")
    if len(parts) == len(spec.key):
        cells = dict(zip(spec.key, parts, strict=True)) | cells
    entry = spec.parse_entry(cells)
    if spec.key_of(entry) != key:
        raise InvalidInput(
            "registry_key_mismatch",
            f"{spec.title_zh}：条目的主键“{spec.key_of(entry)}”与地址中的“{key}”不一致。",
            field=spec.key[0],
        )
    await _append(
        ctx, store.registry_stream(spec.name), ev.RegistryEntryRecorded(registry=spec.name, key=key, entry=entry), actor
    )
    return entry


async def remove_entry(ctx: Context, spec: RegistrySpec, key: str, actor: str) -> None:
    await entry_of(ctx, spec, key)
    event = ev.RegistryEntryRemoved(registry=spec.name, key=key)
    await _append(ctx, store.registry_stream(spec.name), event, actor)


async def list_entries(ctx: Context, spec: RegistrySpec) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return await store.entries_of(conn, spec.name)


async def entries_page(
    ctx: Context, spec: RegistrySpec, *, q: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A window of the registry's entries (key order) and the number matching `q`."""
    async with ctx.db.read() as conn:
        return await store.entries_page(conn, spec.name, q=q, limit=limit, offset=offset)


def parse_file(spec: RegistrySpec, content: bytes, filename: str) -> list[dict[str, Any]]:
    if not content:
        raise InvalidInput("registry_file_empty", f"{spec.title_zh}：文件为空。", field="file")
    return spec.parse_rows(spreadsheets.read_rows(content, filename))


def export(spec: RegistrySpec, entries: Sequence[dict[str, Any]], fmt: str) -> bytes:
    rows = [spec.render(e) for e in entries]
    if fmt == "xlsx":
        return spreadsheets.write_xlsx(spec.title_zh, spec.headings(), rows)
    return spreadsheets.write_csv(spec.headings(), rows)


async def publish_schedule(ctx: Context, year: int, entries: list[dict[str, Any]], actor: str) -> dict[str, Any]:
    """SCHED-4: the office publishes a year's schedule; from then on it governs that year."""
    if not entries:
        raise InvalidInput("schedule_empty", "推送时间安排至少需要一个系列（专业）。", field="series")
    seen: set[str] = set()
    for i, e in enumerate(entries):
        if e["series"] in seen:
            raise InvalidInput("schedule_duplicate_series", f"系列“{e['series']}”重复。", field=f"series.{i}")
        seen.add(e["series"])
    stream_id = store.schedule_stream(year)
    event = ev.SchedulePublished(year=year, series=entries)
    changed: list[str] = []

    async def act(uow: UnitOfWork) -> Recorded:
        version = await store.stream_version(uow.conn, stream_id)
        stored = await uow.append(ev.REGISTRY_STREAM, stream_id, version, [event])
        await store.project(uow.conn, stored)
        await reassess_open(uow.conn, ctx, uow.meta, "registry_changed")
        # SCHED-1: each series' push window, and its workflow's start, with the publication.
        changed[:] = await windows_published(uow.conn, ctx, year, entries, ctx.clock.now())
        return Recorded(version=stored[-1].version)

    result = await execute(ctx, Metadata(actor=actor), act, answer=Recorded)
    await tell_workflows(ctx, changed)
    return {"year": year, "series": entries, **result.model_dump()}


def parse_schedule_entries(cells: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, c in enumerate(cells):
        try:
            out.append(SCHEDULE.parse_entry(c))
        except InvalidInput as exc:
            exc.field = f"series.{i}.{exc.extra.get('column')}"
            raise
    return out


async def publish_schedule_2021_if_absent(ctx: Context) -> None:
    """At a start: the notice's 2021 push schedule (SCHED-4's default), when no 2021 schedule was published.

    Real data, not a sample: the services carry no sample registry (the development seed lives in the
    tooling member and is loaded through the registry API), so a production service starts with empty
    registries and this schedule only."""
    stream_id = store.schedule_stream(2021)
    series = [
        {"series": e.series, "push_month": e.push_month, "grassroots": e.grassroots} for e in SCHEDULE_2021.values()
    ]
    try:
        async with ctx.db.transaction() as conn:
            if await store.stream_version(conn, stream_id) > 0:
                return
            event = ev.SchedulePublished(year=2021, series=series)
            stored = await ctx.store.append(conn, ev.REGISTRY_STREAM, stream_id, 0, [event], Metadata(actor="seed"))
            await store.project(conn, stored)
            await windows_published(conn, ctx, 2021, series, ctx.clock.now())  # SCHED-1: long closed, no workflow
    except ConcurrencyError:
        return  # another instance published it first
