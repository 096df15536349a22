"""application-service asks for a paper's check by event (PaperCheckRequested) and hears the verdict by
event: each request is checked once however often it arrives, outside the consumer's transaction (by the
check worker), and an unusable text is told as unavailable, caused by the applicant."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from plagiarism_service.adapters.tables import checks
from plagiarism_service.context import PlagiarismContext
from plagiarism_service.domain.events import CATALOGUE, PaperCheckCompleted, PaperCheckRejected
from plagiarism_service.service_layer.checks import check_id_for_request, finish_pending_checks
from sqlalchemy import select
from zhicheng_kernel.consumer import EventConsumer
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.testing import envelope
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_EXTERNAL_ID, DEMO_SOURCE_TEXT

from .conftest import events_of

pytestmark = pytest.mark.stack

RequestCheck = Callable[..., EventEnvelope]  # the conftest's request_check

OWN_PROSE = (
    "本文结合笔者在华亭市一所初级中学的教学实践，讨论了课堂提问的设计原则。我们把提问分为记忆型、理解型和"
    "应用型三类，统计了二十节常态课中各类提问所占的比例，发现记忆型提问过多而应用型提问不足。针对这一情况，"
    "教研组通过同课异构和课后研讨，帮助教师重新设计关键问题，并在一个学期后再次统计，应用型提问的比例明显上升，"
    "学生回答问题时的表达也更加完整。"
)


async def test_a_requested_check_is_stored_and_completed_once_however_often_it_is_delivered(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    text = OWN_PROSE[:60] + DEMO_SOURCE_TEXT[:45] + OWN_PROSE[60:]
    event = request_check(1, text=text)
    assert await consumer.apply(event)
    assert not await consumer.apply(event)  # Kafka redelivery or the feed: the tracking row says no

    # Even a replay the tracking rows no longer remember finds the check by its derived id.
    async with ctx.db.transaction() as conn:
        handler = consumer.subscriptions["application-service"].handlers["PaperCheckRequested"]
        await handler(ctx, conn, event)

    # Finding 1 of issue 12: the consumer only recorded the request; the worker computes it.
    assert await events_of(ctx, "PaperCheckCompleted") == []
    assert await finish_pending_checks(ctx) == 1
    assert await finish_pending_checks(ctx) == 0  # nothing left running: recorded once
    check_id = str(check_id_for_request(event.event_id))
    (completed,) = await events_of(ctx, "PaperCheckCompleted")
    assert completed.stream_type == "check"
    assert completed.stream_id == check_id
    assert completed.causation_id == event.event_id
    assert completed.correlation_id == event.correlation_id
    assert isinstance(CATALOGUE.parse(completed), PaperCheckCompleted)
    payload = completed.payload
    assert set(payload) == {
        "check_id",
        "application_id",
        "paper_id",
        "total_copy_ratio",
        "copy_ratio_excluding_quotes",
        "copy_ratio_excluding_own",
        "max_single_source_ratio",
        "copy_ratio_total",
        "largest_source_ratio",
    }
    assert payload["check_id"] == check_id
    assert payload["application_id"] == event.payload["application_id"]
    assert payload["paper_id"] == event.payload["paper_id"]
    assert 0 < payload["copy_ratio_excluding_own"] < 0.25
    assert payload["copy_ratio_total"] == payload["total_copy_ratio"]
    assert payload["largest_source_ratio"] == payload["max_single_source_ratio"]

    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(checks).where(checks.c.request_event_id == event.event_id))).all()
    (row,) = rows
    assert str(row.id) == check_id
    assert row.status == "completed"
    assert row.origin == "application"
    assert row.created_at == ctx.clock.now()
    assert [p["source_external_id"] for p in row.result["passages"]] == [DEMO_SOURCE_EXTERNAL_ID]


async def test_a_request_with_an_unusable_text_is_kept_as_unavailable_and_told_to_the_requester(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    event = request_check(1, text="\x00\x01binary", journal_level="core")
    assert await consumer.apply(event)
    assert await events_of(ctx, "PaperCheckCompleted") == []
    (rejected,) = await events_of(ctx, "PaperCheckRejected")
    assert rejected.payload["code"] == "text_binary"
    assert rejected.payload["application_id"] == event.payload["application_id"]
    assert rejected.payload["reason"]
    assert rejected.payload["caused_by"] == "applicant"
    assert CATALOGUE.parse(rejected) == PaperCheckRejected.model_validate(rejected.payload)
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(checks).where(checks.c.id == check_id_for_request(event.event_id)))).one()
    assert row.status == "unavailable"
    assert row.error["code"] == "text_binary"
    assert row.error["caused_by"] == "applicant"
    # The consumer moved on: the next request is checked.
    assert await consumer.apply(request_check(2, text=OWN_PROSE))
    assert await finish_pending_checks(ctx) == 1
    assert len(await events_of(ctx, "PaperCheckCompleted")) == 1


def test_a_version_1_paper_check_completed_is_read_without_its_verdict_and_with_the_cnki_names() -> None:
    old = envelope(
        "plagiarism-service",
        "PaperCheckCompleted",
        {
            "check_id": "c1",
            "application_id": "a1",
            "paper_id": "p1",
            "total_copy_ratio": 0.3,
            "copy_ratio_excluding_quotes": 0.2,
            "copy_ratio_excluding_own": 0.1,
            "max_single_source_ratio": 0.25,
            "threshold": 0.15,
            "decision": "pass",
        },
        schema_version=1,
    )
    parsed = CATALOGUE.parse(old)
    assert isinstance(parsed, PaperCheckCompleted)
    assert (parsed.copy_ratio_total, parsed.largest_source_ratio) == (0.3, 0.25)
    assert "decision" not in parsed.model_dump()
