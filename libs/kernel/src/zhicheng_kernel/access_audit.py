"""The access audit of external clients: every call a provincial system makes is recorded with who
(client, organisation), what (method, path, query, answer) and from where (address, request id), the
way org-service's audit trail records a person's commands. A service that serves external clients
keeps the `external_access` table (a migration of its own from `external_access_table`) and passes it
to `create_service_app(access_audit=...)`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text
from starlette.middleware.base import RequestResponseEndpoint

from .auth import Principal
from .context import ServiceContext
from .origin import current_origin

log = logging.getLogger("zhicheng.audit.external")


def external_access_table(metadata: MetaData) -> Table:
    return Table(
        "external_access",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("client_id", Text, nullable=False),
        Column("org_id", Text, nullable=True),
        Column("method", Text, nullable=False),
        Column("path", Text, nullable=False),
        Column("query", Text, nullable=False),
        Column("status", Integer, nullable=False),
        Column("ip", Text, nullable=False),
        Column("request_id", Text, nullable=False),
        Index("external_access_client_at", "client_id", "at"),
    )


def install_access_audit(app: FastAPI, table: Table) -> None:
    """Record each answered request of an external principal in the service's own database."""

    @app.middleware("http")
    async def audit_external(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        principal = getattr(request.state, "principal", None)
        if isinstance(principal, Principal) and principal.kind == "external":
            context: ServiceContext = request.app.state.context
            origin = current_origin.get()
            row = {
                "at": context.clock.now(),
                "client_id": principal.username[:100],
                "org_id": principal.org_id,
                "method": request.method,
                "path": request.url.path[:500],
                "query": request.url.query[:1000],
                "status": response.status_code,
                "ip": origin.ip if origin else "",
                "request_id": origin.request_id if origin else "",
            }
            try:
                async with context.db.transaction() as conn:
                    await conn.execute(table.insert().values(**row))
            except Exception:
                log.exception("external access not recorded: %s", row)
            log.info("external access %s %s %s → %s", row["client_id"], row["method"], row["path"], row["status"])
        return response
