"""Organizations: created under the caller's own (ORG-1..ORG-6) and deactivated through the unit of
work; read from the `organization` read model."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import ConcurrencyError, Conflict, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters import credentials, reservations
from ..adapters.reservations import Scope
from ..adapters.tables import organizations
from ..api.schemas import AccountCreated, OrganizationCreatedOut, OrganizationOut
from ..context import OrgContext
from ..domain.events import AdminAccountCreated, OrganizationCreated
from ..domain.identity import normalise_name
from ..domain.kinds import Level, OrgKind
from ..domain.organization import NewOrganization, check_facts
from ..security.passwords import hash_password, initial_password
from . import streams

_MAX_SERIAL_TRIES = 200


async def get_org(conn: AsyncConnection, org_id: uuid.UUID | str) -> dict[str, Any]:
    try:
        key = uuid.UUID(str(org_id))
    except ValueError as exc:
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id") from exc
    row = (await conn.execute(select(organizations).where(organizations.c.id == key))).mappings().first()
    if row is None:
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
    return dict(row)


async def refuse_duplicate(conn: AsyncConnection, normalised: str, credit_code: str | None, org_id: uuid.UUID) -> None:
    """ORG-4: an organization that exists (same normalised name or credit code) is not created again;
    the refusal names the existing one."""
    claims = [(Scope.ORG_NAME, normalised)] + ([(Scope.CREDIT_CODE, credit_code)] if credit_code else [])
    for scope, value in claims:
        holder = await reservations.claim(conn, scope, value, org_id)
        if holder is not None:
            existing = await get_org(conn, holder)
            raise Conflict(
                "org_already_exists",
                f"该组织机构已创建：{existing['name']}（编码 {existing['code']}），无需重复创建。",
                field="name" if scope is Scope.ORG_NAME else "credit_code",
                rule="ORG-4",
                extra={"existing": {"id": str(existing["id"]), "code": existing["code"]}},
            )


async def claim_username(conn: AsyncConnection, username: str, account_id: uuid.UUID) -> None:
    """A generated username another command took first: the unit of work decides again afresh."""
    if await reservations.claim(conn, Scope.USERNAME, username, account_id) is not None:
        raise ConcurrencyError(username, 0)


async def claim_generated_username(
    conn: AsyncConnection, naming: Callable[[int], str], first: int, account_id: uuid.UUID
) -> str:
    """A generated username (`naming(serial)`) from serial `first` on, claimed here: one another command
    holds (or is claiming in a transaction of its own, which this waits for) is passed over for the
    next serial, so concurrent creations in one organization each get their own and none fails."""
    for serial in range(first, first + _MAX_SERIAL_TRIES):
        username = naming(serial)
        if await reservations.claim(conn, Scope.USERNAME, username, account_id) is None:
            return username
    raise ConcurrencyError(naming(first), 0)


async def record_founding(
    uow: UnitOfWork, founded: Sequence[DomainEvent], credit_code: str | None, password_hash: str
) -> None:
    """Append a new organization and its system administrator, with the admin's credential."""
    created, admin = founded
    assert isinstance(created, OrganizationCreated) and isinstance(admin, AdminAccountCreated)
    await refuse_duplicate(uow.conn, normalise_name(created.name), credit_code, created.org_id)
    await claim_username(uow.conn, admin.username, admin.account_id)
    await streams.append(uow, created.org_id, 0, [created])
    await streams.append(uow, admin.account_id, 0, [admin])
    await credentials.create(uow.conn, admin.account_id, password_hash)


async def create_organization(
    ctx: OrgContext, principal: Principal, cmd: NewOrganization, idempotent: Idempotency | None
) -> OrganizationCreatedOut:
    require_role(principal, Role.SYSTEM_ADMIN)
    check_facts(cmd)
    password = initial_password()
    password_hash = await hash_password(password)

    async def action(uow: UnitOfWork) -> OrganizationCreatedOut:
        parent = await streams.organization(uow, principal.org_id)
        org_id, admin_id = uuid.uuid4(), uuid.uuid4()
        code = await reservations.next_org_code(uow.conn, cmd.division_code)
        await record_founding(uow, parent.create_child(cmd, org_id, code, admin_id), cmd.credit_code, password_hash)
        org = OrganizationOut.of(await get_org(uow.conn, org_id))
        admin = AccountCreated(account_id=str(admin_id), username=code, initial_password=password)
        return OrganizationCreatedOut(**org.model_dump(), admin=admin)

    meta = Metadata(actor=principal.username)
    return await execute(
        ctx,
        meta,
        action,
        answer=OrganizationCreatedOut,
        idempotent=idempotent,
        recorded=OrganizationCreatedOut.without_password,
    )


async def deactivate_organization(
    ctx: OrgContext, principal: Principal, org_id: uuid.UUID, expected_version: int, reason: str
) -> OrganizationOut:
    require_role(principal, Role.SYSTEM_ADMIN)

    async def action(uow: UnitOfWork) -> OrganizationOut:
        org = await streams.organization(uow, org_id)
        if not principal.covers(org.path):
            raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
        active_child = (
            await uow.conn.execute(
                select(organizations.c.id).where(organizations.c.parent_id == org.org_id, organizations.c.active)
            )
        ).first()
        deactivated = org.deactivate(principal.org_id, reason, has_active_children=active_child is not None)
        await streams.append(uow, org.org_id, expected_version, deactivated)
        await credentials.revoke_refresh_tokens_of_org(uow.conn, org.org_id)
        return OrganizationOut.of(await get_org(uow.conn, org.org_id))

    meta = Metadata(actor=principal.username)
    return await execute(ctx, meta, action, answer=OrganizationOut, retry_conflicts=False)


async def children(conn: AsyncConnection, org_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(organizations).where(organizations.c.parent_id == org_id).order_by(organizations.c.code)
    )
    return [dict(r) for r in rows.mappings()]


async def subtree(conn: AsyncConnection, path: str, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(organizations)
        .where(organizations.c.path.startswith(path, autoescape=True))
        .order_by(organizations.c.path)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r) for r in rows.mappings()]


async def search(
    conn: AsyncConnection,
    within_path: str,
    *,
    name: str | None,
    code: str | None,
    division_code: str | None,
    kind: OrgKind | None,
    level: Level | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Organizations of the caller's subtree, filtered by name (normalised, partial), code, division, kind."""
    query = select(organizations).where(organizations.c.path.startswith(within_path, autoescape=True))
    if name:
        query = query.where(organizations.c.normalised_name.contains(normalise_name(name), autoescape=True))
    if code:
        query = query.where(organizations.c.code == code)
    if division_code:
        query = query.where(organizations.c.division_code == division_code)
    if kind:
        query = query.where(organizations.c.kind == kind.value)
    if level:
        query = query.where(organizations.c.level == level.value)
    if active is not None:
        query = query.where(organizations.c.active == active)
    rows = await conn.execute(query.order_by(organizations.c.code).limit(limit).offset(offset))
    return [dict(r) for r in rows.mappings()]
