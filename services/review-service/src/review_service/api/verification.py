"""Public verification of a qualification document by its number (NAT-10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..service_layer import queries
from ..service_layer.views import VerifiedDocument
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/documents", tags=["职称资格文件"])


@router.get(
    "/verify",
    response_model=VerifiedDocument,
    summary="公开查验职称资格文件（NAT-10：电子证书与纸质证书具有同等效力，可公开查验）",
)
async def verify(
    ctx: ContextDep, number: Annotated[str, Query(min_length=4, max_length=64, description="资格文件号")]
) -> VerifiedDocument:
    return await queries.verify_document(ctx, number)
