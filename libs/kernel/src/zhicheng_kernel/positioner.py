"""The positioner of one service process: gives committed events their positions (eventstore.py).

Woken by this process's commits (Database.committed), it positions until nothing is left, then tells
the relay (Database.positioned). A slow heartbeat (`idle`) positions what another process of the same
database committed (a second replica, a migration's seed), so nothing waits for a commit of this one.
A failure (the database away) is logged once per outage and retried; nothing is lost: an unpositioned
event stays in the store until a positioner positions it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from .database import Database
from .eventstore import POSITION_BATCH, EventStore

log = logging.getLogger(__name__)


async def position_now(db: Database) -> int:
    """Position every event of `db` committed so far, in the caller's task; how many.

    For a writer that reads its own events by position right after its commit (plagiarism-service's
    corpus index follows the store by position): its events are positioned when this returns, whether
    or not this process's positioner has run yet. It waits for a positioner at work to finish first.
    """
    total = 0
    while True:
        async with db.engine.begin() as conn:  # not db.transaction(): this commit wakes nobody
            count = await EventStore.position_committed(conn)
        total += count
        if count:
            db.positioned.set()
        if count < POSITION_BATCH:  # a short batch took everything committed when it ran
            return total


@dataclass
class PositionerStatus:
    positioned: int = 0  # events this process positioned since it started
    last_error: str | None = None
    last_error_at: datetime | None = None


class Positioner:
    def __init__(self, db: Database, *, idle: float = 5.0, retry: float = 1.0) -> None:
        self.db = db
        self.idle = idle
        self.retry = retry
        self.status = PositionerStatus()
        self.stopping = asyncio.Event()  # stop() ends run() between two transactions, never inside one

    async def position_all(self) -> int:
        """Position every committed event without a position; how many."""
        total = await position_now(self.db)
        self.status.positioned += total
        return total

    async def run(self) -> None:
        while not self.stopping.is_set():
            self.db.committed.clear()
            try:
                await self.position_all()
                self.status.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.status.last_error is None:
                    log.warning("positioner cannot position events: %s", exc)
                self.status.last_error, self.status.last_error_at = str(exc), datetime.now(UTC)
                await self._wait(self.stopping, self.retry)
                continue
            await self._wait(self.db.committed, self.idle)

    def stop(self) -> None:
        self.stopping.set()

    async def _wait(self, event: asyncio.Event, seconds: float) -> None:
        """Until `event` (or a stop), at most `seconds`."""
        waits = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(self.stopping.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
