"""What the use cases, routes and event handlers of this service receive (built once in app.create_app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.errors import NotFound
from zhicheng_kernel.temporal import TemporalGateway

from .adapters.province import Province
from .adapters.registries import published_schedule
from .domain.publicity import UnitPublicity
from .domain.push_window import WindowSettings
from .domain.schedule import Schedule


@dataclass
class Context(ServiceContext):
    attachments_dir: Path = Path(".data/application-attachments")
    # NAT-5 outside production: the unit's publicity compressed to this many seconds; None = 5 working days.
    nat5_publicity_seconds: int | None = None
    # Starts the year's workflows (push windows, provincial filings) through the start outbox
    # (tables.workflow_starts, zhicheng_kernel.workflow_starts).
    temporal: TemporalGateway | None = None
    # SCHED-1's push windows: reminder offsets, the workflow's recheck, the compressed window outside production.
    push_windows: WindowSettings = field(default_factory=WindowSettings)
    # POL-FI-1: the provincial title office's system, and the filing workflow's durations (its inputs).
    province: Province = field(default_factory=lambda: Province(None, None, None))
    filing_escalate_delivery_after_seconds: int = 86_400
    filing_verdict_deadline_seconds: int = 15 * 86_400
    filing_recheck_seconds: int = 3_600

    def unit_publicity(self) -> UnitPublicity:
        """NAT-5 as enforced here, in every environment: the calendar and the compressed period if any."""
        return UnitPublicity(self.calendar, self.nat5_publicity_seconds)

    async def schedule(self, year: int) -> Schedule:
        """SCHED-4: the year's schedule as the city office published it. A year without one accepts no
        application and no push: there is no silent fallback to 2021's months."""
        async with self.db.read() as conn:
            published = await published_schedule(conn, year)
        if published is None:
            raise NotFound(
                "schedule_not_published",
                f"市职改办尚未发布{year}年度职称申报推送时间安排，暂不能申报或推送；"
                "请市职改办先发布该年度安排（可在上一年度安排的基础上修改）。",
                field="year",
                rule="SCHED-4",
                extra={"year": year},
            )
        return published
