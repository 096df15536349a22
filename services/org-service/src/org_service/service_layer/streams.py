"""Loading org-service's aggregates from their streams, and appending with the read models kept up."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from zhicheng_kernel.errors import NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.unit_of_work import UnitOfWork

from ..domain.account import Account
from ..domain.events import ACCOUNT, CATALOGUE, EXTERNAL_CLIENT, ORGANIZATION
from ..domain.external_client import ExternalClient
from ..domain.organization import Organization
from ..projections import read_models


async def _events(uow: UnitOfWork, stream_type: str, ident: uuid.UUID | str | None) -> list[DomainEvent] | None:
    try:
        key = uuid.UUID(str(ident))
    except ValueError:
        return None
    stream = await uow.load(str(key))
    if not stream.events or stream.events[0].stream_type != stream_type:
        return None
    return [CATALOGUE.parse(e) for e in stream.events]


async def organization(uow: UnitOfWork, org_id: uuid.UUID | str | None) -> Organization:
    events = await _events(uow, ORGANIZATION, org_id)
    if events is None:
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
    return Organization.from_events(events)


async def account(uow: UnitOfWork, account_id: uuid.UUID | str | None) -> Account:
    events = await _events(uow, ACCOUNT, account_id)
    if events is None:
        raise NotFound("account_not_found", "未找到该账号。")
    return Account.from_events(events)


async def external_client(uow: UnitOfWork, client_id: uuid.UUID | str | None) -> ExternalClient:
    events = await _events(uow, EXTERNAL_CLIENT, client_id)
    if events is None:
        raise NotFound("external_client_not_found", "未找到该外部系统客户端。")
    return ExternalClient.from_events(list(events))


async def append(uow: UnitOfWork, stream_id: uuid.UUID, expected_version: int, events: Sequence[DomainEvent]) -> None:
    """Append to one stream and apply what was written to the read models, in the same transaction."""
    written = await uow.append(events[0].stream_type, str(stream_id), expected_version, events)
    await read_models.apply(uow.conn, written)
