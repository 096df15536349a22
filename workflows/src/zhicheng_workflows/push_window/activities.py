"""Activities: every side effect of a push window, as calls to application-service's internal API.

Each endpoint is idempotent, so Temporal may retry freely; a 409 (the window is not over yet by the
service's clock, or another call appended first) is retried.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError
from zhicheng_kernel.auth import ServiceCredentials

from .models import CloseResult, ReminderRequest, ReminderResult, WindowRef, WindowState

_NOT_RETRYABLE = {400, 403, 404, 422}


def _path(year: int, series: str, tail: str = "") -> str:
    return f"/api/v1/internal/push-windows/{year}/{quote(series, safe='')}{tail}"


class PushWindowActivities:
    def __init__(self, application_url: str, credentials: ServiceCredentials) -> None:
        self.application_url = application_url.rstrip("/")
        self.credentials = credentials

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self.application_url, timeout=20) as client:
            response = await client.request(method, path, json=body, headers=await self.credentials.headers())
        if response.status_code < 300:
            return response.json()
        if response.status_code == 401:
            self.credentials._token = None  # expired or rotated keys: fetch a new token on the retry
        raise ApplicationError(
            f"application-service {method} {path} → {response.status_code}: {response.text[:500]}",
            type=f"HTTP{response.status_code}",
            non_retryable=response.status_code in _NOT_RETRYABLE,
        )

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
