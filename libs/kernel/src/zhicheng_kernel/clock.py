"""What time it is, as a port: every service layer asks a Clock, so tests can stand one second
before or after a deadline and workflows can pass their own time in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still where it is set (tests, and ZC_FAKE_NOW outside production)."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at
