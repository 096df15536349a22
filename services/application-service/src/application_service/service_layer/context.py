"""What the use cases need, wired once at start (see app.create_app)."""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng_kernel.database import Database
from zhicheng_kernel.eventstore import EventStore

from ..adapters.clock import Clock
from ..domain.schedule import Schedule, default_schedule


@dataclass
class Context:
    db: Database
    store: EventStore
    clock: Clock

    async def schedule(self, year: int) -> Schedule:
        """SCHED-4: the year's published schedule; the 2021 default until publishing is built."""
        return default_schedule(year)
