"""Harness pieces of plagiarism-service's tests: a migrated database of its own, the service's context
built by its real factory, its consumer, and application-service's requests as envelopes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from plagiarism_service.adapters.shared_index import SharedIndex
from plagiarism_service.app import MIGRATIONS_DIR, build_context
from plagiarism_service.consumers import CONSUMER, consumers
from plagiarism_service.context import SERVICE_NAME, PlagiarismContext
from plagiarism_service.domain import CorpusDocument
from plagiarism_service.service_layer import corpus
from zhicheng_kernel.auth import ServiceCredentials
from zhicheng_kernel.calendar import CHINA_TZ, ChinaCalendar
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.consumer import EventConsumer
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.migrations import upgrade
from zhicheng_kernel.positioner import position_now
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.testing import TokenSigner, envelope
from zhicheng_tooling.dev_seed.corpus import SEED_PAPERS

from tests.api_client import Api, bearer
from tests.harness import Servers, Stack

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=CHINA_TZ)


@pytest.fixture
async def kernel_parts(servers: Servers) -> AsyncIterator[ServiceContext]:
    """The kernel's part of the context over a fresh, migrated database; the clock stands at NOW."""
    name = f"zc_pl_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    url = servers.postgres.url(name)
    await upgrade(url, MIGRATIONS_DIR)
    db = Database(url)
    yield ServiceContext(
        name=SERVICE_NAME,
        settings=ServiceSettings(database_url=url),
        db=db,
        store=EventStore(SERVICE_NAME),
        clock=FixedClock(NOW),
        calendar=ChinaCalendar(),
        credentials=ServiceCredentials("http://127.0.0.1:9/unused", SERVICE_NAME, "unused"),  # no peer is called
        verifier=TokenSigner().verifier(),
    )
    await db.dispose()


@pytest.fixture
async def started(kernel_parts: ServiceContext, tmp_path: Path) -> AsyncIterator[PlagiarismContext]:
    """The context as the service builds it at a first start: index loaded, the corpus empty."""
    context = await build_context(kernel_parts, SharedIndex(directory=tmp_path / "index"))
    yield context
    context.index.close()


@pytest.fixture
async def ctx(started: PlagiarismContext) -> PlagiarismContext:
    """A started service whose corpus holds the development seed, added in bulk as its loader adds it."""
    docs = [CorpusDocument(p.external_id, p.title, p.text, p.authors, p.published_on) for p in SEED_PAPERS]
    await corpus.add_documents(started, docs, Metadata(actor="dev-seed"), skip_existing=True)
    return started


@pytest.fixture
def reopened(ctx: PlagiarismContext) -> Iterator[Callable[[Path], PlagiarismContext]]:
    """The same database with an index opened from ``directory`` (as after a restart), not yet loaded."""
    opened: list[PlagiarismContext] = []

    def reopen(directory: Path) -> PlagiarismContext:
        context = PlagiarismContext(**ctx.kernel_parts(), index=SharedIndex(directory=directory))
        opened.append(context)
        return context

    yield reopen
    for context in opened:
        context.index.close()


async def events_of(ctx: PlagiarismContext, event_type: str) -> list[EventEnvelope]:
    """The service's events of ``event_type`` as a reader of its store sees them: positioned (the test
    stands in for the service process, whose positioner positions what it committed)."""
    await position_now(ctx.db)
    async with ctx.db.read() as conn:
        return [e for e in await ctx.store.read_after(conn, 0, 1000) if e.event_type == event_type]


@pytest.fixture
def consumer(ctx: PlagiarismContext) -> EventConsumer:
    """The service's consumer of application-service's events, applied by hand (no Kafka, no feed)."""
    spec = next(s for s in consumers() if s.name == CONSUMER)
    return EventConsumer(spec.name, ctx.db, spec.subscriptions, bootstrap="unused:0", feeds={}, context=ctx)


@pytest.fixture
def request_check() -> Callable[..., EventEnvelope]:
    """application-service's PaperCheckRequested for one paper of a new application."""
    return paper_check_requested


def paper_check_requested(position: int, **payload: Any) -> EventEnvelope:
    body = {
        "application_id": str(uuid.uuid4()),
        "paper_id": str(uuid.uuid4()),
        "title": "初中课堂提问设计的实践",
        "authors": ["赵某"],
        "journal_level": "provincial",
        "published_on": "2023-05-01",
        **payload,
    }
    return envelope("application-service", "PaperCheckRequested", body, position=position, actor="applicant-1")


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def token(api: Api) -> str:
    """The city 职改办 business administrator: every business role, auditor and 职改办审核 included."""
    return api.operator_token()


def submit_check(api: Api, token: str, *, idempotency_key: str | None = None, **body: Any) -> httpx.Response:
    payload = {"title": "农村初中数学课堂提问的改进", "authors": ["王某某"], "journal_level": "core", **body}
    headers = {**bearer(token), "Content-Type": "application/json"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    # json.dumps escapes to ASCII, so even a lone surrogate travels as JSON text (\ud800).
    return api.http.post(api.url("plagiarism-service", "/api/v1/checks"), content=json.dumps(payload), headers=headers)


@pytest.fixture
def submit() -> Callable[..., httpx.Response]:
    """POST /api/v1/checks with a paper's defaults (a core journal), the body as given, even invalid."""
    return submit_check
