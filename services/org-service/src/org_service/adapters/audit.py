"""The audit trail: every event org-service appends, with who did it, when and from where; and the
logins, failures, locks, token refreshes and unlocks, which append no event."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import current_actor
from zhicheng_kernel.envelope import EventEnvelope, Metadata, NewEvent
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.origin import current_origin

from .tables import audit_log


class AuditedEventStore(EventStore):
    """The event store of org-service; each append also writes its audit rows in the same transaction."""

    async def append(
        self,
        conn: AsyncConnection,
        stream_type: str,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent | DomainEvent],
        meta: Metadata,
    ) -> list[EventEnvelope]:
        stored = await super().append(conn, stream_type, stream_id, expected_version, new_events, meta)
        origin = current_origin.get()
        actor = current_actor.get()
        if stored:
            await conn.execute(
                audit_log.insert(),
                [
                    {
                        "event_id": e.event_id,
                        "position": None,  # given after the commit (kernel eventstore); the entry has the event_id
                        "occurred_at": e.occurred_at,
                        "actor": e.actor,
                        "actor_org_path": actor.org_path if actor else "",
                        "event_type": e.event_type,
                        "stream_type": e.stream_type,
                        "stream_id": e.stream_id,
                        "ip": origin.ip if origin else "",
                        "user_agent": origin.user_agent if origin else "",
                        "request_id": origin.request_id if origin else "",
                    }
                    for e in stored
                ],
            )
        return stored


async def record(
    conn: AsyncConnection,
    *,
    at: datetime,
    actor: str,
    actor_org_path: str,
    what: str,
    account_id: uuid.UUID | str | None,
) -> None:
    """An audit row for what changes no stream — a login, a failure, a lock, a refresh, an unlock —
    with the caller's address as the request says it; it has no event and so no position."""
    origin = current_origin.get()
    await conn.execute(
        audit_log.insert().values(
            event_id=uuid.uuid4(),
            position=None,
            occurred_at=at,
            actor=actor,
            actor_org_path=actor_org_path,
            event_type=what,
            stream_type="account",
            stream_id=str(account_id) if account_id else "",
            ip=origin.ip if origin else "",
            user_agent=origin.user_agent if origin else "",
            request_id=origin.request_id if origin else "",
        )
    )
