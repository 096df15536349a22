"""What the use cases, routes and event handlers of this service receive (built once in app.create_app)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zhicheng_kernel.context import ServiceContext

from .adapters.registries import published_schedule
from .domain.schedule import Schedule, default_schedule


@dataclass
class Context(ServiceContext):
    attachments_dir: Path = Path(".data/application-attachments")
    # NAT-5: working days of the unit's publicity before it approves; None = not enforced.
    publicity_working_days: int | None = None

    async def schedule(self, year: int) -> Schedule:
        """SCHED-4: the year's schedule as the city office published it; the 2021 one otherwise."""
        async with self.db.read() as conn:
            published = await published_schedule(conn, year)
        return published or default_schedule(year)
