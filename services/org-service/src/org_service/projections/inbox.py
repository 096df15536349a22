"""The inbox: notifications projected from application-service's and review-service's events.

Each handler runs in the consumer's tracking transaction (replays are no-ops). Events that only name
an application or a session are answered from `inbox_fact`, which the earlier events of the same
stream filled (ApplicationSubmitted/Pushed: the applicant; CommitteeFormed and CommitteeSessionOpened:
the organising office). Each notification is one `inbox` row per source event and recipient, and, for
an event fresh enough, one pending `notification_delivery` row per channel, committed with it: the
background sender (service_layer/inbox.py) delivers it afterwards.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope

from ..adapters.tables import inbox, inbox_facts, notification_deliveries
from ..context import OrgContext
from ..domain.notifications import MAPPERS, Facts, Notice, notices

_NAMESPACE = uuid.UUID("6c0f4f3e-8a55-4d1e-9a0e-2f3b1c9d7a10")


def inbox_id(event_id: uuid.UUID, notice: Notice) -> uuid.UUID:
    """Stable per source event and recipient, so a rebuild gives each item the same id."""
    return uuid.uuid5(_NAMESPACE, f"{event_id}:{notice.recipient_kind}:{notice.recipient_id}")


async def _fact(conn: AsyncConnection, kind: str, key: Any) -> dict[str, Any] | None:
    if not key:
        return None
    row = (
        await conn.execute(select(inbox_facts.c.facts).where(inbox_facts.c.kind == kind, inbox_facts.c.key == str(key)))
    ).first()
    return dict(row.facts) if row else None


async def _remember(conn: AsyncConnection, kind: str, key: Any, facts: dict[str, Any]) -> None:
    """Merge what an event says (null values say nothing) into the facts kept about one thing."""
    known = await _fact(conn, kind, key) or {}
    merged = {**known, **{k: v for k, v in facts.items() if v is not None}}
    await conn.execute(
        insert(inbox_facts)
        .values(kind=kind, key=str(key), facts=merged)
        .on_conflict_do_update(index_elements=["kind", "key"], set_={"facts": merged})
    )


# -- facts ----------------------------------------------------------------------------------------------


async def remember_application(ctx: OrgContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """ApplicationSubmitted, ApplicationResubmitted, ApplicationPushed, ApplicationConcludedWithoutCommittee."""
    p = event.payload
    keys = ("applicant_id", "org_id", "year", "series", "level")
    await _remember(conn, "application", p["application_id"], {k: p.get(k) for k in keys})


async def remember_committee(ctx: OrgContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    facts = {"organizing_org_id": p["organizing_org_id"], "series": p.get("series"), "level": p.get("level")}
    await _remember(conn, "committee", p["committee_id"], facts)


async def remember_session(ctx: OrgContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    p = event.payload
    committee = await _fact(conn, "committee", p["committee_id"]) or {}
    facts = {
        "committee_id": p["committee_id"],
        "organizing_org_id": committee.get("organizing_org_id"),
        "year": p.get("year"),
        "series": p.get("series"),
        "level": p.get("level"),
    }
    await _remember(conn, "session", p["session_id"], facts)


# -- notifications --------------------------------------------------------------------------------------


async def notify(ctx: OrgContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """The notifications of one event (domain/notifications.py), each stored once per recipient."""
    p = event.payload
    session = await _fact(conn, "session", p.get("session_id"))
    if session is not None and not session.get("organizing_org_id"):
        # The committee's stream is another partition: its CommitteeFormed may have come after the session.
        committee = await _fact(conn, "committee", session.get("committee_id")) or {}
        session["organizing_org_id"] = committee.get("organizing_org_id")
    facts = Facts(application=await _fact(conn, "application", p.get("application_id")), session=session)
    now = ctx.clock.now()
    fresh = now - event.occurred_at <= timedelta(hours=ctx.settings.notification_delivery_max_age_hours)
    for notice in notices(event.source, event.event_type, p, facts):
        item = inbox_id(event.event_id, notice)
        stored = await conn.execute(
            insert(inbox)
            .values(
                id=item,
                recipient_kind=notice.recipient_kind.value,
                recipient_id=notice.recipient_id,
                category=notice.category.value,
                title_zh=notice.title_zh,
                body_zh=notice.body_zh,
                link=notice.link,
                source=event.source,
                source_event_id=event.event_id,
                source_event_type=event.event_type,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(inbox.c.id)
        )
        if stored.first() is None or not fresh or ctx.delivery is None:
            continue
        for channel in ctx.settings.channels():
            await conn.execute(
                insert(notification_deliveries)
                .values(
                    id=uuid.uuid5(item, channel),
                    inbox_id=item,
                    channel=channel,
                    address=None,  # org-service keeps no phone number or e-mail address (adapters/delivery.py)
                    text=f"【平凉职称】{notice.title_zh}。{notice.body_zh}",
                    state="pending",
                    created_at=now,
                )
                .on_conflict_do_nothing()
            )


FACT_HANDLERS = {
    ("application-service", "ApplicationSubmitted"): remember_application,
    ("application-service", "ApplicationResubmitted"): remember_application,
    ("application-service", "ApplicationPushed"): remember_application,
    ("application-service", "ApplicationConcludedWithoutCommittee"): remember_application,
    ("review-service", "CommitteeFormed"): remember_committee,
    ("review-service", "CommitteeSessionOpened"): remember_session,
}


def handlers(source: str) -> dict[str, Any]:
    """The consumer's handlers of one source: its fact events, then every event that notifies."""
    chosen: dict[str, Any] = {t: h for (s, t), h in FACT_HANDLERS.items() if s == source}
    chosen |= {t: notify for (s, t) in MAPPERS if s == source}
    return chosen
