"""org-service's organizations as this service needs them: kind, level, active (who keeps the corpus)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters.tables import organizations
from ..context import PlagiarismContext

CITY = "city"
TITLE_OFFICE = "title_office"


async def on_organization_created(ctx: PlagiarismContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """Remember the org's kind and level. Idempotent."""
    p = event.payload
    values = {"org_id": str(p["org_id"]), "kind": str(p.get("kind", "")), "level": str(p.get("level", ""))}
    await conn.execute(insert(organizations).values(values).on_conflict_do_nothing())


async def on_organization_deactivated(ctx: PlagiarismContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    await conn.execute(
        organizations.update().where(organizations.c.org_id == str(event.payload["org_id"])).values(active=False)
    )


async def is_city_title_office(ctx: PlagiarismContext, org_id: str | None) -> bool:
    """Whether ``org_id`` is an active title office whose level is "city" (as org-service announced it)."""
    if not org_id:
        return False
    o = organizations.c
    async with ctx.db.read() as conn:
        found = (await conn.execute(select(o.kind, o.level, o.active).where(o.org_id == org_id))).first()
    return found is not None and found.active and found.kind == TITLE_OFFICE and found.level == CITY
