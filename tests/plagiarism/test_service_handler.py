"""The PaperCheckRequested handler against the real PostgreSQL, through the kernel's consumer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from plagiarism_service.adapters.shared_index import SharedIndex
from plagiarism_service.adapters.tables import checks, corpus_documents
from plagiarism_service.app import MIGRATIONS_DIR
from plagiarism_service.consumers import CHECKS_CONSUMER, consumer_specs
from plagiarism_service.context import SERVICE_NAME, Context
from plagiarism_service.seed_corpus import DEMO_SOURCE_EXTERNAL_ID, DEMO_SOURCE_TEXT, SEED_PAPERS
from plagiarism_service.service_layer import corpus
from plagiarism_service.service_layer.checks import check_id_for_request
from sqlalchemy import func, select
from zhicheng_kernel.calendar import ChinaCalendar
from zhicheng_kernel.clock import SystemClock
from zhicheng_kernel.consumer import EventConsumer
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.migrations import upgrade
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.settings import ServiceSettings

from tests.harness import Servers

pytestmark = pytest.mark.stack

OWN_PROSE = (
    "本文结合笔者在华亭市一所初级中学的教学实践，讨论了课堂提问的设计原则。我们把提问分为记忆型、理解型和"
    "应用型三类，统计了二十节常态课中各类提问所占的比例，发现记忆型提问过多而应用型提问不足。针对这一情况，"
    "教研组通过同课异构和课后研讨，帮助教师重新设计关键问题，并在一个学期后再次统计，应用型提问的比例明显上升，"
    "学生回答问题时的表达也更加完整。"
)


@pytest.fixture
async def ctx(servers: Servers, tmp_path: Path) -> AsyncIterator[Context]:
    """A fresh database of the service, migrated and seeded as at a first start."""
    name = f"zc_pl_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    url = servers.postgres.url(name)
    await upgrade(url, MIGRATIONS_DIR)
    db = Database(url)
    runtime = ServiceRuntime(
        context=ServiceContext(
            name=SERVICE_NAME,
            settings=ServiceSettings(database_url=url),
            db=db,
            store=EventStore(SERVICE_NAME),
            clock=SystemClock(),
            calendar=ChinaCalendar(),
            credentials=None,  # type: ignore[arg-type]  # not used: no peer is called
            verifier=None,  # type: ignore[arg-type]
        ),
        relay=None,  # type: ignore[arg-type]
    )
    context = Context(index=SharedIndex(directory=tmp_path / "index"))
    context.attach(runtime)
    await corpus.load_index(context)
    await corpus.seed_if_empty(context)
    yield context
    context.index.close()
    await db.dispose()


def consumer_of(ctx: Context) -> EventConsumer:
    (spec,) = consumer_specs(ctx)
    assert spec.name == CHECKS_CONSUMER
    return EventConsumer(spec.name, ctx.runtime.db, spec.subscriptions, bootstrap="unused:0", feeds={})


def request_event(position: int, **payload: Any) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="PaperCheckRequested",
        schema_version=1,
        source="application-service",
        stream_id=str(uuid.uuid4()),
        stream_type="application",
        version=2,
        position=position,
        occurred_at=datetime.now(UTC),
        actor="applicant-1",
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload={
            "application_id": str(uuid.uuid4()),
            "paper_id": str(uuid.uuid4()),
            "title": "初中课堂提问设计的实践",
            "authors": ["赵某"],
            "journal_level": "provincial",
            "published_on": "2023-05-01",
            **payload,
        },
    )


async def events_of(ctx: Context, event_type: str) -> list[EventEnvelope]:
    async with ctx.runtime.db.read() as conn:
        return [e for e in await ctx.runtime.store.read_after(conn, 0, 1000) if e.event_type == event_type]


async def test_first_start_seeds_the_corpus_and_announces_each_document(ctx: Context) -> None:
    added = await events_of(ctx, "CorpusDocumentAdded")
    assert [e.stream_id for e in added] == [p.external_id for p in SEED_PAPERS]
    assert added[0].payload == {
        "external_id": DEMO_SOURCE_EXTERNAL_ID,
        "title": SEED_PAPERS[0].title,
        "chars": len(DEMO_SOURCE_TEXT),
    }
    assert {e.stream_type for e in added} == {"corpus_document"}
    assert len(ctx.index) == len(SEED_PAPERS)
    assert await corpus.seed_if_empty(ctx) is None  # a second start seeds nothing
    async with ctx.runtime.db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(corpus_documents))).scalar_one()
    assert count == len(SEED_PAPERS)


async def test_a_requested_check_is_stored_and_completed_once_however_often_it_is_delivered(ctx: Context) -> None:
    consumer = consumer_of(ctx)
    text = OWN_PROSE[:60] + DEMO_SOURCE_TEXT[:45] + OWN_PROSE[60:]
    event = request_event(1, text=text)
    assert await consumer.apply(event)
    assert not await consumer.apply(event)  # Kafka redelivery or the feed: the tracking row says no

    # Even a replay the tracking rows no longer remember finds the check by its derived id.
    async with ctx.runtime.db.transaction() as conn:
        handler = consumer.subscriptions["application-service"].handlers["PaperCheckRequested"]
        await handler(conn, event)

    check_id = str(check_id_for_request(event.event_id))
    (completed,) = await events_of(ctx, "PaperCheckCompleted")
    assert completed.stream_type == "check"
    assert completed.stream_id == check_id
    assert completed.causation_id == event.event_id
    assert completed.correlation_id == event.correlation_id
    payload = completed.payload
    assert set(payload) == {
        "check_id",
        "application_id",
        "paper_id",
        "total_copy_ratio",
        "copy_ratio_excluding_quotes",
        "copy_ratio_excluding_own",
        "max_single_source_ratio",
        "threshold",
        "decision",
    }
    assert payload["check_id"] == check_id
    assert payload["application_id"] == event.payload["application_id"]
    assert payload["paper_id"] == event.payload["paper_id"]
    assert payload["threshold"] == 0.25
    assert payload["decision"] == "pass"
    assert 0 < payload["copy_ratio_excluding_own"] < 0.25

    async with ctx.runtime.db.read() as conn:
        rows = (await conn.execute(select(checks).where(checks.c.request_event_id == event.event_id))).all()
    (row,) = rows
    assert str(row.id) == check_id
    assert row.status == "completed"
    assert row.origin == "application"
    assert [p["source_external_id"] for p in row.result["passages"]] == [DEMO_SOURCE_EXTERNAL_ID]


async def test_a_request_with_an_unusable_text_is_kept_as_rejected_and_told_to_the_requester(ctx: Context) -> None:
    consumer = consumer_of(ctx)
    event = request_event(1, text="\x00\x01binary", journal_level="core")
    assert await consumer.apply(event)
    assert await events_of(ctx, "PaperCheckCompleted") == []
    (rejected,) = await events_of(ctx, "PaperCheckRejected")
    assert rejected.payload["code"] == "text_binary"
    assert rejected.payload["application_id"] == event.payload["application_id"]
    assert rejected.payload["reason"]
    async with ctx.runtime.db.read() as conn:
        row = (await conn.execute(select(checks).where(checks.c.id == check_id_for_request(event.event_id)))).one()
    assert row.status == "rejected"
    assert row.error["code"] == "text_binary"
    # The consumer moved on: the next request is checked.
    assert await consumer.apply(request_event(2, text=OWN_PROSE))
    assert len(await events_of(ctx, "PaperCheckCompleted")) == 1


async def test_a_restart_keeps_the_index_on_disk_and_indexes_only_what_changed(ctx: Context, tmp_path: Path) -> None:
    await corpus.remove_document(ctx, SEED_PAPERS[1].external_id)
    assert SEED_PAPERS[1].external_id not in ctx.index
    ctx.index.close()

    restarted = Context(index=SharedIndex(directory=tmp_path / "index"))
    restarted.attach(ctx.runtime)
    assert await corpus.load_index(restarted) == 0  # nothing re-ingested
    assert SEED_PAPERS[1].external_id not in restarted.index
    assert DEMO_SOURCE_EXTERNAL_ID in restarted.index
    restarted.index.close()


async def test_an_empty_index_directory_is_rebuilt_from_the_table_without_removed_documents(
    ctx: Context, tmp_path: Path
) -> None:
    await corpus.remove_document(ctx, SEED_PAPERS[1].external_id)
    fresh = Context(index=SharedIndex(directory=tmp_path / "elsewhere"))
    fresh.attach(ctx.runtime)
    assert await corpus.load_index(fresh) == len(SEED_PAPERS) - 1
    assert SEED_PAPERS[1].external_id not in fresh.index
    assert DEMO_SOURCE_EXTERNAL_ID in fresh.index
    fresh.index.close()
