"""What every service checks before a route runs: bodies within the route's cap, the caller's token
before its body is read, no NUL character in the path or query; and a liveness probe without I/O.

- Finding 13 of issue 12 (bodies parsed before authentication, 64 MB on every route): a body may hold
  at most DEFAULT_BODY_LIMIT bytes unless its route is listed in BODY_LIMITS; the cap is enforced from
  Content-Length and again while the body streams in (chunked uploads), answering 413. A route that
  requires a bearer token answers 401/403 before a byte of its body is read.
- Finding 27 (a NUL character in a query reached PostgreSQL: 500): 422 before any route runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import check_route_audience, oauth2_scheme
from .errors import DomainError
from .problems import problem

MB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MB
# The routes whose bodies may be larger (method, route path): uploads and long texts, each cap its
# route's own limit plus the envelope (multipart framing, JSON escapes of Chinese text: 6 bytes a char).
BODY_LIMITS: dict[tuple[str, str], int] = {
    # application-service: up to 10 papers of 200,000 characters; attachments and external reports of 20 MB
    ("POST", "/api/v1/applications"): 16 * MB,
    ("PUT", "/api/v1/applications/{application_id}"): 16 * MB,
    ("POST", "/api/v1/applications/{application_id}/attachments"): 21 * MB,
    ("POST", "/api/v1/applications/{application_id}/papers/{paper_id}/external-report"): 21 * MB,
    # application-service: CSV / Excel imports of 5 MB
    ("POST", "/api/v1/calendar/years/{year}/import"): 6 * MB,
    ("POST", "/api/v1/schedules/{year}/import"): 6 * MB,
    ("POST", "/api/v1/registries/{name}/import"): 6 * MB,
    # plagiarism-service: texts of up to 1,000,000 characters; the corpus's bulk import
    ("POST", "/api/v1/checks"): 8 * MB,
    ("POST", "/api/v1/corpus/documents"): 8 * MB,
    ("POST", "/api/v1/corpus/documents:bulk"): 32 * MB,
    # review-service: a complaint with up to 3 attachments of 2 MB in base64
    ("POST", "/api/v1/public/publicity/{session_id}/complaints"): 10 * MB,
}
# The gateway's client_max_body_size follows the same table (tests/edge checks they agree).


@dataclass(frozen=True)
class _RouteFacts:
    pattern: re.Pattern[str]
    methods: frozenset[str]
    limit: int
    needs_token: bool


def _route_table(app: FastAPI, limits: dict[tuple[str, str], int]) -> list[_RouteFacts]:
    """Every API route of the application (those of included routers too) with its cap and whether it
    reads the bearer token."""
    table = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if not isinstance(route.original_route, APIRoute) or dependant is None:
            continue
        methods, path = frozenset(route.methods or ()), route.path or ""
        limit = max((limits.get((m, path), 0) for m in methods), default=0) or DEFAULT_BODY_LIMIT
        pattern, _, _ = compile_path(path)
        table.append(_RouteFacts(pattern, methods, limit, _needs_token(dependant)))
    return table


def _needs_token(dependant: Dependant) -> bool:
    """Whether the route (through any of its dependencies) reads the bearer token."""
    return any(d.call is oauth2_scheme or _needs_token(d) for d in dependant.dependencies)


def _nul_field(scope: Scope) -> str | None:
    """The path or query parameter holding a NUL character, if any."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in query and "\x00" not in query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace"):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return None


class EdgeMiddleware:
    """Refuses what no route should see (finding 13, finding 27) before the application runs."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI, limits: dict[tuple[str, str], int] | None = None) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.limits = BODY_LIMITS if limits is None else limits
        self._table: list[_RouteFacts] | None = None

    def _route_facts(self, scope: Scope) -> tuple[int, bool]:
        """The body cap and whether a token is required, of the route this request goes to."""
        if self._table is None:  # routes are all included before the first request
            self._table = _route_table(self.fastapi_app, self.limits)
        path, method = scope.get("path", ""), scope.get("method", "")
        for facts in self._table:
            if method in facts.methods and facts.pattern.match(path):
                return facts.limit, facts.needs_token
        return DEFAULT_BODY_LIMIT, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        instance = scope.get("path", "")
        field = _nul_field(scope)
        if field is not None:
            message = f"{field}：不允许包含空字符（NUL）。"
            refusal = problem(422, "nul_character", message, field=field, instance=instance.replace("\x00", ""))
            await refusal(scope, receive, send)
            return
        limit, needs_token = self._route_facts(scope)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit, instance)(scope, receive, send)
            return
        if needs_token:
            refusal = await self._authenticate(scope, headers.get("authorization", ""))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self._capped(scope, receive, send, limit, instance)

    async def _authenticate(self, scope: Scope, authorization: str) -> Any:
        """The token's refusal before the body is read (the route's dependency checks it again)."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return problem(401, "unauthenticated", "请先登录。", instance=scope.get("path", ""))
        verifier = getattr(self.fastapi_app.state, "verifier", None)
        if verifier is None:
            return None
        try:
            principal = await verifier.verify(token.strip())
            context = getattr(self.fastapi_app.state, "context", None)
            check_route_audience(principal, scope.get("path", ""), str(getattr(context, "name", "")))
        except DomainError as exc:
            extra: dict[str, Any] = dict(exc.extra)
            return problem(exc.status, exc.code, exc.message, instance=scope.get("path", ""), **extra)
        return None

    async def _capped(self, scope: Scope, receive: Receive, send: Send, limit: int, instance: str) -> None:
        received = 0
        responded = False  # the 413 went out: whatever the application sends after it is dropped
        started = False  # the application began its own answer (then the connection just ends)

        async def capped_receive() -> Message:
            nonlocal received, responded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not responded and not started:
                        responded = True
                        await _too_large(limit, instance)(scope, receive, send)
                    # the application sees a client that went away and answers nothing more
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not responded:
                started = True
                await send(message)

        await self.app(scope, capped_receive, guarded_send)


def _too_large(limit: int, instance: str) -> Any:
    return problem(
        413, "body_too_large", f"请求内容过大（此接口最多 {limit // 1024} KB）。", instance=instance, max_bytes=limit
    )


def install_edge(app: FastAPI, limits: dict[tuple[str, str], int] | None = None) -> None:
    """The edge checks (outermost middleware) and the liveness probe `/livez` (no I/O: a live process
    answers; readiness stays `/health`, which reads the database)."""
    app.add_middleware(EdgeMiddleware, fastapi_app=app, limits=limits)

    @app.get("/livez", tags=["运维"], summary="存活探针（不访问数据库）")
    async def livez() -> dict[str, str]:
        return {"status": "alive"}
