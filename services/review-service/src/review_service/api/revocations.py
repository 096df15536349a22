"""NAT-8: the city office revokes a qualification document for fraud.

The document is named by its number in the path, percent-encoded (平人社职称〔2026〕00001号 →
%E5%B9%B3...%E5%8F%B7); numbers hold no "/"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, StringConstraints
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import MultilineText
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..service_layer import revocations
from ..service_layer.views import RevocationView
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/documents", tags=["职称资格文件"])

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


class RevokeDocument(BaseModel):
    reason: Annotated[MultilineText, StringConstraints(min_length=1, max_length=500)] = Field(
        description="撤销理由（弄虚作假的事实），至多 500 字"
    )
    expected_version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="资格文件事件流的当前版本；填写时版本不符返回 409"
    )


@router.post(
    "/{number}/revocation",
    status_code=201,
    response_model=RevocationView,
    summary="撤销职称资格文件（NAT-8：弄虚作假取得的职称予以撤销，仅市职改办）",
)
async def revoke(
    number: Annotated[str, Path(min_length=4, max_length=64, description="资格文件号（URL 编码）")],
    body: RevokeDocument,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> RevocationView:
    return await revocations.revoke_document(
        ctx, principal, idem, number, reason=body.reason, expected_version=body.expected_version
    )
