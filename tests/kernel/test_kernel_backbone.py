"""The event backbone against the real PostgreSQL and Kafka broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, Table, Text, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.consumer import BUSY_FETCH_WAIT_MS, QUIET_FETCH_WAIT_MS, EventConsumer, Subscription
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope, Metadata, NewEvent, Upcasters
from zhicheng_kernel.errors import ConcurrencyError
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.kafka import ensure_topics, topic_for
from zhicheng_kernel.positioner import Positioner
from zhicheng_kernel.relay import OutboxRelay
from zhicheng_kernel.tables import kernel_metadata
from zhicheng_kernel.testing import positioning

from tests.harness import Servers

pytestmark = pytest.mark.stack

projection_metadata = MetaData()
counters = Table(
    "test_counter",
    projection_metadata,
    Column("name", Text, primary_key=True),
    Column("total", Integer, nullable=False),
)


@pytest.fixture
async def db(servers: Servers) -> AsyncIterator[Database]:
    """A database of its own per test: one source service, one event store, positions from 1."""
    name = f"zc_kt_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    database = Database(servers.postgres.url(name))
    async with database.engine.begin() as conn:
        await conn.run_sync(kernel_metadata.create_all)
        await conn.run_sync(projection_metadata.create_all)
    async with positioning(database):
        yield database
    await database.dispose()


def source_name() -> str:
    return f"src-{uuid.uuid4().hex[:8]}"


async def append_one(db: Database, store: EventStore, stream: str, version: int, amount: int = 1) -> None:
    """One event appended and positioned (this test process appends, so it positions, as a service does)."""
    async with db.transaction() as conn:
        await store.append(
            conn, "counter", stream, version, [NewEvent("Incremented", {"by": amount})], Metadata(actor="test")
        )
    await Positioner(db).position_all()


async def test_concurrent_append_at_same_version_gets_concurrency_error(db: Database) -> None:
    store = EventStore(source_name())
    stream = f"s-{uuid.uuid4()}"
    await append_one(db, store, stream, 0)
    results = await asyncio.gather(
        append_one(db, store, stream, 1), append_one(db, store, stream, 1), return_exceptions=True
    )
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, ConcurrencyError) for r in results) == 1
    async with db.read() as conn:
        assert [e.version for e in await store.load(conn, stream)] == [1, 2]


async def test_positions_are_gapless_and_follow_commit_order(db: Database) -> None:
    """Appends take no lock (issue 14): a writer that commits late does not hold the others back, and its
    event is positioned after theirs — a reader that saw the fast ones never finds one behind them."""
    store = EventStore(source_name())
    async with db.read() as conn:
        start = await store.head(conn)
    slow_stream = f"slow-{uuid.uuid4()}"
    fast_done = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as conn:
            await store.append(conn, "c", slow_stream, 0, [NewEvent("E", {})], Metadata("t"))
            await fast_done.wait()  # commits after every fast writer committed

    async def fast_writers() -> None:
        await asyncio.gather(*(append_one(db, store, f"fast-{uuid.uuid4()}", 0) for _ in range(20)))
        await Positioner(db).position_all()
        async with db.read() as conn:
            seen = await store.read_after(conn, start, 1000)
        assert [e.position for e in seen] == list(range(start + 1, start + 21))  # the slow one is not there yet
        fast_done.set()

    results = await asyncio.gather(slow_writer(), fast_writers(), return_exceptions=True)
    assert all(r is None for r in results), results
    await Positioner(db).position_all()
    async with db.read() as conn:
        after = await store.read_after(conn, start, 1000)
    assert [e.position for e in after] == list(range(start + 1, start + 22))
    assert after[-1].stream_id == slow_stream


async def test_an_expected_version_the_stream_has_not_reached_is_refused(db: Database) -> None:
    store = EventStore(source_name())
    stream = f"s-{uuid.uuid4()}"
    await append_one(db, store, stream, 0)
    with pytest.raises(ConcurrencyError):
        await append_one(db, store, stream, 2)  # a made-up version ahead of the stream: no gap is written
    async with db.read() as conn:
        assert [e.version for e in await store.load(conn, stream)] == [1]


async def test_a_rolled_back_append_is_never_published_and_committed_ones_are(db: Database, servers: Servers) -> None:
    store = EventStore(source_name())
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
    stream = f"s-{uuid.uuid4()}"
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await store.append(conn, "c", stream, 0, [NewEvent("Doomed", {})], Metadata("t"))
            raise RuntimeError("the command failed after appending")
    await append_one(db, store, stream, 0)
    relay = OutboxRelay(db, store, servers.kafka.bootstrap)
    task = asyncio.create_task(relay.run())
    consumer = AIOKafkaConsumer(
        topic_for(store.source), bootstrap_servers=servers.kafka.bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        seen: list[EventEnvelope] = []
        async with asyncio.timeout(20):
            while not seen:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    seen += [EventEnvelope.model_validate_json(r.value) for r in records]
    finally:
        await consumer.stop()
        task.cancel()
    mine = [e for e in seen if e.stream_id == stream]
    assert [e.event_type for e in mine] == ["Incremented"]


class StoreFeed:
    """The source's feed read straight from its store (the HTTP feed is proven in the service tests)."""

    def __init__(self, db: Database, store: EventStore) -> None:
        self.db = db
        self.store = store

    async def read(self, after: int, limit: int = 500) -> list[EventEnvelope]:
        async with self.db.read() as conn:
            return await self.store.read_after(conn, after, limit)


async def add_to_counter(_ctx: object, conn: AsyncConnection, event: EventEnvelope) -> None:
    stmt = insert(counters).values(name=event.source, total=event.payload["by"])
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["name"], set_={"total": counters.c.total + event.payload["by"]})
    )


async def counter(db: Database, name: str) -> int:
    async with db.read() as conn:
        row = (await conn.execute(select(counters.c.total).where(counters.c.name == name))).first()
    return int(row.total) if row else 0


def make_consumer(db: Database, store: EventStore, servers: Servers, interval: float = 0.5) -> EventConsumer:
    return EventConsumer(
        f"counter-{store.source}",
        db,
        [Subscription(store.source, {"Incremented": add_to_counter})],
        bootstrap=servers.kafka.bootstrap,
        feeds={store.source: StoreFeed(db, store)},  # type: ignore[dict-item]
        catchup_interval=interval,
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
    )


async def test_a_duplicated_kafka_delivery_changes_nothing(db: Database, servers: Servers) -> None:
    store = EventStore(source_name())
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
    stream = f"s-{uuid.uuid4()}"
    await append_one(db, store, stream, 0, amount=5)
    async with db.read() as conn:
        (event,) = await store.load(conn, stream)
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka.bootstrap)
    await producer.start()
    for _ in range(3):  # the same message delivered three times
        await producer.send_and_wait(topic_for(store.source), event.model_dump_json().encode(), key=b"k")
    await producer.stop()
    consumer = make_consumer(db, store, servers, interval=3600)  # Kafka path only
    task = asyncio.create_task(consumer.run_kafka())
    try:
        async with asyncio.timeout(20):
            while await consumer.watermark(store.source) < event.position:
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    finally:
        task.cancel()
    assert await counter(db, store.source) == 5
    assert not await consumer.apply(event)  # and once more by hand: still nothing
    assert await counter(db, store.source) == 5


async def test_consumers_converge_after_the_broker_restarts_empty(db: Database, servers: Servers) -> None:
    store = EventStore(source_name())
    relay = OutboxRelay(db, store, servers.kafka.bootstrap)
    consumer = make_consumer(db, store, servers)
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    streams = [f"s-{uuid.uuid4()}" for _ in range(5)]
    try:
        await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 3)
        for s in streams:
            await append_one(db, store, s, 0)
        async with asyncio.timeout(30):
            while await counter(db, store.source) < 5:
                await asyncio.sleep(0.1)
        # The broker dies with events in flight and comes back with nothing: no topics, no offsets.
        await asyncio.to_thread(servers.kafka.kill9)
        for s in streams:
            await append_one(db, store, s, 1)
        await asyncio.to_thread(servers.kafka.start)
        await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 3)
        for s in streams:
            await append_one(db, store, s, 2)
        async with db.read() as conn:
            head = await store.head(conn)
        async with asyncio.timeout(60):
            while await consumer.watermark(store.source) < head:
                await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # let any redelivery arrive: it must not double-count
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert await counter(db, store.source) == 15


def test_upcaster_reads_an_old_event_version_as_the_new_one() -> None:
    upcasters = Upcasters()
    upcasters.register("Renamed", 1, lambda p: {"full_name": p.pop("name"), **p})
    upcasters.register("Renamed", 2, lambda p: {**p, "normalised": p["full_name"].strip()})
    old = EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="Renamed",
        schema_version=1,
        source="s",
        stream_id="x",
        stream_type="t",
        version=1,
        position=1,
        occurred_at="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
        actor="a",
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload={"name": " 平凉 "},
    )
    new = upcasters.upcast(old)
    assert new.schema_version == 3
    assert new.payload == {"full_name": " 平凉 ", "normalised": "平凉"}


async def test_database_is_reachable(db: Database) -> None:
    async with db.read() as conn:
        assert (await conn.execute(text("select 1"))).scalar_one() == 1


async def test_an_expected_version_ahead_of_the_stream_is_refused(db: Database) -> None:
    store = EventStore(source_name())
    stream = f"s-{uuid.uuid4()}"
    await append_one(db, store, stream, 0)
    with pytest.raises(ConcurrencyError):
        await append_one(db, store, stream, 999)
    with pytest.raises(ConcurrencyError):
        await append_one(db, store, f"s-{uuid.uuid4()}", 3)  # a new stream starts at version 0
    async with db.read() as conn:
        assert [e.version for e in await store.load(conn, stream)] == [1]


async def test_a_malformed_message_is_skipped_and_the_next_event_applied(db: Database, servers: Servers) -> None:
    store = EventStore(source_name())
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
    stream = f"s-{uuid.uuid4()}"
    await append_one(db, store, stream, 0, amount=7)
    async with db.read() as conn:
        (event,) = await store.load(conn, stream)
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka.bootstrap)
    await producer.start()
    await producer.send_and_wait(topic_for(store.source), b"{not an envelope", key=b"k")
    await producer.send_and_wait(topic_for(store.source), event.model_dump_json().encode(), key=b"k")
    await producer.stop()
    consumer = make_consumer(db, store, servers, interval=3600)  # Kafka path only
    task = asyncio.create_task(consumer.run_kafka())
    try:
        async with asyncio.timeout(20):
            while await consumer.watermark(store.source) < event.position:
                await asyncio.sleep(0.1)
    finally:
        task.cancel()
    assert await counter(db, store.source) == 7


async def test_a_quiet_consumer_waits_long_at_the_broker_and_still_wakes_for_the_next_event(
    db: Database, servers: Servers
) -> None:
    """Issue 14, item 4: once nothing came for a while the Kafka fetch waits QUIET_FETCH_WAIT_MS (the
    embedded broker answers a delayed fetch only when its wait runs out: a short wait costs CPU doing
    nothing); the next record still arrives within that wait, and the consumer is busy again."""
    store = EventStore(source_name())
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
    relay = OutboxRelay(db, store, servers.kafka.bootstrap)
    consumer = make_consumer(db, store, servers, interval=3600)  # the Kafka path only
    consumer.quiet_after = 1.0
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run_kafka())]
    stream = f"s-{uuid.uuid4()}"
    try:
        await append_one(db, store, stream, 0)
        async with asyncio.timeout(30):
            while await counter(db, store.source) < 1:
                await asyncio.sleep(0.05)
        async with asyncio.timeout(10):
            while consumer.fetch_wait_ms != QUIET_FETCH_WAIT_MS:
                await asyncio.sleep(0.1)
        await append_one(db, store, stream, 1)
        started = asyncio.get_running_loop().time()
        async with asyncio.timeout(10):
            while await counter(db, store.source) < 2:
                await asyncio.sleep(0.02)
        woke_after = asyncio.get_running_loop().time() - started
        assert consumer.fetch_wait_ms == BUSY_FETCH_WAIT_MS
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert woke_after < QUIET_FETCH_WAIT_MS / 1000 + 2.0  # the long wait, the relay's and the feed's way


async def append_amounts(db: Database, store: EventStore, amounts: tuple[int, ...]) -> None:
    """One `Incremented` event a stream for each amount, in one transaction, then positioned."""
    async with db.transaction() as conn:
        for i, by in enumerate(amounts):
            await store.append(conn, "counter", f"s-{i}", 0, [NewEvent("Incremented", {"by": by})], Metadata("test"))
    await Positioner(db).position_all()


def feed_consumer(db: Database, store: EventStore, servers: Servers, subscription: Subscription) -> EventConsumer:
    """A consumer of one source that only catches up when asked (two tries before a dead letter)."""
    return EventConsumer(
        f"c-{store.source}",
        db,
        [subscription],
        bootstrap=servers.kafka.bootstrap,
        feeds={store.source: StoreFeed(db, store)},  # type: ignore[dict-item]
        catchup_interval=3600,
        max_attempts=2,
        retry_backoff=0.01,
    )


class CountingDatabase(Database):
    """The same database, counting the transactions this client opens."""

    transactions = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        self.transactions += 1
        async with super().transaction() as conn:
            yield conn


async def test_a_page_of_the_feed_is_applied_in_one_transaction_with_its_watermark(
    db: Database, servers: Servers
) -> None:
    """Issue 14, item 2: catching up 1,200 events takes three transactions (pages of 500), each holding
    its events' projection writes and the watermark; caught up again, nothing changes."""
    store = EventStore(source_name())
    async with db.transaction() as conn:
        for i in range(1200):
            await store.append(conn, "counter", f"s-{i}", 0, [NewEvent("Incremented", {"by": 1})], Metadata("test"))
    await Positioner(db).position_all()
    consumer = make_consumer(db, store, servers, interval=3600)
    counting = CountingDatabase(str(db.engine.url.render_as_string(hide_password=False)))
    consumer.db = counting
    try:
        assert await consumer.catch_up(store.source) == 1200
        assert counting.transactions == 3
        assert await counter(db, store.source) == 1200
        assert await consumer.watermark(store.source) == 1200
        assert await consumer.catch_up(store.source) == 0
        assert await counter(db, store.source) == 1200
    finally:
        await counting.dispose()


async def test_a_page_whose_handler_fails_is_applied_one_event_at_a_time_and_keeps_what_went_before(
    db: Database, servers: Servers
) -> None:
    """A failing handler rolls its page back; the page is then applied event by event: the events before
    the failing one are kept, the failing one becomes a dead letter (its source parked), nothing after."""
    store = EventStore(source_name())
    await append_amounts(db, store, (1, 2, 1000, 4))

    async def refuses_large(ctx: object, conn: AsyncConnection, event: EventEnvelope) -> None:
        if event.payload["by"] >= 1000:
            raise ValueError("金额超出上限")
        await add_to_counter(ctx, conn, event)

    consumer = feed_consumer(db, store, servers, Subscription(store.source, {"Incremented": refuses_large}))
    assert await consumer.catch_up(store.source) == 2
    assert await counter(db, store.source) == 3
    assert await consumer.watermark(store.source) == 2
    assert consumer.status.sources[store.source].parked_at_position == 3


async def test_a_batch_handler_gets_each_run_of_its_type_in_one_call_in_position_order(
    db: Database, servers: Servers
) -> None:
    """Issue 14, item 2: a projection registered as a batch handler gets the consecutive events it takes
    in one call (of any of its types; an event no handler takes does not break the run, one another handler
    takes does), in position order; caught up again, nothing is applied twice."""
    store = EventStore(source_name())
    kinds = ["Incremented"] * 2 + ["Doubled", "Noted"] + ["Incremented"] * 2 + ["Reset"] + ["Incremented"]
    async with db.transaction() as conn:
        for i, kind in enumerate(kinds):
            await store.append(conn, "counter", f"s-{i}", 0, [NewEvent(kind, {"by": 1})], Metadata("test"))
    await Positioner(db).position_all()
    calls: list[tuple[str, list[int]]] = []

    async def runs(ctx: object, conn: AsyncConnection, events: list[EventEnvelope]) -> None:
        calls.append(("runs", [e.position for e in events]))

    async def reset(ctx: object, conn: AsyncConnection, event: EventEnvelope) -> None:
        calls.append(("Reset", [event.position]))

    subscription = Subscription(store.source, {"Reset": reset}, batch_handlers={"Incremented": runs, "Doubled": runs})
    consumer = feed_consumer(db, store, servers, subscription)
    assert await consumer.catch_up(store.source) == 8
    assert calls == [("runs", [1, 2, 3, 5, 6]), ("Reset", [7]), ("runs", [8])]
    assert await consumer.catch_up(store.source) == 0
    assert len(calls) == 3
    with pytest.raises(ValueError, match="a handler and a batch handler"):
        Subscription(store.source, {"Reset": reset}, batch_handlers={"Reset": runs})


async def test_a_failing_batch_handler_gets_its_page_again_one_event_at_a_time(db: Database, servers: Servers) -> None:
    """The page rolls back; event by event the batch handler gets lists of one: the events before the
    failing one are kept, the failing one becomes a dead letter (its source parked)."""
    store = EventStore(source_name())
    await append_amounts(db, store, (1, 2, 1000, 4))
    sizes: list[int] = []

    async def add_all(ctx: object, conn: AsyncConnection, events: list[EventEnvelope]) -> None:
        sizes.append(len(events))
        for event in events:
            if event.payload["by"] >= 1000:
                raise ValueError("金额超出上限")
            await add_to_counter(ctx, conn, event)

    consumer = feed_consumer(
        db, store, servers, Subscription(store.source, {}, batch_handlers={"Incremented": add_all})
    )
    assert await consumer.catch_up(store.source) == 2
    assert sizes[0] == 4 and set(sizes[1:]) == {1}
    assert await counter(db, store.source) == 3
    assert consumer.status.sources[store.source].parked_at_position == 3
