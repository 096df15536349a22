"""What the relay and each consumer report about themselves: the one home health and metrics read.

`/health` answers 503 when `healthy` is false for any part; the metrics endpoint exports the same
numbers. The relay and the consumers update these as they work; reading them never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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

    @property
    def lag(self) -> int:
        return max(0, self.feed_head - self.watermark)


@dataclass
class ConsumerStatus:
    """One consumer (a group of subscriptions) of one service."""

    name: str
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    dead_letters: int = 0  # open (not retried, not skipped) dead letters of this consumer
