"""What this service keeps of org-service's facts: the org tree (NAT-7 chains; the employer's kind, unit
type and level, C1) and applicants (their on-staff status, C5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope, Upcasters

from ..adapters import tables
from ..context import Context


async def on_organization_created(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    values = {
        "code": p.get("code") or "",
        "name": p.get("name") or "",
        "kind": p["kind"],
        "unit_type": p.get("unit_type"),
        "level": p.get("level") or "",
        "division_code": p.get("division_code") or "",
        "parent_id": p.get("parent_id"),
        "path": p["path"],
    }
    stmt = insert(tables.orgs).values(id=p["org_id"], **values)
    await conn.execute(stmt.on_conflict_do_update(index_elements=[tables.orgs.c.id], set_=values))


async def on_applicant_registered(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    values = {
        "org_id": p["org_id"],
        "org_path": p.get("org_path") or "",
        "display_name": p.get("display_name") or "",
        "on_staff": bool(p.get("on_staff", True)),
        "id_card_number": p["id_card_number"],
    }
    stmt = insert(tables.applicants).values(account_id=p["account_id"], **values)
    await conn.execute(stmt.on_conflict_do_update(index_elements=[tables.applicants.c.account_id], set_=values))


def _id_card_from_username(payload: dict[str, Any]) -> dict[str, Any]:
    # ApplicantRegistered version 1 had no id_card_number: the username was the normalised number.
    return {"id_card_number": payload["username"], **payload}


def org_service_upcasters() -> Upcasters:
    """Old versions of org-service's events, as this service reads them."""
    upcasters = Upcasters()
    upcasters.register("ApplicantRegistered", 1, _id_card_from_username)
    return upcasters


async def on_applicant_staff_status_changed(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """C5: the employer corrected the on-staff status (编制) it registered; an unknown account is ignored
    (its ApplicantRegistered, which carries the status too, has not arrived)."""
    p = event.payload
    await conn.execute(
        update(tables.applicants)
        .where(tables.applicants.c.account_id == str(p["account_id"]))
        .values(on_staff=bool(p["on_staff"]))
    )
