"""What the relay and each consumer report about themselves: the one home health and metrics read.

`/health` answers 503 when `problems` finds any; the metrics endpoint exports the same numbers.
The relay and the consumers update these as they work; reading them never blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

# A relay or a consumer source that keeps failing while behind for longer than this is stuck.
STUCK_AFTER = timedelta(seconds=60)


@dataclass
class RelayStatus:
    """The outbox relay of one service."""

    leader: bool = False  # holds the advisory lock, so it is the replica that publishes
    published_position: int = 0  # the last position the broker acknowledged
    head_position: int = 0  # the store's head when last looked at (lag = head - published)
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_progress_at: datetime | None = None
    # Positions that cannot be published (e.g. over the broker's message size) are parked, never skipped silently.
    parked_positions: list[int] = field(default_factory=list)
    failing_since: datetime | None = None  # the first failure since it last made progress

    @property
    def lag(self) -> int:
        return max(0, self.head_position - self.published_position)


@dataclass
class SourceStatus:
    """One consumer's progress on one source service."""

    watermark: int = 0  # every position up to this one is applied
    feed_head: int = 0  # the source's head when last asked (lag = feed_head - watermark)
    last_error: str | None = None
    last_error_at: datetime | None = None
    # A source is parked when an event failed after bounded retries: the watermark stops there.
    parked_at_position: int | None = None
    failing_since: datetime | None = None  # the first failure since it last caught up

    @property
    def lag(self) -> int:
        return max(0, self.feed_head - self.watermark)


@dataclass
class ConsumerStatus:
    """One consumer (a group of subscriptions) of one service."""

    name: str
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    dead_letters: int = 0  # open (not retried, not skipped) dead letters of this consumer


def problems(
    relay: RelayStatus,
    consumers: Iterable[ConsumerStatus],
    *,
    now: datetime,
    head: int | None = None,
    stuck_after: timedelta = STUCK_AFTER,
) -> list[str]:
    """Why the service is unhealthy (empty when it is healthy): a parked relay position, a relay that
    keeps failing while behind, a parked consumer source, or a source that keeps failing while
    behind, each for longer than `stuck_after`. A source whose feed cannot be read while nothing is
    known to be missing (a peer not started) is not a problem of this service."""
    found: list[str] = []
    if relay.parked_positions:
        found.append(f"relay: positions {relay.parked_positions} parked (open dead letters)")
    behind = max(relay.head_position, head or 0) > relay.published_position
    if behind and relay.failing_since is not None and now - relay.failing_since > stuck_after:
        found.append(f"relay: not publishing since {relay.failing_since.isoformat()} ({relay.last_error})")
    for consumer in consumers:
        for source, status in consumer.sources.items():
            if status.parked_at_position is not None:
                found.append(f"consumer {consumer.name}: {source} parked at position {status.parked_at_position}")
            elif status.lag > 0 and status.failing_since is not None and now - status.failing_since > stuck_after:
                found.append(
                    f"consumer {consumer.name}: {source} failing since {status.failing_since.isoformat()}"
                    f" ({status.last_error})"
                )
    return found


class HealthReport(BaseModel):
    """The body of `/health` (200 when `status` is ok, 503 when unhealthy)."""

    status: Literal["ok", "unhealthy"]
    service: str
    head: int = Field(description="the event store's last position")
    published: int = Field(description="the last position the relay published")
    consumers: dict[str, dict[str, int]] = Field(description="each consumer's watermark per source")
    problems: list[str] = Field(default_factory=list, description="why it is unhealthy")
    relay: dict[str, Any] = Field(default_factory=dict, description="RelayStatus")
    consumer_status: dict[str, Any] = Field(default_factory=dict, description="ConsumerStatus per consumer")


def health_report(
    service: str,
    head: int,
    relay: RelayStatus,
    consumers: Mapping[str, ConsumerStatus],
    watermarks: dict[str, dict[str, int]],
    *,
    now: datetime | None = None,
) -> HealthReport:
    """What `/health` answers: the positions the harness waits on, the statuses, and the problems."""
    found = problems(relay, consumers.values(), now=now or datetime.now(UTC), head=head)
    return HealthReport(
        status="unhealthy" if found else "ok",
        service=service,
        head=head,
        published=relay.published_position,
        consumers=watermarks,
        problems=found,
        relay={**asdict(relay), "lag": max(0, head - relay.published_position)},
        consumer_status={
            name: {**asdict(c), "sources": {s: {**asdict(v), "lag": v.lag} for s, v in c.sources.items()}}
            for name, c in consumers.items()
        },
    )
