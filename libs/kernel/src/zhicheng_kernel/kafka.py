"""Kafka plumbing: one topic per source service, created (again) whenever it is missing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from .pace import Pace

log = logging.getLogger(__name__)


def client_options(settings: Any) -> dict[str, Any]:
    """The keyword arguments every aiokafka client of a service gets for the broker's security
    (SASL/TLS in production; nothing on the loopback development broker).

    Finding 9 of issue 12 (Kafka unauthenticated): ZC_KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SSL,
    SASL_PLAINTEXT, SASL_SSL), ZC_KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) with
    ZC_KAFKA_SASL_USERNAME and ZC_KAFKA_SASL_PASSWORD (or a file: ZC_KAFKA_SASL_PASSWORD_FILE), the broker's CA from
    ZC_KAFKA_CA_FILE, and for mTLS the client's ZC_KAFKA_CERT_FILE / ZC_KAFKA_KEY_FILE. Production
    settings refuse a broker reached without TLS (settings.ServiceSettings).
    """
    protocol = str(getattr(settings, "kafka_security_protocol", "PLAINTEXT"))
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol.startswith("SASL_"):
        password_file = settings.kafka_sasl_password_file
        password = Path(password_file).read_text(encoding="utf-8").strip() if password_file else ""
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": password or settings.kafka_sasl_password,
        }
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(
            cafile=str(settings.kafka_ca_file) if settings.kafka_ca_file else None,
            certfile=str(settings.kafka_cert_file) if settings.kafka_cert_file else None,
            keyfile=str(settings.kafka_key_file) if settings.kafka_key_file else None,
        )
    return options


def topic_for(source: str) -> str:
    return f"zhicheng.{source}.events"


async def ensure_topics(
    bootstrap: str,
    topics: list[str],
    partitions: int = 3,
    replication: int = 1,
    options: dict[str, Any] | None = None,
) -> list[str]:
    """Create the topics that do not exist (a memory-only broker forgets them when it restarts); returns
    the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000, **(options or {}))
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
        return missing
    finally:
        await admin.close()


async def keep_topics(
    bootstrap: str,
    topics: list[str],
    partitions: int,
    replication: int,
    pace: Pace,
    options: dict[str, Any] | None = None,
    on_gap: Callable[[], None] = lambda: None,
) -> None:
    """Re-create topics after a broker restart, so producers and consumers recover. A broker that forgot
    its topics (or cannot be reached) may have lost records too: `on_gap` then asks the consumers to catch
    up from the feeds, and the check keeps the pace's short period until the broker is back and settled."""
    while True:
        try:
            if await ensure_topics(bootstrap, topics, partitions, replication, options):
                pace.disturb()
                on_gap()
        except (TimeoutError, KafkaError, OSError) as exc:
            log.warning("cannot check topics on %s: %s", bootstrap, exc)
            pace.disturb()
            on_gap()
        await asyncio.sleep(pace.interval)
