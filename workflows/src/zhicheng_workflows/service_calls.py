"""What every workflow of the system shares: the stage search attribute, the activities' retry policy,
and the one authenticated caller of a service's idempotent internal API (activities only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ApplicationError
from zhicheng_kernel.auth import ServiceCredentials
from zhicheng_kernel.http_client import async_client

# The stage an operator filters by in the Temporal UI (zhicheng_kernel.temporal's ZcStatus).
ZC_STATUS = SearchAttributeKey.for_keyword("ZcStatus")

# Services answer idempotently, so activities retry freely, backing off to 30 s.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2, maximum_interval=timedelta(seconds=30)
)

# A refusal that retrying cannot change; a 409 (another call appended first, or not yet by the service's
# clock) and a 503 (a peer out of reach) are retried.
NOT_RETRYABLE = frozenset({400, 403, 404, 422})


class ServiceActivities:
    """Activities that call `service`'s internal API with the workflow service's token."""

    service = "service"
    timeout = 30.0

    def __init__(self, base_url: str, credentials: ServiceCredentials) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with async_client(base_url=self.base_url, timeout=self.timeout) as client:
            response = await client.request(method, path, json=body, headers=await self.credentials.headers())
        if response.status_code < 300:
            return response.json()
        if response.status_code == 401:
            self.credentials._token = None  # expired or rotated keys: fetch a new token on the retry
        raise ApplicationError(
            f"{self.service} {method} {path} → {response.status_code}: {response.text[:500]}",
            type=f"HTTP{response.status_code}",
            non_retryable=response.status_code in NOT_RETRYABLE,
        )
