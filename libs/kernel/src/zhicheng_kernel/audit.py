"""The business audit of a service (finding 16): who did what, when, and how it ended.

Every command that goes through `unit_of_work.execute` writes one `audit_log` row in the same
transaction as its events: who (subject, roles, organisation), what (the route's method and template,
the streams it loaded or appended to, the types of the events it appended — never their payloads, so
no ballot content and no ID numbers), when, and the outcome. A refused command (a problem answered to
a mutating request, in `execute` or before it) is recorded too, in a transaction of its own.

A service keeps the table (a migration of its own calling `migrations.create_audit_log_table()`, its
`adapters/tables.py` declaring `audit_log_table(metadata)`) and passes it to
`create_service_app(audit_log=...)`. Auditors of an organisation read the rows of their subtree at
`GET /api/v1/audit/<short name>` (`application`, `review`, `plagiarism`), newest first, in bounded pages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from .auth import Principal, current_actor, current_principal, require_role
from .context import ServiceContext
from .errors import Forbidden
from .inputs import LimitQuery, OffsetQuery
from .origin import current_origin
from .roles import Role
from .telemetry import current_ids

log = logging.getLogger("zhicheng.audit")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Commands appended under an anonymous actor are secret (NAT-2: review-service's ballot box): their row
# names neither the caller nor the streams, events, address or trace, so it cannot tie a voter to a ballot.
SECRET_ACTORS = frozenset({"ballot-box"})
Outcome = Literal["done", "replayed", "refused", "failed"]


def audit_log_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("subject", Text, nullable=False),  # the account or client id (never a username: finding 21)
        Column("kind", Text, nullable=False),  # user, service, external; "system" for a background job
        Column("roles", JSONB, nullable=False),
        Column("org_id", Text, nullable=True),
        Column("org_path", Text, nullable=False),
        Column("command", Text, nullable=False),  # "POST /api/v1/applications/{application_id}/submit"
        Column("streams", JSONB, nullable=False),
        Column("event_types", JSONB, nullable=False),
        Column("outcome", Text, nullable=False),
        Column("status", Integer, nullable=True),
        Column("problem_code", Text, nullable=True),
        Column("correlation_id", Text, nullable=False),
        Column("ip", Text, nullable=False),
        Index("audit_log_org_path_at", "org_path", "at"),
    )


_tables: dict[str, Table] = {}


def enable(service: str, table: Table) -> None:
    """`execute` of `service` writes its audit rows to `table` (create_service_app calls this)."""
    _tables[service] = table


def table_of(ctx: ServiceContext) -> Table | None:
    return _tables.get(ctx.name)


@dataclass
class RequestAudit:
    """What the audit knows of the request being handled, and whether a row was written for it."""

    method: str
    scope: dict[str, Any]
    written: bool = False

    @property
    def command(self) -> str:
        route = self.scope.get("route")
        return f"{self.method} {getattr(route, 'path', None) or self.scope.get('path', '')}"[:300]

    @property
    def principal(self) -> Principal | None:
        found = self.scope.get("state", {}).get("principal")
        return found if isinstance(found, Principal) else None


current_request: ContextVar[RequestAudit | None] = ContextVar("current_request_audit", default=None)


@dataclass
class Entry:
    command: str
    outcome: Outcome
    status: int | None  # the refusal's HTTP status; None when the command was done
    streams: Sequence[str] = ()
    event_types: Sequence[str] = ()
    problem_code: str | None = None
    principal: Principal | None = None
    actor: str = ""
    secret: bool = False


def entry_for(
    actor: str,
    outcome: Outcome,
    status: int | None = None,
    *,
    streams: Sequence[str] = (),
    event_types: Sequence[str] = (),
    problem_code: str | None = None,
    command: str | None = None,
) -> Entry:
    request = current_request.get()
    principal = request.principal if request is not None else None
    if actor in SECRET_ACTORS:
        command = command or (request.command if request is not None else "background")
        return Entry(
            command=command, outcome=outcome, status=status, problem_code=problem_code, actor=actor, secret=True
        )
    return Entry(
        command=command or (request.command if request is not None else "background"),
        outcome=outcome,
        status=status,
        streams=list(dict.fromkeys(streams))[:200],
        event_types=list(dict.fromkeys(event_types))[:200],
        problem_code=problem_code,
        principal=principal or current_actor.get(),
        actor=actor,
    )


async def write(conn: AsyncConnection, table: Table, entry: Entry, at: datetime) -> None:
    """One audit row (in the caller's transaction)."""
    principal = entry.principal
    origin = None if entry.secret else current_origin.get()
    ids = None if entry.secret else current_ids()
    await conn.execute(
        table.insert().values(
            at=at,
            subject=(principal.subject if principal else entry.actor)[:200],
            kind=principal.kind if principal else ("anonymous" if entry.secret else "system"),
            roles=sorted(principal.roles) if principal else [],
            org_id=principal.org_id if principal else None,
            org_path=principal.org_path if principal else "",
            command=entry.command,
            streams=list(entry.streams),
            event_types=list(entry.event_types),
            outcome=entry.outcome,
            status=entry.status,
            problem_code=entry.problem_code,
            correlation_id=ids[0] if ids else (origin.request_id if origin else ""),
            ip=origin.ip if origin else "",
        )
    )
    request = current_request.get()
    if request is not None:
        request.written = True


async def write_apart(ctx: ServiceContext, table: Table, entry: Entry) -> None:
    """A row in a transaction of its own (a refused or failed command, whose own transaction rolled back)."""
    try:
        async with ctx.db.transaction() as conn:
            await write(conn, table, entry, ctx.clock.now())
    except Exception:
        log.exception("audit row not written for %s (%s)", entry.command, entry.outcome)


class AuditMiddleware:
    """Knows the request for `execute`'s rows; records a mutating request refused before it reached
    `execute` (a role or scope check, a validation error) when its caller is known."""

    def __init__(self, app: Any, service: str, table: Table) -> None:
        self.app = app
        self.service = service
        self.table = table

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in MUTATING:
            await self.app(scope, receive, send)
            return
        request = RequestAudit(str(scope["method"]), scope)
        token = current_request.set(request)
        status = 0
        problem_body = bytearray()

        async def watch(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status >= 400 and len(problem_body) < 65536:
                problem_body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            current_request.reset(token)
        if status >= 400 and not request.written and request.principal is not None:
            context: ServiceContext = scope["app"].state.context
            entry = Entry(
                command=request.command,
                outcome="refused" if status < 500 else "failed",
                status=status,
                problem_code=_problem_code(bytes(problem_body)),
                principal=request.principal,
            )
            await write_apart(context, self.table, entry)


def _problem_code(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    code = parsed.get("code") if isinstance(parsed, dict) else None
    return str(code)[:100] if code is not None else None


# -- reading it ---------------------------------------------------------------------------------


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    subject: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    roles: list[str] = Field(max_length=50)
    org_id: str | None = Field(default=None, max_length=100)
    command: str = Field(max_length=300)
    streams: list[str] = Field(max_length=200)
    event_types: list[str] = Field(max_length=200)
    outcome: str = Field(max_length=20)
    status: int | None = None
    problem_code: str | None = Field(default=None, max_length=100)
    correlation_id: str = Field(max_length=64)
    ip: str = Field(max_length=100)


class AuditPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[AuditEntryOut] = Field(max_length=500)


def audit_router(short_name: str, table: Table) -> APIRouter:
    """`GET /api/v1/audit/<short_name>`: the rows of the auditor's organisation subtree, newest first."""
    router = APIRouter(tags=["审计"])

    @router.get(
        f"/api/v1/audit/{short_name}",
        response_model=AuditPage,
        summary="业务操作记录（谁、何时、对哪些事项、做了什么、结果如何）",
    )
    async def read_audit(
        request: Request,
        principal: Annotated[Principal, Depends(current_principal)],
        offset: OffsetQuery = 0,
        limit: LimitQuery = 50,
        outcome: Annotated[Literal["done", "replayed", "refused", "failed"] | None, Query(description="结果")] = None,
    ) -> AuditPage:
        require_role(principal, Role.AUDITOR)
        if not principal.org_path:
            raise Forbidden("outside_scope", "审计账号须属于某一单位，方可查看其本单位及下级单位的操作记录。")
        context: ServiceContext = request.app.state.context
        scoped = table.c.org_path.startswith(principal.org_path, autoescape=True)
        if outcome is not None:
            scoped = scoped & (table.c.outcome == outcome)
        async with context.db.read() as conn:
            total = (await conn.execute(select(func.count()).select_from(table).where(scoped))).scalar_one()
            rows = (
                await conn.execute(
                    select(table)
                    .where(scoped)
                    .order_by(table.c.at.desc(), table.c.id.desc())
                    .offset(offset)
                    .limit(limit)
                )
            ).mappings()
            items = [AuditEntryOut.model_validate(dict(row)) for row in rows]
        return AuditPage(total=int(total), offset=offset, limit=limit, items=items)

    return router


def install_audit(app: FastAPI, service: str, table: Table) -> None:
    """The service's business audit: rows written by `execute` and refusals, read by auditors."""
    enable(service, table)
    app.add_middleware(AuditMiddleware, service=service, table=table)
    app.include_router(audit_router(service.removesuffix("-service"), table))
