"""Each service's event feed: the source of truth other services catch up from."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from .auth import CurrentPrincipal, require_service
from .context import ServiceContext
from .envelope import EventEnvelope
from .http_client import async_client

MAX_POSITION = 2**62  # a position query beyond any store (and within PostgreSQL's bigint)


class FeedPage(BaseModel):
    source: str
    head: int
    events: list[EventEnvelope]


def feed_router() -> APIRouter:
    router = APIRouter(tags=["事件流（内部）"])

    @router.get("/api/v1/events", response_model=FeedPage, summary="按全局位置读取本服务已提交的事件")
    async def read_feed(
        request: Request,
        principal: CurrentPrincipal,
        after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="从此位置之后开始")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> FeedPage:
        require_service(principal)
        ctx: ServiceContext = request.app.state.context
        async with ctx.db.read() as conn:
            events = await ctx.store.read_after(conn, after, limit)
            head = await ctx.store.head(conn)
        return FeedPage(source=ctx.store.source, head=head, events=events)

    return router


class TokenSource(Protocol):
    async def headers(self) -> dict[str, str]: ...


class FeedClient:
    """Reads one source's feed with the service's own token: what a consumer applies comes from here."""

    def __init__(self, source: str, base_url: str, credentials: TokenSource) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.last_head = 0  # the source's head at the last read (a consumer's lag is measured from it)

    async def read(self, after: int, limit: int = 500) -> list[EventEnvelope]:
        async with async_client(timeout=10) as client:
            response = await client.get(
                f"{self.base_url}/api/v1/events",
                params={"after": after, "limit": limit},
                headers=await self.credentials.headers(),
            )
            response.raise_for_status()
        page = FeedPage.model_validate(response.json())
        if page.source != self.source or any(e.source != self.source for e in page.events):
            raise ValueError(f"{self.base_url} answered as {page.source}, not as {self.source}")
        self.last_head = page.head
        return page.events
