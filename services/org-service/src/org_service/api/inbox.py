"""The inbox: a person's notifications and their organization's (projections/inbox.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from zhicheng_kernel.auth import CurrentPrincipal

from ..domain.notifications import Category, RecipientKind
from ..service_layer import inbox as inbox_cases
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/inbox", tags=["消息中心"])


class InboxItemOut(BaseModel):
    id: uuid.UUID
    recipient_kind: RecipientKind = Field(description="org：发给本单位；account：发给本人")
    recipient_id: str
    category: Category
    title_zh: str
    body_zh: str
    link: str = Field(description="相关事项的资源路径")
    source_event_type: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> InboxItemOut:
        return cls.model_validate({k: row[k] for k in cls.model_fields})


class InboxPageOut(BaseModel):
    items: list[InboxItemOut]
    total: int = Field(description="符合筛选条件的消息数")
    unread: int = Field(description="全部未读消息数")
    limit: int
    offset: int


@router.get("", response_model=InboxPageOut, summary="本人及本单位的消息（按时间倒序，可筛选未读、类别）")
async def list_inbox(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    unread: Annotated[bool, Query(description="只看未读")] = False,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> InboxPageOut:
    page = await inbox_cases.list_items(
        ctx, principal, unread_only=unread, category=category.value if category else None, limit=limit, offset=offset
    )
    return InboxPageOut(
        items=[InboxItemOut.of(r) for r in page.items],
        total=page.total,
        unread=page.unread,
        limit=limit,
        offset=offset,
    )


@router.post("/{item_id}/read", response_model=InboxItemOut, summary="标记一条消息为已读（只限本人或本单位的消息）")
async def mark_read(item_id: uuid.UUID, principal: CurrentPrincipal, ctx: ContextDep) -> InboxItemOut:
    return InboxItemOut.of(await inbox_cases.mark_read(ctx, principal, item_id))
