"""Where a request came from and who made it, for audit trails written next to the events."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(frozen=True)
class Origin:
    ip: str
    user_agent: str
    request_id: str


# Set by the gateway alone (deploy/gateway/nginx.conf: proxy_set_header X-Zc-Client-Addr $remote_addr).
CLIENT_ADDRESS_HEADER = "x-zc-client-addr"

current_origin: ContextVar[Origin | None] = ContextVar("current_origin", default=None)


class OriginMiddleware:
    """Records the caller's address, user agent and a request id for the duration of a request.

    The client's address is CLIENT_ADDRESS_HEADER, which the gateway sets from the connection's own
    `$remote_addr` (the real client behind a trusted load balancer: `set_real_ip_from`), over anything a
    client sent; never X-Forwarded-For, which any client writes (finding 14 of issue 12). Without the
    header (a call inside the cluster) it is the connection's peer. The request id is the caller's
    X-Request-ID when given, so a trace can cross services.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        client = scope.get("client")
        gateway = headers.get(CLIENT_ADDRESS_HEADER, "").strip()[:64]
        origin = Origin(
            ip=gateway or (client[0] if client else ""),
            user_agent=headers.get("user-agent", "")[:200],
            request_id=headers.get("x-request-id", "")[:64] or str(uuid.uuid4()),
        )
        token = current_origin.set(origin)
        try:
            await self.app(scope, receive, send)
        finally:
            current_origin.reset(token)
