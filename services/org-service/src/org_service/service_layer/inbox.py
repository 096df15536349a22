"""The inbox's use cases: what a person sees, marking an item read, and sending the deliveries.

Who sees what (`visible_to`): a person sees the items addressed to their own account, and the staff of
an organization (its system administrator and business administrators) see the items addressed to it.
An applicant or an expert never sees their organization's items (a verdict on a colleague's
application is none of theirs), and nobody sees another organization's or another person's.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.clock import Clock
from zhicheng_kernel.database import Database
from zhicheng_kernel.errors import Forbidden, not_found
from zhicheng_kernel.pace import run_paced
from zhicheng_kernel.roles import BUSINESS_ROLES, Role

from ..adapters.delivery import NotificationDelivery, OutgoingMessage
from ..adapters.tables import inbox, notification_deliveries
from ..context import OrgContext

log = logging.getLogger(__name__)

STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, *BUSINESS_ROLES})


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The items a person may see: their own, and their organization's when they are its staff."""
    if principal.kind != "user":
        raise Forbidden("inbox_people_only", "消息中心只面向登录的人员，内部服务无收件箱。")
    mine = and_(inbox.c.recipient_kind == "account", inbox.c.recipient_id == principal.subject)
    if principal.org_id and principal.has(*STAFF_ROLES):
        return or_(mine, and_(inbox.c.recipient_kind == "org", inbox.c.recipient_id == str(principal.org_id)))
    return mine


@dataclass(frozen=True)
class InboxPage:
    items: list[dict[str, Any]]
    total: int
    unread: int


async def list_items(
    ctx: OrgContext,
    principal: Principal,
    *,
    unread_only: bool,
    category: str | None,
    limit: int,
    offset: int,
) -> InboxPage:
    mine = visible_to(principal)
    query = select(inbox).where(mine)
    if unread_only:
        query = query.where(inbox.c.read_at.is_(None))
    if category:
        query = query.where(inbox.c.category == category)
    async with ctx.db.read() as conn:
        rows = await conn.execute(query.order_by(inbox.c.created_at.desc(), inbox.c.id).limit(limit).offset(offset))
        items = [dict(r._mapping) for r in rows]
        total = (await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        unread = (
            await conn.execute(select(func.count()).select_from(inbox).where(mine, inbox.c.read_at.is_(None)))
        ).scalar_one()
    return InboxPage(items, int(total), int(unread))


async def mark_read(ctx: OrgContext, principal: Principal, item_id: uuid.UUID) -> dict[str, Any]:
    """Marks one item read (the first reading counts); an item the caller may not see is not found."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as conn:
        row = (
            await conn.execute(
                update(inbox)
                .where(inbox.c.id == item_id, visible_to(principal))
                .values(read_at=func.coalesce(inbox.c.read_at, now))
                .returning(*inbox.c)
            )
        ).first()
    if row is None:
        raise not_found("消息", "inbox_item_not_found", str(item_id), field="id")
    return dict(row._mapping)


# -- the background sender --------------------------------------------------------------------------------


async def send_pending(db: Database, provider: NotificationDelivery, clock: Clock, batch: int = 50) -> int:
    """Sends the pending deliveries, each at most once: a row is claimed ("sending") and committed before
    the provider is called, so a crash between the two leaves it claimed and never sent twice."""
    async with db.transaction() as conn:
        claimed = (
            await conn.execute(
                select(notification_deliveries)
                .where(notification_deliveries.c.state == "pending")
                .order_by(notification_deliveries.c.created_at)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if claimed:
            await conn.execute(
                update(notification_deliveries)
                .where(notification_deliveries.c.id.in_([r.id for r in claimed]))
                .values(state="sending", claimed_at=clock.now(), provider=provider.name)
            )
    for row in claimed:
        message = OutgoingMessage(row.id, row.channel, row.address, row.text)
        try:
            await provider.send(message)
        except Exception as exc:  # the provider refused: recorded, never retried (at most once)
            log.warning("notification delivery %s failed: %s", row.id, exc)
            outcome: dict[str, Any] = {"state": "failed", "error": str(exc)[:500]}
        else:
            outcome = {"state": "sent", "sent_at": clock.now()}
        async with db.transaction() as conn:
            await conn.execute(
                update(notification_deliveries).where(notification_deliveries.c.id == row.id).values(**outcome)
            )
    return len(claimed)


async def delivery_sender(ctx: OrgContext) -> None:
    """The background job: sends what the inbox projection left pending — woken by this process's applied
    events (at most once per ZC_NOTIFICATION_SEND_INTERVAL_SECONDS), and on the quiet heartbeat for what
    another replica projected."""
    delivery = ctx.delivery
    if delivery is None:
        return

    async def send_all() -> None:
        while await send_pending(ctx.db, delivery, ctx.clock):
            pass

    await run_paced(
        "notification sender",
        send_all,
        heartbeat=ctx.settings.quiet_heartbeat_seconds,
        wake=ctx.db.changed,
        min_gap=ctx.settings.notification_send_interval_seconds,
    )
