"""Read models of other services' events: organizations and experts (org-service), candidates and
the official holiday calendars (application-service). Each handler receives the service's context
first and runs in the consumer's tracking transaction; replays are no-ops."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters.tables import candidates, experts, organizations
from ..context import ReviewContext


async def on_organization_created(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    row = {"org_id": p["org_id"], "name": p["name"], "kind": p["kind"], "level": p["level"], "path": p["path"]}
    await conn.execute(insert(organizations).values(row).on_conflict_do_update(index_elements=["org_id"], set_=row))


async def on_expert_registered(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    row = {
        "account_id": p["account_id"],
        "username": p["username"],
        "display_name": p.get("display_name", ""),
        "org_id": p["org_id"],
        "series": list(p.get("series", [])),
        "title_level": p.get("title_level", ""),
    }
    await conn.execute(insert(experts).values(row).on_conflict_do_update(index_elements=["account_id"], set_=row))


async def on_provincial_verdict_recorded(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """POL-FI-1: the province's verdict on the candidate's latest push (a verdict on an earlier push is stale)."""
    p = event.payload
    await conn.execute(
        update(candidates)
        .where(candidates.c.application_id == p["application_id"], candidates.c.push_id == p["push_id"])
        .values(filing=p["verdict"])
    )


async def on_application_pushed(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    row = {
        "application_id": p["application_id"],
        "push_id": p["push_id"],
        "status": "pushed",
        "year": int(p["year"]),
        "series": p["series"],
        "specialty": p.get("specialty"),
        "level": p["level"],
        "applicant_id": p["applicant_id"],
        "applicant_name": p.get("applicant_name", ""),
        "org_id": p["org_id"],
        "org_path": p["org_path"],
        "county_code": p.get("county_code"),
        "annotations": list(p.get("annotations", [])),
        # Stated at recommendation and in publicity, noted with the materials: the committee sees them,
        # the document never prints them (issue 9, point 3).
        "remarks": list(p.get("remarks", [])),
        "session_id": None,
        "filing": None,  # a (re-)push waits for the province's verdict on this push (POL-FI-1)
        "defense_replaced_by": p.get("defense_replaced_by"),  # POL-VD-1: a rule replaced the defense
    }
    # A candidate already taken into a session keeps its place; a re-push only refreshes the facts.
    refresh = {k: v for k, v in row.items() if k not in ("status", "session_id")}
    await conn.execute(
        insert(candidates).values(row).on_conflict_do_update(index_elements=["application_id"], set_=refresh)
    )
