"""Use cases of the reference corpus: add (one or in bulk), soft-remove, list, rebuild the index."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, not_found
from zhicheng_kernel.pace import run_paced
from zhicheng_kernel.positioner import position_now
from zhicheng_kernel.tables import events
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters.tables import corpus_documents
from ..context import PlagiarismContext
from ..domain import CorpusDocument, rules
from ..domain.events import CORPUS_DOCUMENT_STREAM, CorpusDocumentAdded, CorpusDocumentRemoved

log = logging.getLogger(__name__)

MAX_BULK = 1000


class AddOutcome(BaseModel):
    added: list[str]
    skipped: list[str]  # already in the corpus (bulk addition only)


class Removal(BaseModel):
    external_id: str
    removed_now: bool  # False: it had been removed before (removal is idempotent)


def validate_document(
    external_id: str,
    title: str,
    text: str,
    authors: Sequence[str],
    published_on: date | None,
    prefix: str = "",
) -> CorpusDocument:
    return CorpusDocument(
        external_id=rules.external_id(external_id, f"{prefix}external_id"),
        title=rules.clean_line(title, f"{prefix}title", "文献题目", max_chars=rules.MAX_TITLE_CHARS),
        text=rules.clean_text(text, f"{prefix}text"),
        authors=rules.clean_authors(authors, f"{prefix}authors"),
        published_on=published_on,
    )


async def _insert_or_restore(
    conn: AsyncConnection, doc: CorpusDocument, now: datetime, author_account_ids: Sequence[str] = ()
) -> bool | None:
    """True: a new row; False: a removed document restored with the new content; None: present."""
    values: dict[str, Any] = {
        "author_account_ids": list(author_account_ids),
        "external_id": doc.external_id,
        "title": doc.title,
        "text": doc.text,
        "authors": list(doc.authors),
        "published_on": doc.published_on,
        "chars": len(doc.text),
        "added_at": now,
        "removed": False,
        "removed_at": None,
    }
    stmt = insert(corpus_documents).values(values)
    upsert: Executable = stmt.on_conflict_do_update(
        index_elements=[corpus_documents.c.external_id],
        set_={k: stmt.excluded[k] for k in values if k != "external_id"},
        where=corpus_documents.c.removed,
    ).returning(literal_column("(xmax = 0)").label("fresh"))  # xmax = 0: inserted, not updated
    row = (await conn.execute(upsert)).first()
    return None if row is None else bool(row.fresh)


async def add_documents(
    ctx: PlagiarismContext,
    docs: Sequence[CorpusDocument],
    meta: Metadata,
    *,
    skip_existing: bool,
    author_accounts: Mapping[str, Sequence[str]] | None = None,
) -> AddOutcome:
    """Store the documents and append CorpusDocumentAdded for each, then bring the index up to the
    event store (as every other replica does: finding 17). The events are positioned before the index
    is synced: it follows positions, and an appended event has none until the positioner gives it one,
    so when this returns every replica's next sync (before each check) finds the change.

    A document already in the corpus is skipped when ``skip_existing`` (bulk addition),
    otherwise the whole call is refused with 409.  A removed document may be added again.
    ``author_accounts`` are the org-service accounts registered as each document's authors: what
    makes it someone's "own work" (finding 6).
    """
    added: list[CorpusDocument] = []
    now = ctx.clock.now()
    registered = author_accounts or {}

    async def store(uow: UnitOfWork) -> AddOutcome:
        added.clear()  # a retried attempt starts again
        skipped: list[str] = []
        for doc in docs:
            fresh = await _insert_or_restore(uow.conn, doc, now, registered.get(doc.external_id, ()))
            if fresh is None:
                if not skip_existing:
                    raise Conflict(
                        "corpus_document_exists", f"文献 {doc.external_id} 已在比对库中。", field="external_id"
                    )
                skipped.append(doc.external_id)
                continue
            version = 0 if fresh else (await uow.load(doc.external_id)).version
            event = CorpusDocumentAdded(external_id=doc.external_id, title=doc.title, chars=len(doc.text))
            await uow.append(CORPUS_DOCUMENT_STREAM, doc.external_id, version, [event])
            added.append(doc)
        return AddOutcome(added=[d.external_id for d in added], skipped=skipped)

    outcome = await execute(ctx, meta, store, answer=AddOutcome)
    await position_now(ctx.db)  # the index follows positioned events: this change's, before answering
    await sync_index(ctx)
    return outcome


async def remove_document(ctx: PlagiarismContext, external_id: str, meta: Metadata) -> Removal:
    """Soft removal: the row stays (removed = true), CorpusDocumentRemoved is appended, the index
    forgets the document. Removing a removed document changes nothing."""

    async def remove(uow: UnitOfWork) -> Removal:
        c = corpus_documents.c
        found = (
            await uow.conn.execute(select(c.removed).where(c.external_id == external_id).with_for_update())
        ).first()
        if found is None:
            raise not_found("比对库文献", "corpus_document_not_found", external_id, field="external_id")
        if found.removed:
            return Removal(external_id=external_id, removed_now=False)
        await uow.conn.execute(
            corpus_documents.update()
            .where(c.external_id == external_id)
            .values(removed=True, removed_at=ctx.clock.now())
        )
        version = (await uow.load(external_id)).version
        await uow.append(CORPUS_DOCUMENT_STREAM, external_id, version, [CorpusDocumentRemoved(external_id=external_id)])
        return Removal(external_id=external_id, removed_now=True)

    removal = await execute(ctx, meta, remove, answer=Removal)
    await position_now(ctx.db)  # the index follows positioned events: this change's, before answering
    await sync_index(ctx)
    return removal


async def list_documents(ctx: PlagiarismContext, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    c = corpus_documents.c
    async with ctx.db.read() as conn:
        total = (await conn.execute(select(func.count()).where(~c.removed))).scalar_one()
        rows = await conn.execute(
            select(c.external_id, c.title, c.authors, c.author_account_ids, c.published_on, c.chars, c.added_at)
            .where(~c.removed)
            .order_by(c.external_id)
            .offset(offset)
            .limit(limit)
        )
        return int(total), [dict(r._mapping) for r in rows]


def index_version(added_at: datetime) -> str:
    """What the index keeps of a row to tell, at the next start, whether it still holds that row."""
    return f"{added_at.timestamp():.6f}"


async def load_index(ctx: PlagiarismContext, batch: int = MAX_BULK) -> int:
    """Bring the index in line with corpus_documents at start-up; returns the number (re)indexed.

    The index persists, so only what changed while the service was down is indexed again: rows it
    does not hold (or holds with another ``added_at``) are added in bulk batches, documents that are
    no longer live rows are removed."""
    c = corpus_documents.c
    async with ctx.db.read() as conn:
        head = await ctx.store.head(conn)  # first: a change committed after it is synced later
        rows = await conn.execute(select(c.external_id, c.added_at).where(~c.removed))
        wanted = {r.external_id: index_version(r.added_at) for r in rows}
    ctx.index_position = max(ctx.index_position, head)
    held = ctx.index.versions()
    for external_id, version in held.items():
        if wanted.get(external_id) != version:
            await ctx.index.remove(external_id)
    missing = sorted(e for e, v in wanted.items() if held.get(e) != v)
    for i in range(0, len(missing), batch):
        chunk = missing[i : i + batch]
        async with ctx.db.read() as conn:
            found = await conn.execute(
                select(c.external_id, c.title, c.text, c.authors, c.published_on, c.added_at).where(
                    c.external_id.in_(chunk), ~c.removed
                )
            )
            found_rows = list(found)
        docs = [
            CorpusDocument(r.external_id, r.title, r.text, tuple(r.authors or ()), r.published_on) for r in found_rows
        ]
        await ctx.index.add_all(docs, {r.external_id: index_version(r.added_at) for r in found_rows})
    return len(missing)


# -- issue 12, finding 17: every replica's index follows the shared event store ----------------------


async def sync_index(ctx: PlagiarismContext) -> int:
    """Bring this replica's index up to the corpus events of the shared event store; returns the
    number of documents (re)indexed or forgotten.

    Every replica holds its own on-disk index; the event store (in PostgreSQL, shared by all of them)
    is the truth. The index remembers the last position it reflects (``ctx.index_position``):
    corpus events after it name the documents to take again from ``corpus_documents``. Called before
    every check, after every corpus change and periodically, so all replicas answer from the same
    corpus. Positions are given after the commit, in order (kernel eventstore.py): an event that is
    not positioned yet when the head is read here gets a position above it, so nothing below the head
    can appear later, and a change committed but not yet positioned is taken at a later sync.
    """
    async with ctx.corpus_lock:
        async with ctx.db.read() as conn:
            head = await ctx.store.head(conn)
            if head <= ctx.index_position:
                return 0
            changed = await conn.execute(
                select(events.c.stream_id)
                .where(
                    events.c.stream_type == CORPUS_DOCUMENT_STREAM,
                    events.c.position > ctx.index_position,
                    events.c.position <= head,
                )
                .distinct()
            )
            external_ids = sorted(changed.scalars())
            c = corpus_documents.c
            found = await conn.execute(
                select(c.external_id, c.title, c.text, c.authors, c.published_on, c.added_at).where(
                    c.external_id.in_(external_ids), ~c.removed
                )
            )
            live = {r.external_id: r for r in found}
        held = ctx.index.versions()
        for external_id in external_ids:
            row = live.get(external_id)
            if row is not None and held.get(external_id) == index_version(row.added_at):
                continue
            if external_id in ctx.index:
                await ctx.index.remove(external_id)
        docs = [
            CorpusDocument(r.external_id, r.title, r.text, tuple(r.authors or ()), r.published_on)
            for r in live.values()
            if r.external_id not in ctx.index
        ]
        if docs:
            await ctx.index.add_all(docs, {d.external_id: index_version(live[d.external_id].added_at) for d in docs})
        ctx.index_position = head
        return len(external_ids)


async def keep_index_in_step(ctx: PlagiarismContext) -> None:
    """A background job of every replica: the index follows corpus changes made through any replica (every
    check and every change through this one syncs it first; this is the quiet heartbeat between)."""
    await run_paced("the corpus index's sync", lambda: sync_index(ctx), heartbeat=ctx.settings.quiet_heartbeat_seconds)
