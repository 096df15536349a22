"""Public verification of a qualification document by its number (NAT-10), rate-limited per client
address (finding 20)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import StringConstraints
from zhicheng_kernel.inputs import CleanText
from zhicheng_kernel.problems import problem

from ..adapters.rate_limit import RateLimited, client_address
from ..service_layer import queries
from ..service_layer.views import VerifiedDocument
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/documents", tags=["职称资格文件"])

# A document number as a query carries it: one clean line (finding 27: no NUL, control, bidi or
# zero-width character reaches the database), bounded.
DocumentNumber = Annotated[CleanText, StringConstraints(min_length=4, max_length=64)]


def too_many(request: Request, limited: RateLimited) -> JSONResponse:
    """429 with Retry-After: the client checked more numbers than its window allows."""
    refused = problem(429, limited.code, limited.message, instance=request.url.path, retry_after=limited.retry_after)
    refused.headers["Retry-After"] = str(limited.retry_after)
    return refused


@router.get(
    "/verify",
    response_model=VerifiedDocument,
    responses={429: {"description": "查验过于频繁"}},
    summary="公开查验职称资格文件（NAT-10：电子证书与纸质证书具有同等效力，可公开查验；按来源地址限频）",
)
async def verify(
    request: Request, ctx: ContextDep, number: Annotated[DocumentNumber, Query(description="资格文件号")]
) -> VerifiedDocument | JSONResponse:
    try:
        await queries.count_public_check(ctx, client_address(request))
    except RateLimited as limited:
        return too_many(request, limited)
    return await queries.verify_document(ctx, number)
