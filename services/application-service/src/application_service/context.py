"""What the use cases, routes and event handlers of this service receive (built once in app.create_app)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zhicheng_kernel.context import ServiceContext

from .adapters.registries import published_schedule
from .domain.publicity import UnitPublicity
from .domain.schedule import Schedule, default_schedule


@dataclass
class Context(ServiceContext):
    attachments_dir: Path = Path(".data/application-attachments")
    # NAT-5 outside production: the unit's publicity compressed to this many seconds; None = 5 working days.
    nat5_publicity_seconds: int | None = None

    def unit_publicity(self) -> UnitPublicity:
        """NAT-5 as enforced here, in every environment: the calendar and the compressed period if any."""
        return UnitPublicity(self.calendar, self.nat5_publicity_seconds)

    async def schedule(self, year: int) -> Schedule:
        """SCHED-4: the year's schedule as the city office published it; the 2021 one otherwise."""
        async with self.db.read() as conn:
            published = await published_schedule(conn, year)
        return published or default_schedule(year)
