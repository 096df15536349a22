"""Issue 12 on plagiarism-service's own database (no HTTP): checks are computed outside the consumer's
transaction within a time budget (finding 1), what the applicant typed decides neither "later sources"
nor "own work" (finding 6), and two replicas on one database answer from the same corpus (finding 17)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from plagiarism_service.adapters.shared_index import SharedIndex
from plagiarism_service.adapters.tables import checks
from plagiarism_service.app import build_context
from plagiarism_service.context import PlagiarismContext
from plagiarism_service.domain import CorpusDocument, rules
from plagiarism_service.service_layer import checks as check_cases
from plagiarism_service.service_layer import corpus
from plagiarism_service.settings import PlagiarismSettings
from pydantic import BaseModel
from sqlalchemy import select
from zhicheng_kernel.consumer import EventConsumer
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_EXTERNAL_ID, DEMO_SOURCE_TEXT, SEED_PAPERS

from .conftest import events_of

pytestmark = pytest.mark.stack

RequestCheck = Callable[..., EventEnvelope]

OWN_PROSE = (
    "本文结合笔者在华亭市一所初级中学的教学实践，讨论了课堂提问的设计原则。我们把提问分为记忆型、理解型和"
    "应用型三类，统计了二十节常态课中各类提问所占的比例，发现记忆型提问过多而应用型提问不足。针对这一情况，"
    "教研组通过同课异构和课后研讨，帮助教师重新设计关键问题，并在一个学期后再次统计，应用型提问的比例明显上升。"
)
COPYING = OWN_PROSE[:60] + DEMO_SOURCE_TEXT[:120] + OWN_PROSE[60:]
DEMO = SEED_PAPERS[0]  # CNKI-2019-0001, published 2019-03-15, by 李文华 and 张秀梅


class Answer(BaseModel):
    id: str
    status: str


async def _row(ctx: PlagiarismContext, event: EventEnvelope) -> Any:
    async with ctx.db.read() as conn:
        return (
            await conn.execute(select(checks).where(checks.c.id == check_cases.check_id_for_request(event.event_id)))
        ).one()


async def _checked(ctx: PlagiarismContext, consumer: EventConsumer, event: EventEnvelope) -> Any:
    assert await consumer.apply(event)
    await check_cases.finish_pending_checks(ctx)
    return await _row(ctx, event)


# -- finding 1: outside the consumer's transaction, within a budget --------------------------------------


async def test_finding_1_the_consumer_records_a_hostile_request_without_matching_it(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    """Finding 1: a check ran inside the consumer's transaction holding its watermark row; now the
    consumer only records the request, the worker computes it after, and a redelivery changes nothing."""
    hostile = "正文一段。\n参考文献" + " " * 20_000 + "。\n" + COPYING
    event = request_check(1, text=hostile)
    assert await consumer.apply(event)
    assert (await _row(ctx, event)).status == "running"  # committed with the watermark, unmatched
    assert await consumer.watermark("application-service") == 1
    assert await check_cases.finish_pending_checks(ctx) == 1
    assert not await consumer.apply(event)
    assert await check_cases.finish_pending_checks(ctx) == 0
    row = await _row(ctx, event)
    assert row.status == "completed"
    assert row.result["total_copy_ratio"] > 0


async def test_finding_1_a_check_out_of_its_time_budget_is_unavailable_caused_by_the_service(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    """Finding 1: no check may hold the service; one that runs out of its budget is abandoned and
    recorded "unavailable" (check_timed_out, caused by the service) and told to application-service."""
    settings = PlagiarismSettings(database_url=ctx.settings.database_url, plagiarism_check_budget_seconds=0.01)
    hurried = replace(ctx, settings=settings)
    event = request_check(1, text=COPYING * 200)
    assert await consumer.apply(event)
    assert await check_cases.finish_pending_checks(hurried) == 1
    row = await _row(ctx, event)
    assert row.status == "unavailable"
    assert row.error["code"] == check_cases.TIMED_OUT
    assert row.error["caused_by"] == "service"
    told = await events_of(ctx, "PaperCheckRejected")
    assert [(e.payload["code"], e.payload["caused_by"]) for e in told] == [(check_cases.TIMED_OUT, "service")]


# -- finding 6: nothing the applicant typed decides the verdict ------------------------------------------


async def test_finding_6_a_backdated_published_on_does_not_skip_later_sources(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    """Finding 6: a backdated `published_on` skipped later sources; the cutoff is the day the paper
    entered the system (reported as such), the typed date is only kept."""
    row = await _checked(ctx, consumer, request_check(1, text=COPYING, published_on="2001-01-01"))
    assert row.status == "completed"
    assert row.result["copy_ratio_excluding_own"] > 0.3
    assert str(row.published_on) == "2001-01-01"
    assert row.sources_until_basis == "entered_system"
    assert row.sources_until > DEMO.published_on


async def test_finding_6_typed_author_names_do_not_make_a_source_own_work_registered_accounts_do(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    """Finding 6: listing a source's authors made it "own work"; only the corpus sources registered to
    the applicant's account are."""
    typed = await _checked(ctx, consumer, request_check(1, text=COPYING, authors=list(DEMO.authors)))
    result = typed.result
    assert result["copy_ratio_excluding_own"] == result["total_copy_ratio"] > 0.3
    assert {p["own"] for p in result["passages"]} == {False}

    mine = CorpusDocument("MINE-1", "申报人早年的论文", OWN_PROSE, ("随便写的名字",), None)
    registered = {"MINE-1": ["applicant-1"]}  # the conftest's requests come from account applicant-1
    await corpus.add_documents(ctx, [mine], Metadata(actor="test"), skip_existing=False, author_accounts=registered)
    own = (await _checked(ctx, consumer, request_check(2, text=COPYING))).result
    assert {p["source_external_id"]: p["own"] for p in own["passages"]} == {
        "MINE-1": True,
        DEMO_SOURCE_EXTERNAL_ID: False,
    }
    assert own["copy_ratio_excluding_own"] < own["total_copy_ratio"]


@pytest.mark.parametrize("author", ["王\x07某", "王" * 101, "\u202e某某"])
async def test_finding_6_an_odd_author_name_from_application_service_does_not_make_the_check_rejected(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck, author: str
) -> None:
    """Finding 6: a control character or a 101-character author name made the check "rejected" (after
    which the employer may upload any ratio); names decide nothing here, so the paper is checked."""
    row = await _checked(ctx, consumer, request_check(1, text=COPYING, authors=[author]))
    assert row.status == "completed"
    assert row.result["total_copy_ratio"] > 0.3


async def test_finding_6_only_a_text_that_cannot_be_checked_is_unavailable_and_caused_by_the_applicant(
    ctx: PlagiarismContext, consumer: EventConsumer, request_check: RequestCheck
) -> None:
    """Finding 6: a check that cannot run says whether the applicant caused it."""
    row = await _checked(ctx, consumer, request_check(1, text="……！？"))
    assert row.status == "unavailable"
    assert row.error == {
        "code": "text_no_content",
        "message": row.error["message"],
        "field": "text",
        "caused_by": "applicant",
    }


# -- finding 17: every replica answers from the same corpus --------------------------------------------


@pytest.fixture
async def two_replicas(kernel_parts: ServiceContext, tmp_path: Path) -> AsyncIterator[tuple[PlagiarismContext, ...]]:
    """Two instances of the service built by its factory on ONE database, each with its own index."""
    first = await build_context(kernel_parts, SharedIndex(directory=tmp_path / "replica-1"))
    second = await build_context(kernel_parts, SharedIndex(directory=tmp_path / "replica-2"))
    yield first, second
    first.index.close()
    second.index.close()


async def test_finding_17_two_replicas_answer_the_same_matches_after_a_corpus_change_through_one(
    two_replicas: tuple[PlagiarismContext, PlagiarismContext],
) -> None:
    """Finding 17: plagiarism replicas held different indexes (a document added through one replica
    was unknown to the other until it restarted); both now follow the shared event store."""
    first, second = two_replicas
    query = rules.check_input(COPYING, "论文", [], "core", None)

    async def matches(replica: PlagiarismContext) -> list[str]:
        answer = await check_cases.check_paper(
            replica, query, meta=Metadata(actor="applicant-1"), org_path="/o/", answer=Answer
        )
        async with replica.db.read() as conn:
            row = (await conn.execute(select(checks).where(checks.c.id == answer.id))).one()
        return sorted({p["source_external_id"] for p in row.result["passages"]})

    assert await matches(first) == await matches(second) == []
    docs = [CorpusDocument(p.external_id, p.title, p.text, p.authors, p.published_on) for p in SEED_PAPERS[:3]]
    await corpus.add_documents(first, docs, Metadata(actor="test"), skip_existing=True)
    assert await matches(first) == await matches(second) == [DEMO_SOURCE_EXTERNAL_ID]

    await corpus.remove_document(second, DEMO_SOURCE_EXTERNAL_ID, Metadata(actor="test"))
    assert await matches(first) == await matches(second) == []
    assert DEMO_SOURCE_EXTERNAL_ID not in first.index and DEMO_SOURCE_EXTERNAL_ID not in second.index
