"""The registries' tables: the policy engine's `Registries` built from them, the integrity file, the
published schedules, and the projection of the registry events (written in the append's transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.tables import events

from ..domain import events as ev
from ..domain.policy import FrontLineRoster, InMemoryRegistries, JournalRecord, LevelRequirement
from ..domain.registry_specs import REGISTRIES
from ..domain.schedule import Schedule, SeriesSchedule
from . import tables

r = tables.registry_entries
ps = tables.published_schedules


def registry_stream(name: str) -> str:
    return f"registry-{name}"


def schedule_stream(year: int) -> str:
    return f"schedule-{year}"


async def stream_version(conn: AsyncConnection, stream_id: str) -> int:
    query = select(func.coalesce(func.max(events.c.version), 0)).where(events.c.stream_id == stream_id)
    return int((await conn.execute(query)).scalar_one())


async def entries_of(conn: AsyncConnection, registry: str) -> list[dict[str, Any]]:
    rows = await conn.execute(select(r.c.entry).where(r.c.registry == registry).order_by(r.c.key))
    return [dict(row.entry) for row in rows]


async def entries_page(
    conn: AsyncConnection, registry: str, *, q: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One window of a registry's entries in key order, and how many match: `q` a word found in the key
    or in any cell (case-insensitive)."""
    query = select(r.c.entry).where(r.c.registry == registry)
    if q:
        in_cells = cast(r.c.entry, Text).icontains(q, autoescape=True)
        query = query.where(or_(r.c.key.icontains(q, autoescape=True), in_cells))
    total = int((await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
    rows = await conn.execute(query.order_by(r.c.key).limit(limit).offset(offset))
    return [dict(row.entry) for row in rows], total


async def empty_registries(conn: AsyncConnection) -> list[dict[str, str]]:
    """The registries the rules read that hold no entry, each with the sentence a report shows."""
    filled = set((await conn.execute(select(r.c.registry).distinct())).scalars().all())
    return [
        {
            "registry": name,
            "title_zh": spec.title_zh,
            "note_zh": f"{spec.title_zh}尚未录入任何条目，涉及该名录的规则只能按“名录中没有”判断，请职改办先行录入。",
        }
        for name, spec in REGISTRIES.items()
        if name not in filled
    ]


async def load_registries(conn: AsyncConnection) -> InMemoryRegistries:
    """A snapshot of every registry the rules read (they are small: hundreds of rows)."""
    rows = (await conn.execute(select(r.c.registry, r.c.entry))).all()
    by: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by.setdefault(row.registry, []).append(row.entry)
    journals = {
        e["cn_number"]: JournalRecord(
            e["cn_number"],
            e["name"],
            frozenset(e.get("core_years") or ()),
            bool(e.get("provincial_authoritative")),
            bool(e.get("press_listed", True)),
            bool(e.get("electronic")),
        )
        for e in by.get("journals", [])
    }
    rosters = {
        e["roster_id"]: FrontLineRoster(
            e["roster_id"],
            medical=bool(e["medical"]),
            set_by=e["set_by"],
            with_employer=bool(e.get("with_employer", True)),
            reviewed_by_city_health=bool(e.get("reviewed_by_city_health")),
            filed_with_provincial_health=bool(e.get("filed_with_provincial_health")),
            members=frozenset(e.get("members") or ()),
        )
        for e in by.get("frontline_rosters", [])
    }
    requirements = {
        (e["series"], e["level"]): LevelRequirement(
            e["series"],
            e["level"],
            e["min_education"],
            int(e["min_years_in_lower_title"]),
            min_months_at_lower_post=e.get("min_months_at_lower_post"),
            paper_required=e.get("paper_required"),
        )
        for e in by.get("level_requirements", [])
    }
    return InMemoryRegistries(
        journals=journals,
        retained_programmes={
            e["programme"]: (e["first_year"], e.get("last_year")) for e in by.get("retained_programmes", [])
        },
        bridged=frozenset(e["field"] for e in by.get("bridged_fields", [])),
        rosters=rosters,
        requirements=requirements,
    )


async def integrity_entries_of(conn: AsyncConnection, id_card_number: str, account_id: str) -> list[dict[str, Any]]:
    """A person's entries in the integrity file (the view over the "blacklist" registry and the entries
    events made), by ID-card number or account id; the longest-lasting first."""
    f = tables.integrity_file
    query = (
        select(f)
        .where(or_(f.c.person_key == id_card_number.strip().upper(), f.c.account_id == account_id))
        .order_by(f.c.expires_on.desc().nulls_first(), f.c.entry_id)
    )
    return [dict(row._mapping) for row in (await conn.execute(query)).all()]


async def published_schedule(conn: AsyncConnection, year: int) -> Schedule | None:
    rows = (await conn.execute(select(ps).where(ps.c.year == year))).all()
    if not rows:
        return None
    return Schedule(year, {row.series: SeriesSchedule(row.series, row.push_month, row.grassroots) for row in rows})


async def project(conn: AsyncConnection, stored: list[EventEnvelope]) -> None:
    for e in stored:
        p = e.payload
        if e.event_type == ev.SchedulePublished.event_type:
            await conn.execute(delete(ps).where(ps.c.year == p["year"]))
            await conn.execute(
                ps.insert(),
                [
                    {
                        "year": p["year"],
                        "series": s["series"],
                        "push_month": s["push_month"],
                        "grassroots": s["grassroots"],
                        "published_by": e.actor,
                        "published_at": e.occurred_at,
                    }
                    for s in p["series"]
                ],
            )
            continue
        spec = REGISTRIES[p["registry"]]
        if e.event_type == ev.RegistryEntryRemoved.event_type:
            await conn.execute(delete(r).where(r.c.registry == spec.name, r.c.key == p["key"]))
            continue
        entries = p["entries"] if e.event_type == ev.RegistryEntriesImported.event_type else [p["entry"]]
        if p.get("mode") == "replace":
            await conn.execute(delete(r).where(r.c.registry == spec.name))
        for entry in entries:
            values = {"entry": entry, "updated_by": e.actor, "updated_at": e.occurred_at}
            stmt = insert(r).values(registry=spec.name, key=spec.key_of(entry), **values)
            await conn.execute(stmt.on_conflict_do_update(index_elements=[r.c.registry, r.c.key], set_=values))
