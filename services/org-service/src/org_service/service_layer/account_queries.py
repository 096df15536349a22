"""A page of an organization's accounts for the web application's account, applicant and expert lists:
who may read which kinds (`readable_kinds`), filtered, counted and paged on the server."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.errors import Forbidden, NotFound
from zhicheng_kernel.roles import Role
from zhicheng_kernel.tables import events

from ..adapters.tables import accounts
from ..domain.account import AccountKind
from ..domain.events import ExpertRegistered


def readable_kinds(principal: Principal, org: dict[str, Any]) -> frozenset[AccountKind]:
    """The kinds of account of `org` the caller may list: its system administrator and auditor every
    kind in their subtree; an employer's applicant manager its own organization's applicants; a title
    office's committee secretary the experts its own office registered. Outside the subtree the
    organization does not exist for the caller (404); a role that reads none of its accounts is refused."""
    if not principal.covers(org["path"]):
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
    if principal.has(Role.SYSTEM_ADMIN, Role.AUDITOR):
        return frozenset(AccountKind)
    own = str(org["id"]) == principal.org_id
    kinds = set()
    if own and principal.has(Role.APPLICANT_MANAGEMENT):
        kinds.add(AccountKind.APPLICANT)
    if own and principal.has(Role.COMMITTEE_SECRETARY):
        kinds.add(AccountKind.EXPERT)
    if not kinds:
        raise Forbidden("accounts_not_readable", "当前账号无权查看该单位的账号。", field="org_id")
    return frozenset(kinds)


@dataclass(frozen=True)
class AccountPage:
    rows: list[dict[str, Any]]
    total: int
    # An expert's series and title level, from ExpertRegistered (the account read model keeps neither).
    experts: dict[uuid.UUID, ExpertRegistered]


async def account_page(
    conn: AsyncConnection,
    org_id: uuid.UUID,
    kinds: frozenset[AccountKind],
    *,
    active: bool | None,
    text: str | None,
    limit: int,
    offset: int,
) -> AccountPage:
    """The accounts of `org_id` of these kinds, by username; `text` matches a name or a username in part."""
    conditions: list[Any] = [accounts.c.org_id == org_id, accounts.c.kind.in_(sorted(k.value for k in kinds))]
    if active is not None:
        conditions.append(accounts.c.active == active)
    if text:
        conditions.append(
            or_(
                accounts.c.display_name.contains(text, autoescape=True),
                accounts.c.username.contains(text, autoescape=True),
            )
        )
    total: int = (await conn.execute(select(func.count()).select_from(accounts).where(*conditions))).scalar_one()
    found = await conn.execute(
        select(accounts).where(*conditions).order_by(accounts.c.username).limit(limit).offset(offset)
    )
    rows = [dict(r) for r in found.mappings()]
    expert_ids = [str(r["id"]) for r in rows if r["kind"] == AccountKind.EXPERT.value]
    experts: dict[uuid.UUID, ExpertRegistered] = {}
    if expert_ids:
        registered = await conn.execute(
            select(events.c.payload).where(
                events.c.stream_type == ExpertRegistered.stream_type,
                events.c.stream_id.in_(expert_ids),
                events.c.event_type == ExpertRegistered.event_type,
            )
        )
        for (payload,) in registered:
            event = ExpertRegistered.model_validate(payload)
            experts[event.account_id] = event
    return AccountPage(rows, total, experts)


def masked_id_card(number: str | None) -> str | None:
    """An ID number as a list shows it: the division and the last four characters, never the birth date."""
    return None if number is None else f"{number[:6]}{'*' * 8}{number[-4:]}"
