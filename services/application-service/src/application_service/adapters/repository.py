"""Application and push streams in the kernel's event store, with their read models in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.errors import Conflict
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.eventstore import EventStore

from ..domain import events as ev
from ..domain.application import Application
from ..domain.rules import OrgNode
from ..projections import applications as application_view
from . import tables


class ApplicationRepository:
    def __init__(self, conn: AsyncConnection, store: EventStore) -> None:
        self.conn = conn
        self.store = store

    async def get(self, application_id: str) -> Application:
        """The aggregate rebuilt from its stream (an empty Application when the stream does not exist)."""
        history = await self.store.load(self.conn, application_id)
        return Application.rebuild(application_id, (ev.CATALOGUE.parse(e) for e in history))

    async def append(self, app: Application, new_events: Sequence[DomainEvent], meta: Metadata) -> list[EventEnvelope]:
        """Append after the version the aggregate was loaded at (ConcurrencyError if someone was first),
        then bring the read model up to date in the same transaction: the API reads its own writes."""
        if not new_events:
            return []
        stored = await self.store.append(self.conn, ev.APPLICATION_STREAM, app.id, app.version, new_events, meta)
        for envelope in stored:
            app.apply(ev.CATALOGUE.parse(envelope))
            app.version = envelope.version
        await application_view.project(self.conn, app, stored)
        return stored

    async def append_push(self, push_id: str, batch: DomainEvent, meta: Metadata) -> EventEnvelope:
        (stored,) = await self.store.append(self.conn, ev.PUSH_STREAM, push_id, 0, [batch], meta)
        p = stored.payload
        await self.conn.execute(
            tables.pushes.insert().values(
                id=push_id,
                year=p["year"],
                series=p["series"],
                level=p["level"],
                office_org_id=p["office_org_id"],
                application_ids=p["application_ids"],
                pushed_by=stored.actor,
                created_at=stored.occurred_at,
            )
        )
        return stored


async def org_with_ancestors(conn: AsyncConnection, org_id: str) -> dict[str, OrgNode]:
    """The org and every ancestor on its path that this service has learnt of (orgs read model)."""
    unit = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id == org_id))).first()
    if unit is None:
        return {}
    ids = [p for p in unit.path.strip("/").split("/") if p]
    rows = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id.in_([*ids, org_id])))).all()
    return {
        r.id: OrgNode(org_id=r.id, kind=r.kind, path=r.path, level=r.level, division_code=r.division_code) for r in rows
    }


@dataclass(frozen=True)
class Person:
    """Who an applicant's account is, as org-service's ApplicantRegistered said."""

    id_card_number: str  # what the front-line rosters and the blacklist list
    on_staff: bool


async def applicant_person(conn: AsyncConnection, account_id: str) -> Person:
    """The person behind an applicant's account, from the applicants projection (never from the token,
    which carries a username only); 409 until org-service's ApplicantRegistered has arrived."""
    row = (
        await conn.execute(
            select(tables.applicants.c.id_card_number, tables.applicants.c.on_staff).where(
                tables.applicants.c.account_id == account_id
            )
        )
    ).first()
    if row is None or row.id_card_number is None:
        raise Conflict("applicant_not_synced", "尚未获取到您的申报人登记信息，请稍后重试。", field="applicant_id")
    return Person(id_card_number=row.id_card_number, on_staff=row.on_staff)
