"""A poison event (finding 4 of issue 12): bounded retries, then a dead letter and that source parked
for that consumer; other sources go on; an operator retries after a fix or skips with a reason."""

from __future__ import annotations

import asyncio
import contextlib
import io
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel import deadletters
from zhicheng_kernel.consumer import EventConsumer, Subscription
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.kafka import ensure_topics, topic_for
from zhicheng_kernel.relay import OutboxRelay

from tests.harness import Servers
from tests.kernel.messaging_support import (
    DatabaseFactory,
    StoreFeed,
    add_to_total,
    append,
    eventually,
    source_name,
    total,
)

pytestmark = pytest.mark.stack


class Poisonable:
    """A handler that fails on events marked poison until it is "fixed"."""

    def __init__(self) -> None:
        self.fixed = False
        self.calls = 0

    async def __call__(self, ctx: object, conn: AsyncConnection, event: EventEnvelope) -> None:
        self.calls += 1
        if event.payload.get("poison") and not self.fixed:
            raise RuntimeError("无法处理该事件：缺少必需字段")
        await add_to_total(ctx, conn, event)


def consumer_of(
    db: Database, feeds: dict[str, StoreFeed], handler: Poisonable, servers: Servers, *, interval: float = 0.2
) -> EventConsumer:
    return EventConsumer(
        f"c-{'-'.join(sorted(feeds))}",
        db,
        [Subscription(source, {"Incremented": handler}) for source in feeds],
        bootstrap=servers.kafka.bootstrap,
        feeds=feeds,  # type: ignore[arg-type]
        catchup_interval=interval,
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
        max_attempts=3,
        retry_backoff=0.01,
    )


async def test_finding_4_a_poison_event_parks_its_source_and_an_operator_retries_it(
    servers: Servers, fresh: DatabaseFactory
) -> None:
    """Finding 4: "A poison message blocks its partition forever: a handler exception reconnects,
    rebalances and fails on the same record again; catch-up fails at the same watermark every 2 s;
    `/health` says ok." After bounded retries the event is a dead letter and its source is parked (the
    watermark stops there, nothing skipped); another source goes on; a retry after the fix applies it."""
    consumer_db, db_a, db_b = await fresh(), await fresh(), await fresh()
    a, b = EventStore(source_name()), EventStore(source_name())
    await append(db_a, a, 1)
    poison = await append(db_a, a, 10, poison=True)
    await append(db_a, a, 100)
    for amount in (1, 2):
        await append(db_b, b, amount)
    handler = Poisonable()
    consumer = consumer_of(consumer_db, {a.source: StoreFeed(db_a, a), b.source: StoreFeed(db_b, b)}, handler, servers)
    task = asyncio.create_task(consumer.run_catchup())
    try:

        async def parked() -> bool:
            status = consumer.status.sources.get(a.source)
            return status is not None and status.parked_at_position == poison.position

        await eventually(parked, 30)
        await eventually(lambda: _equal(consumer.watermark(b.source), 2), 30)
        calls = handler.calls
        assert await consumer.catch_up(a.source) == 0  # parked: catching up does not call the handler again
        assert await consumer.watermark(a.source) == poison.position - 1  # stops there, skips nothing
        assert await total(consumer_db, a.source) == 1
        assert await total(consumer_db, b.source) == 3
        async with consumer_db.read() as conn:
            (letter,) = await deadletters.list_dead_letters(conn)
        assert (letter.consumer, letter.source, letter.position) == (consumer.name, a.source, poison.position)
        assert (letter.event_type, letter.status, letter.attempts) == ("Incremented", "open", 3)
        assert "缺少必需字段" in letter.error
        assert letter.first_failed_at <= letter.last_failed_at
        assert consumer.status.dead_letters == 1
        assert handler.calls == calls

        handler.fixed = True  # the operator deploys the fix, then retries
        await deadletters.retry(consumer_db, consumer.name, a.source, poison.position, by="运维员", reason="已修复")
        await eventually(lambda: _equal(consumer.watermark(a.source), 3), 30)
        assert await total(consumer_db, a.source) == 111
        async with consumer_db.read() as conn:
            (letter,) = await deadletters.list_dead_letters(conn)
        assert (letter.status, letter.resolved_by, letter.reason) == ("retried", "运维员", "已修复")
        await eventually(lambda: _is(consumer.status.sources[a.source].parked_at_position, None), 10)
        assert consumer.status.dead_letters == 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_finding_4_skipping_a_dead_letter_records_the_reason_and_moves_on(
    servers: Servers, fresh: DatabaseFactory
) -> None:
    """Finding 4 (the operator's other way out): a skip needs a reason, is recorded, and the watermark
    passes the event without applying it; the command line lists and skips."""
    consumer_db, db_a = await fresh(), await fresh()
    a = EventStore(source_name())
    poison = await append(db_a, a, 10, poison=True)
    await append(db_a, a, 5)
    handler = Poisonable()
    consumer = consumer_of(consumer_db, {a.source: StoreFeed(db_a, a)}, handler, servers)
    await consumer.catch_up(a.source)
    assert await consumer.watermark(a.source) == 0
    url = consumer_db.engine.url.render_as_string(hide_password=False)
    letter_of = ["--consumer", consumer.name, "--source", a.source, "--position", str(poison.position)]
    listed = await operator(url, "list")
    assert listed.returncode == 0, listed.stderr
    assert f"{consumer.name}\t{a.source}\t{poison.position}\tIncremented\topen" in listed.stdout
    with pytest.raises(InvalidInput) as refused:  # a skip needs a reason
        await deadletters.skip(consumer_db, consumer.name, a.source, poison.position, by="运维员", reason="  ")
    assert refused.value.code == "reason_required"
    skipped = await operator(url, "skip", *letter_of, "--by", "运维员", "--reason", "测试数据，经核实可忽略")
    assert skipped.returncode == 0, skipped.stderr
    with pytest.raises(Conflict):  # only an open letter can be resolved
        await deadletters.retry(consumer_db, consumer.name, a.source, poison.position, by="运维员")
    await consumer.catch_up(a.source)
    assert await consumer.watermark(a.source) == 2
    assert await total(consumer_db, a.source) == 5  # the skipped event was never applied
    async with consumer_db.read() as conn:
        (letter,) = await deadletters.list_dead_letters(conn)
    assert (letter.status, letter.resolved_by, letter.reason) == ("skipped", "运维员", "测试数据，经核实可忽略")


async def test_finding_4_the_kafka_path_commits_past_a_poison_record(servers: Servers, fresh: DatabaseFactory) -> None:
    """Finding 4 on the Kafka path: the partition is not fetched and failed on forever; its offsets are
    committed (the feed is the truth) while the source stays parked."""
    db = await fresh()
    store = EventStore(source_name())
    topic = topic_for(store.source)
    await ensure_topics(servers.kafka.bootstrap, [topic], 1)
    poison = await append(db, store, 10, poison=True)
    relay = OutboxRelay(db, store, servers.kafka.bootstrap)
    handler = Poisonable()
    consumer = consumer_of(db, {store.source: StoreFeed(db, store)}, handler, servers, interval=3600)
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run_kafka())]
    committed = AIOKafkaConsumer(bootstrap_servers=servers.kafka.bootstrap, group_id=consumer.name)
    await committed.start()
    try:

        async def parked() -> bool:
            status = consumer.status.sources.get(store.source)
            return status is not None and status.parked_at_position == poison.position

        await eventually(parked, 30)

        async def offsets_committed() -> bool:
            offset: int | None = await committed.committed(TopicPartition(topic, 0))
            return offset == 1

        await eventually(offsets_committed, 30, step=0.3)
    finally:
        await committed.stop()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert await consumer.watermark(store.source) == 0


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


async def operator(url: str, *args: str) -> Ran:
    """The operator's command line (`python -m zhicheng_kernel.deadletters`), its `main` run in a thread
    of its own (a process would spend most of its time importing on a loaded machine)."""

    def run() -> Ran:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = deadletters.main(["--database-url", url, *args])
        return Ran(code, out.getvalue(), err.getvalue())

    return await asyncio.to_thread(run)


async def _equal(value: object, expected: object) -> bool:
    if asyncio.iscoroutine(value):
        value = await value
    return value == expected


async def _is(value: object, expected: object) -> bool:
    return value is expected
