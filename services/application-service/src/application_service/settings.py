"""application-service settings: the kernel's ZC_* settings plus a test clock."""

from __future__ import annotations

from datetime import datetime

from zhicheng_kernel.settings import ServiceSettings

from .adapters.clock import Clock, FixedClock, SystemClock


class ApplicationSettings(ServiceSettings):
    # ZC_FAKE_NOW (ISO 8601 with offset) freezes the clock; never honoured in production.
    fake_now: datetime | None = None


def clock_from(settings: ServiceSettings) -> Clock:
    fake = getattr(settings, "fake_now", None)
    if fake is not None and settings.environment != "production":
        return FixedClock(fake)
    return SystemClock()
