"""Verdict webhooks: one row per (filing, application) verdict in `deliveries`, sent as a Standard
Webhook signed with the province's Ed25519 key until the city answers 2xx — retried 1 s, 2 s, 4 s, …
(capped), given up after about a day; up to `province_delivery_concurrency` in flight at once. The rows
survive a restart, so delivery resumes."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from zhicheng_kernel.clock import Clock
from zhicheng_kernel.http_client import async_client
from zhicheng_kernel.signing import sign_webhook

from .settings import SimulatorSettings
from .tables import deliveries

log = logging.getLogger(__name__)
BATCH = 64
IDLE_SECONDS = 1.0
TIMEOUT_SECONDS = 10.0


def delivery_id(filing_id: str, application_id: str) -> str:
    """The webhook-id of an application's verdict: the same for every attempt of that delivery."""
    digest = hashlib.sha256(f"{filing_id}\x00{application_id}".encode()).hexdigest()[:32]
    return f"msg_{digest}"


def backoff(settings: SimulatorSettings, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2·base, 4·base, … capped."""
    seconds = settings.province_retry_base_seconds * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(seconds, settings.province_retry_max_seconds))


class Deliverer:
    def __init__(self, engine: AsyncEngine, settings: SimulatorSettings, clock: Clock) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.wake = asyncio.Event()

    async def run(self) -> None:
        async with async_client(timeout=TIMEOUT_SECONDS) as http:
            while True:
                try:
                    sent = await self.deliver_due(http)
                except Exception:
                    log.exception("verdict delivery round failed")
                    sent = 0
                if sent == 0:
                    self.wake.clear()
                    try:
                        await asyncio.wait_for(self.wake.wait(), IDLE_SECONDS)
                    except TimeoutError:
                        pass

    async def deliver_due(self, http: httpx.AsyncClient) -> int:
        now = self.clock.now()
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(deliveries)
                    .where(
                        deliveries.c.delivered_at.is_(None),
                        deliveries.c.given_up_at.is_(None),
                        deliveries.c.next_attempt_at <= now,
                    )
                    .order_by(deliveries.c.next_attempt_at)
                    .limit(BATCH)
                )
            ).all()
        slots = asyncio.Semaphore(self.settings.province_delivery_concurrency)

        async def attempt(row: Any) -> None:
            async with slots:
                await self._attempt(http, row.webhook_id, row.url, row.body, row.attempts, row.created_at)

        outcomes = await asyncio.gather(*(attempt(row) for row in rows), return_exceptions=True)
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        if failed:  # the others were recorded; the round's failure is logged by run()
            raise failed[0]
        return len(rows)

    async def _attempt(
        self, http: httpx.AsyncClient, webhook_id: str, url: str, body: str, attempts: int, created_at: datetime
    ) -> None:
        if not self.settings.callback_allowed(url):
            await self._record(
                webhook_id, {"given_up_at": self.clock.now(), "last_error": "callback host not registered"}
            )
            log.warning("gave up delivering %s: %s is no longer a registered callback host", webhook_id, url)
            return
        content = body.encode()
        headers = {"Content-Type": "application/json", **sign_webhook(self.settings.webhook_key, webhook_id, content)}
        error: str | None
        try:
            response = await http.post(url, content=content, headers=headers)
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}: {response.text[:300]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        now = self.clock.now()
        tried = attempts + 1
        values: dict[str, object] = {"attempts": tried, "last_error": error}
        if error is None:
            values["delivered_at"] = now
            log.info("delivered %s to %s (attempt %d)", webhook_id, url, tried)
        elif (now - created_at).total_seconds() >= self.settings.province_delivery_give_up_seconds:
            values["given_up_at"] = now
            log.warning("gave up delivering %s to %s after %d attempts: %s", webhook_id, url, tried, error)
        else:
            values["next_attempt_at"] = now + backoff(self.settings, tried)
            log.info("delivery %s to %s failed (attempt %d): %s", webhook_id, url, tried, error)
        await self._record(webhook_id, values)

    async def _record(self, webhook_id: str, values: dict[str, object]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(deliveries).where(deliveries.c.webhook_id == webhook_id).values(**values))
