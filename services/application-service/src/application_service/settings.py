"""application-service settings: the kernel's ZC_* settings plus a test clock, attachments, NAT-5."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from zhicheng_kernel.settings import ServiceSettings

from .adapters.clock import Clock, FixedClock, SystemClock


class ApplicationSettings(ServiceSettings):
    # ZC_FAKE_NOW (ISO 8601 with offset) freezes the clock; never honoured in production.
    fake_now: datetime | None = None
    # ZC_ATTACHMENTS_DIR: where uploaded PDF/JPEG/PNG attachments are kept, by content hash.
    attachments_dir: Path = Path(".data/application-attachments")
    # ZC_NAT5_PUBLICITY_REQUIRED: the unit approves only after ≥ ZC_NAT5_PUBLICITY_WORKING_DAYS working
    # days of internal publicity (NAT-5). Unset: enforced in production only, so the demo and the
    # cross-service tests (which cannot wait five working days) keep running until they record one.
    nat5_publicity_required: bool | None = None
    nat5_publicity_working_days: int = 5


def clock_from(settings: ServiceSettings) -> Clock:
    fake = getattr(settings, "fake_now", None)
    if fake is not None and settings.environment != "production":
        return FixedClock(fake)
    return SystemClock()


def publicity_working_days(settings: ServiceSettings) -> int | None:
    required = getattr(settings, "nat5_publicity_required", None)
    if required is None:
        required = settings.environment == "production"
    return int(getattr(settings, "nat5_publicity_working_days", 5)) if required else None
