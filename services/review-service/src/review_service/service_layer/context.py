"""What a use case needs from the running service, and the load/append helpers around the event store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.database import Database
from zhicheng_kernel.errors import ConcurrencyError
from zhicheng_kernel.eventstore import EventStore

from ..adapters.temporal import TemporalGateway
from ..domain.committee import Committee
from ..domain.errors import not_found
from ..domain.session import Session
from ..settings import ReviewSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ReviewContext:
    settings: ReviewSettings
    db: Database
    store: EventStore
    temporal: TemporalGateway

    async def committee(self, conn: AsyncConnection, committee_id: str) -> Committee:
        committee = Committee.from_events(await self.store.load(conn, committee_id))
        if committee is None:
            raise not_found("committee", committee_id)
        return committee

    async def session(self, conn: AsyncConnection, session_id: str) -> Session:
        session = Session.from_events(await self.store.load(conn, session_id))
        if session is None:
            raise not_found("session", session_id)
        return session


async def retry_on_conflict(action: Callable[[], Awaitable[T]], attempts: int = 5) -> T:
    """Re-run a whole load–decide–append when another writer appended first (e.g. two ballots at once)."""
    for attempt in range(attempts):
        try:
            return await action()
        except ConcurrencyError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")
