"""A fixed-window rate limit counted in PostgreSQL, so several replicas share it, and the client's
address as the gateway reports it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from zhicheng_kernel.errors import DomainError

from .tables import rate_limit_windows

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEPT = timedelta(days=2)


@dataclass(frozen=True)
class Limit:
    """At most `hits` in every window of `window_seconds` for one bucket."""

    bucket: str
    hits: int
    window_seconds: int


class RateLimited(DomainError):
    """429 with the seconds until the window that refused ends (the route sets Retry-After from it)."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__("rate_limited", message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def window_start(now: datetime, window_seconds: int) -> datetime:
    """The start of the fixed window `now` falls in (windows are aligned on the Unix epoch)."""
    elapsed = (now - EPOCH).total_seconds()
    return EPOCH + timedelta(seconds=window_seconds * math.floor(elapsed / window_seconds))


async def hit(conn: AsyncConnection, now: datetime, limits: list[Limit]) -> int:
    """Count one hit in each limit's current window (an upsert under the row's lock: concurrent
    replicas queue on it and count each hit once); the seconds until the caller may try again when
    one of them is over its limit, else 0. The caller commits either way: a refused hit is counted
    too."""
    retry_after = 0
    for limit in limits:
        start = window_start(now, limit.window_seconds)
        counted = await conn.execute(
            insert(rate_limit_windows)
            .values(bucket=limit.bucket, window_start=start, hits=1)
            .on_conflict_do_update(
                index_elements=["bucket", "window_start"], set_={"hits": rate_limit_windows.c.hits + 1}
            )
            .returning(rate_limit_windows.c.hits)
        )
        if int(counted.scalar_one()) > limit.hits:
            ends = start + timedelta(seconds=limit.window_seconds)
            retry_after = max(retry_after, max(1, math.ceil((ends - now).total_seconds())))
    # Windows are at most a day long (the settings' bound): older rows count nothing any more.
    await conn.execute(delete(rate_limit_windows).where(rate_limit_windows.c.window_start < now - KEPT))
    return retry_after


def client_address(request: Request) -> str:
    """The client's address: the LAST X-Forwarded-For hop, the one the gateway appends itself
    (nginx `$proxy_add_x_forwarded_for`: whatever the client sent, then the address the gateway saw).
    Earlier hops come from the client and are not trusted. Without the header (a direct call inside
    the deployment) the peer's address."""
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    if forwarded:
        return forwarded[-1][:64]
    return request.client.host if request.client else "unknown"
