"""A service starts with an empty corpus (the development seed is added through the API, never by the
service), announces each document added, and at start-up brings its on-disk index in line with the
corpus table, indexing only what changed while it was down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from plagiarism_service.adapters.shared_index import SharedIndex
from plagiarism_service.adapters.tables import corpus_documents
from plagiarism_service.app import build_context
from plagiarism_service.context import PlagiarismContext
from plagiarism_service.domain import CorpusDocument
from plagiarism_service.domain.events import CATALOGUE, CorpusDocumentAdded, CorpusDocumentRemoved
from plagiarism_service.service_layer import corpus
from sqlalchemy import func, select
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_EXTERNAL_ID, DEMO_SOURCE_TEXT, SEED_PAPERS

from .conftest import events_of

pytestmark = pytest.mark.stack

Reopen = Callable[[Path], PlagiarismContext]


async def test_a_first_start_in_production_finds_an_empty_corpus_and_seeds_nothing(
    kernel_parts: ServiceContext, tmp_path: Path
) -> None:
    settings = ServiceSettings(
        environment="production", database_url=kernel_parts.settings.database_url, service_client_secret="unused"
    )
    production = replace(kernel_parts, settings=settings)
    context = await build_context(production, SharedIndex(directory=tmp_path / "index"))
    try:
        assert len(context.index) == 0
        assert await corpus.list_documents(context, 0, 10) == (0, [])
        async with context.db.read() as conn:
            assert (await conn.execute(select(func.count()).select_from(corpus_documents))).scalar_one() == 0
        assert await events_of(context, "CorpusDocumentAdded") == []
    finally:
        context.index.close()


async def test_adding_the_seed_in_bulk_announces_each_document(ctx: PlagiarismContext) -> None:
    added = await events_of(ctx, "CorpusDocumentAdded")
    assert [e.stream_id for e in added] == [p.external_id for p in SEED_PAPERS]
    assert added[0].payload == {
        "external_id": DEMO_SOURCE_EXTERNAL_ID,
        "title": SEED_PAPERS[0].title,
        "chars": len(DEMO_SOURCE_TEXT),
    }
    assert {e.stream_type for e in added} == {"corpus_document"}
    assert isinstance(CATALOGUE.parse(added[0]), CorpusDocumentAdded)
    assert len(ctx.index) == len(SEED_PAPERS)
    async with ctx.db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(corpus_documents))).scalar_one()
        added_at = set((await conn.execute(select(corpus_documents.c.added_at))).scalars())
    assert count == len(SEED_PAPERS)
    assert added_at == {ctx.clock.now()}  # the service's clock, not the machine's


async def test_a_restart_keeps_the_index_on_disk_and_indexes_only_what_changed(
    ctx: PlagiarismContext, reopened: Reopen, tmp_path: Path
) -> None:
    await corpus.remove_document(ctx, SEED_PAPERS[1].external_id, Metadata(actor="test"))
    assert SEED_PAPERS[1].external_id not in ctx.index
    ctx.index.close()

    restarted = reopened(tmp_path / "index")
    assert await corpus.load_index(restarted) == 0  # nothing re-ingested
    assert SEED_PAPERS[1].external_id not in restarted.index
    assert DEMO_SOURCE_EXTERNAL_ID in restarted.index


async def test_an_empty_index_directory_is_rebuilt_from_the_table_without_removed_documents(
    ctx: PlagiarismContext, reopened: Reopen, tmp_path: Path
) -> None:
    await corpus.remove_document(ctx, SEED_PAPERS[1].external_id, Metadata(actor="test"))
    fresh = reopened(tmp_path / "elsewhere")
    assert await corpus.load_index(fresh) == len(SEED_PAPERS) - 1
    assert SEED_PAPERS[1].external_id not in fresh.index
    assert DEMO_SOURCE_EXTERNAL_ID in fresh.index


async def test_a_removed_document_is_announced_and_may_be_added_again_with_new_content(ctx: PlagiarismContext) -> None:
    seeded = SEED_PAPERS[2]
    first = await corpus.remove_document(ctx, seeded.external_id, Metadata(actor="test"))
    again = await corpus.remove_document(ctx, seeded.external_id, Metadata(actor="test"))
    assert (first.removed_now, again.removed_now) == (True, False)  # removing twice announces once
    assert seeded.external_id not in ctx.index
    (removed,) = await events_of(ctx, "CorpusDocumentRemoved")
    assert (removed.stream_id, removed.version) == (seeded.external_id, 2)
    assert CATALOGUE.parse(removed) == CorpusDocumentRemoved(external_id=seeded.external_id)

    document = CorpusDocument(seeded.external_id, seeded.title, "新的正文，内容与原文不同。", seeded.authors, None)
    outcome = await corpus.add_documents(ctx, [document], Metadata(actor="test"), skip_existing=False)
    assert outcome.added == [seeded.external_id]
    assert seeded.external_id in ctx.index
    readded = [e for e in await events_of(ctx, "CorpusDocumentAdded") if e.stream_id == seeded.external_id]
    assert [e.version for e in readded] == [1, 3]
