"""The reference corpus over HTTP: add one, add in bulk, list metadata, soft-remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.inputs import LimitQuery, OffsetQuery

from ..domain import CorpusDocument
from ..service_layer import corpus
from .deps import ContextDep, require_corpus_keeper
from .schemas import CorpusAdded, CorpusBulkIn, CorpusDocumentIn, CorpusPage

router = APIRouter(prefix="/api/v1/corpus", tags=["比对库"])


def _validated(doc: CorpusDocumentIn, prefix: str = "") -> CorpusDocument:
    """The rules' checks on top of the schema's (external id shape, a text with content)."""
    return corpus.validate_document(doc.external_id, doc.title, doc.text, doc.authors, doc.published_on, prefix=prefix)


@router.post("/documents", status_code=201, response_model=CorpusAdded, summary="向比对库添加一篇文献")
async def add_document(body: CorpusDocumentIn, principal: CurrentPrincipal, ctx: ContextDep) -> CorpusAdded:
    await require_corpus_keeper(ctx, principal)
    doc = _validated(body)
    outcome = await corpus.add_documents(
        ctx,
        [doc],
        Metadata(actor=principal.subject),
        skip_existing=False,
        author_accounts={doc.external_id: body.author_account_ids},
    )
    return CorpusAdded(added=outcome.added, skipped=outcome.skipped)


@router.post("/documents:bulk", status_code=201, response_model=CorpusAdded, summary="批量添加文献（每次最多 1000 篇）")
async def add_documents(body: CorpusBulkIn, principal: CurrentPrincipal, ctx: ContextDep) -> CorpusAdded:
    await require_corpus_keeper(ctx, principal)
    if not body.documents:
        raise InvalidInput("documents_empty", "至少提交一篇文献。", field="documents")
    if len(body.documents) > corpus.MAX_BULK:
        raise InvalidInput("too_many_documents", f"每次最多提交 {corpus.MAX_BULK} 篇文献。", field="documents")
    docs = [_validated(d, f"documents.{i}.") for i, d in enumerate(body.documents)]
    seen: set[str] = set()
    for i, doc in enumerate(docs):
        if doc.external_id in seen:
            raise InvalidInput(
                "duplicate_external_id", f"文献编号 {doc.external_id} 重复。", field=f"documents.{i}.external_id"
            )
        seen.add(doc.external_id)
    registered = {d.external_id: d.author_account_ids for d in body.documents}
    outcome = await corpus.add_documents(
        ctx, docs, Metadata(actor=principal.subject), skip_existing=True, author_accounts=registered
    )
    return CorpusAdded(added=outcome.added, skipped=outcome.skipped)


@router.get("/documents", response_model=CorpusPage, summary="比对库文献列表（仅元数据，仅市职改办可查看）")
async def list_documents(
    principal: CurrentPrincipal, ctx: ContextDep, offset: OffsetQuery = 0, limit: LimitQuery = 50
) -> CorpusPage:
    await require_corpus_keeper(ctx, principal)
    total, items = await corpus.list_documents(ctx, offset, limit)
    return CorpusPage.model_validate({"total": total, "offset": offset, "limit": limit, "items": items})


@router.delete("/documents/{external_id}", status_code=204, summary="从比对库移除文献（保留记录）")
async def remove_document(
    external_id: Annotated[str, Path(max_length=100)], principal: CurrentPrincipal, ctx: ContextDep
) -> Response:
    await require_corpus_keeper(ctx, principal)
    await corpus.remove_document(ctx, external_id, Metadata(actor=principal.subject))
    return Response(status_code=204)
