"""The audit view: who did what, when and from where, within the caller's organization subtree."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.inputs import CleanText, LimitQuery, OffsetQuery
from zhicheng_kernel.roles import Role

from ..adapters.tables import audit_log
from .deps import ContextDep
from .schemas import AuditEntryOut

router = APIRouter(tags=["审计"])


@router.get("/api/v1/audit", response_model=list[AuditEntryOut], summary="操作记录（谁、何时、从何处、做了什么）")
async def audit(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    actor: Annotated[CleanText | None, Query(max_length=64)] = None,
    event_type: Annotated[CleanText | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> list[AuditEntryOut]:
    require_role(principal, Role.AUDITOR, Role.SYSTEM_ADMIN)
    query = select(audit_log).where(audit_log.c.actor_org_path.startswith(principal.org_path, autoescape=True))
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if event_type:
        query = query.where(audit_log.c.event_type == event_type)
    if since:
        query = query.where(audit_log.c.occurred_at >= since)
    if until:
        query = query.where(audit_log.c.occurred_at < until)
    async with ctx.db.read() as conn:
        newest_first = (audit_log.c.occurred_at.desc(), audit_log.c.position.desc().nulls_last(), audit_log.c.event_id)
        rows = await conn.execute(query.order_by(*newest_first).limit(limit).offset(offset))
        return [
            AuditEntryOut(
                event_id=str(r.event_id),
                occurred_at=r.occurred_at.isoformat(),
                actor=r.actor,
                event_type=r.event_type,
                stream_type=r.stream_type,
                stream_id=r.stream_id,
                ip=r.ip,
                user_agent=r.user_agent,
                request_id=r.request_id,
            )
            for r in rows
        ]
