"""Activities: every side effect of a push window, as calls to application-service's internal API.

Each endpoint is idempotent, so Temporal may retry freely; a 409 (the window is not over yet by the
service's clock, or another call appended first) is retried.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from temporalio import activity

from ..service_calls import ServiceActivities
from .models import CloseResult, ReminderRequest, ReminderResult, WindowRef, WindowState


def _path(year: int, series: str, tail: str = "") -> str:
    return f"/api/v1/internal/push-windows/{year}/{quote(series, safe='')}{tail}"


class PushWindowActivities(ServiceActivities):
    service = "application-service"
    timeout = 20.0

    @activity.defn(name="read_push_window")
    async def read_push_window(self, ref: WindowRef) -> WindowState:
        return WindowState.model_validate(await self._call("GET", _path(ref.year, ref.series)))

    @activity.defn(name="issue_push_window_reminder")
    async def issue_push_window_reminder(self, request: ReminderRequest) -> ReminderResult:
        body = await self._call(
            "POST",
            _path(request.year, request.series, "/reminders"),
            {"remaining_seconds": request.remaining_seconds},
        )
        return ReminderResult.model_validate(body)

    @activity.defn(name="close_push_window")
    async def close_push_window(self, ref: WindowRef) -> CloseResult:
        return CloseResult.model_validate(await self._call("POST", _path(ref.year, ref.series, "/close")))

    def all(self) -> list[Any]:
        return [self.read_push_window, self.issue_push_window_reminder, self.close_push_window]
