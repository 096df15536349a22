"""What provincial systems read for their 备案 records (issue 10 item 4): published committee results,
issued documents, and document numbers verified in bulk — each within the client's scope and series.
Every call is recorded by the kernel's access audit (tables.external_access)."""

from __future__ import annotations

from sqlalchemy import select
from zhicheng_kernel.auth import Principal, require_client_scope
from zhicheng_kernel.errors import NotFound

from ..adapters.tables import documents, sessions
from ..context import ReviewContext
from .queries import result_reason, verify_document
from .revocations import document_view
from .views import (
    BulkVerification,
    DocumentView,
    ExternalSessionResults,
    ResultView,
    VerifiedDocument,
)

MAX_PAGE = 500


async def published_results(
    ctx: ReviewContext, principal: Principal, year: int, series: str | None
) -> list[ExternalSessionResults]:
    """Committee results once public (NAT-3's publicity started): tallies per candidate, never a ballot."""
    require_client_scope(principal, "results:read")
    query = select(sessions.c.session_id).where(sessions.c.year == year).order_by(sessions.c.session_id)
    if series:
        query = query.where(sessions.c.series == series)
    answer: list[ExternalSessionResults] = []
    async with ctx.db.read() as conn:
        for session_id in (await conn.execute(query.limit(MAX_PAGE))).scalars():
            s = await ctx.session(conn, session_id)
            if s.publicity is None or s.tally is None or not principal.sees_series(s.series):
                continue
            tally = s.tally
            answer.append(
                ExternalSessionResults(
                    session_id=s.session_id,
                    year=s.year,
                    series=s.series,
                    level=s.level,
                    publicity_starts_at=s.publicity.publicity_starts_at,
                    publicity_ends_at=s.publicity.publicity_ends_at,
                    results=[ResultView(**r.model_dump(), reason=result_reason(r, tally)) for r in tally.results],
                )
            )
    return answer


async def issued_documents(
    ctx: ReviewContext, principal: Principal, year: int, series: str | None, after: str | None, limit: int
) -> list[DocumentView]:
    """Documents issued for `year` (and `series`), in number order, a page after `after`; a revoked one
    says so (NAT-8)."""
    require_client_scope(principal, "documents:read")
    query = select(documents).where(documents.c.payload["year"].as_integer() == year).order_by(documents.c.number)
    if series:
        query = query.where(documents.c.payload["series"].as_string() == series)
    if principal.series:
        query = query.where(documents.c.payload["series"].as_string().in_(sorted(principal.series)))
    if after:
        query = query.where(documents.c.number > after)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(query.limit(min(limit, MAX_PAGE)))).all()
    return [document_view(r) for r in rows]


async def verify_numbers(ctx: ReviewContext, principal: Principal, numbers: list[str]) -> BulkVerification:
    """NAT-10 in bulk: each number found (with the public answer) or not."""
    require_client_scope(principal, "documents:verify")
    found: list[VerifiedDocument] = []
    missing: list[str] = []
    for number in dict.fromkeys(n.strip() for n in numbers):
        try:
            found.append(await verify_document(ctx, number))
        except NotFound:
            missing.append(number)
    return BulkVerification(found=found, not_found=missing)
