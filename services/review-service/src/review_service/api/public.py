"""The public results publicity (公示, NAT-3) without an account, its complaints (POL-PB-1, channel
"public"), and the organising unit's reading of a session's complaints with their contact details
and attachments.

Attachments travel as base64 in the JSON body (`attachments[].content_base64`): one request, one
validated body, the same problem answers as every other route; at most 3 files of at most 2 MB each
(about 8 MB of JSON), PDF, JPEG or PNG as their magic bytes say. The client's address for the rate
limit is the last X-Forwarded-For hop — the one the gateway appends itself — or the peer's address
without the header (adapters.rate_limit.client_address). A retry with the same Idempotency-Key and
body gets the first answer; without an account every such key belongs to the one actor "public",
so a client should send a random key (a UUID).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import CleanText, MultilineText
from zhicheng_kernel.problems import problem
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..adapters.rate_limit import RateLimited, client_address
from ..service_layer import public_publicity
from ..service_layer.public_publicity import (
    MAX_ATTACHMENTS,
    MAX_COMPLAINTS_LISTED,
    MAX_PAGE_SIZE,
    AttachmentInput,
    PublicComplaintFiled,
    PublicPublicity,
    PublicPublicityPage,
    SessionComplaint,
)
from .deps import ContextDep

router = APIRouter(prefix="/api/v1", tags=["评审结果公示（公开）"])

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]
PHONE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
BINARY = {"type": "string", "format": "binary"}
EMAIL = r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,185}\.[A-Za-z]{2,24}$"


class FilePublicComplaint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_id: CleanText = Field(min_length=1, max_length=100, description="公示名单中被投诉人的编号")
    content: MultilineText = Field(min_length=10, max_length=2000, description="反映的具体问题（10–2000 字）")
    complainant_name: CleanText = Field(min_length=1, max_length=50, description="投诉人姓名（实名）")
    contact_phone: str | None = Field(default=None, max_length=20, pattern=PHONE, description="手机或座机号码")
    contact_email: str | None = Field(default=None, max_length=254, pattern=EMAIL)
    attachments: list[AttachmentInput] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description="证明材料：不超过 3 个，每个不超过 2 MB"
    )

    @model_validator(mode="after")
    def _reachable(self) -> FilePublicComplaint:
        if not self.contact_phone and not self.contact_email:
            raise ValueError("请至少填写联系电话或电子邮箱中的一项")
        return self


@router.get(
    "/public/publicity",
    response_model=PublicPublicityPage,
    summary="公开：正在公示的评审结果（无需登录；不含投票、专家和未通过人员）",
)
async def list_publicity(
    ctx: ContextDep,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> PublicPublicityPage:
    return await public_publicity.publicities(ctx, offset, limit)


@router.get("/public/publicity/{session_id}", response_model=PublicPublicity, summary="公开：一次评审会议的结果公示")
async def get_publicity(
    ctx: ContextDep, session_id: Annotated[str, Path(min_length=1, max_length=100)]
) -> PublicPublicity:
    return await public_publicity.publicity(ctx, session_id)


@router.post(
    "/public/publicity/{session_id}/complaints",
    status_code=201,
    response_model=PublicComplaintFiled,
    summary="公开：公示期内投诉（无需账号，POL-PB-1；按来源地址和会议限频）",
    responses={429: {"description": "提交过于频繁（Retry-After 给出秒数）"}},
)
async def file_public_complaint(
    request: Request,
    body: FilePublicComplaint,
    ctx: ContextDep,
    idem: IdempotencyDep,
    session_id: Annotated[str, Path(min_length=1, max_length=100)],
) -> PublicComplaintFiled | JSONResponse:
    try:
        return await public_publicity.file_public_complaint(
            ctx,
            idem,
            session_id,
            client=client_address(request),
            application_id=body.application_id,
            content=body.content,
            complainant_name=body.complainant_name,
            contact_phone=body.contact_phone,
            contact_email=body.contact_email,
            attachments=body.attachments,
        )
    except RateLimited as limited:
        refused = problem(
            429, limited.code, limited.message, instance=request.url.path, retry_after=limited.retry_after
        )
        refused.headers["Retry-After"] = str(limited.retry_after)
        return refused


@router.get(
    "/sessions/{session_id}/complaints",
    response_model=list[SessionComplaint],
    summary="评委会组建单位查看本次会议的投诉（含公开投诉人的联系方式和证明材料目录）",
)
async def list_session_complaints(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    session_id: Annotated[str, Path(min_length=1, max_length=100)],
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_COMPLAINTS_LISTED)] = 100,
) -> list[SessionComplaint]:
    return await public_publicity.session_complaints(ctx, principal, session_id, offset, limit)


@router.get(
    "/complaints/{complaint_id}/attachments/{n}",
    response_class=Response,
    responses={
        200: {"content": {media: {"schema": BINARY} for media in ("application/pdf", "image/jpeg", "image/png")}}
    },
    summary="评委会组建单位下载公开投诉的证明材料",
)
async def get_attachment(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    complaint_id: Annotated[str, Path(min_length=1, max_length=100)],
    n: Annotated[int, Path(ge=1, le=MAX_ATTACHMENTS)],
) -> Response:
    found = await public_publicity.attachment(ctx, principal, complaint_id, n)
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
