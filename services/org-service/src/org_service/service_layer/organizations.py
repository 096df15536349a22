"""Creating and reading organizations (ORG-1..ORG-6); read models are written with the events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.identifiers import credit_code_is_valid
from zhicheng_kernel.roles import Role

from ..adapters.tables import accounts, org_code_counters, organizations, refresh_tokens
from ..context import OrgContext
from ..domain import events
from ..domain.creation_rules import Creator, Proposed, check_creation
from ..domain.divisions import DIVISIONS
from ..domain.identity import normalise_name
from ..domain.kinds import Function, Level, OrgKind, UnitType
from ..security.passwords import hash_password, initial_password


@dataclass(frozen=True)
class CreateOrganization:
    name: str
    kind: OrgKind
    level: Level
    division_code: str
    credit_code: str | None = None
    function: Function | None = None
    registration_level: Level | None = None
    unit_type: UnitType | None = None


@dataclass(frozen=True)
class CreatedOrganization:
    org: dict[str, Any]
    admin_account_id: uuid.UUID
    admin_username: str
    initial_password: str


async def get_org(conn: AsyncConnection, org_id: uuid.UUID | str) -> dict[str, Any]:
    try:
        key = uuid.UUID(str(org_id))
    except ValueError as exc:
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id") from exc
    row = (await conn.execute(select(organizations).where(organizations.c.id == key))).mappings().first()
    if row is None:
        raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
    return dict(row)


async def _next_code(conn: AsyncConnection, division_code: str) -> str:
    stmt = insert(org_code_counters).values(division_code=division_code, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["division_code"], set_={"last": org_code_counters.c.last + 1})
    last = (await conn.execute(stmt.returning(org_code_counters.c.last))).scalar_one()
    return f"{division_code}{last:04d}"


async def _find_duplicate(conn: AsyncConnection, normalised: str, credit_code: str | None) -> dict[str, Any] | None:
    conditions = [organizations.c.normalised_name == normalised]
    if credit_code:
        conditions.append(organizations.c.credit_code == credit_code)
    row = (await conn.execute(select(organizations).where(or_(*conditions)))).mappings().first()
    return dict(row) if row else None


def _duplicate(existing: dict[str, Any]) -> Conflict:
    return Conflict(
        "org_already_exists",
        f"该组织机构已创建：{existing['name']}（编码 {existing['code']}），无需重复创建。",
        field="name",
        rule="ORG-4",
        extra={"existing": {"id": str(existing["id"]), "code": existing["code"]}},
    )


def _validate(cmd: CreateOrganization) -> str:
    normalised = normalise_name(cmd.name)
    if len(normalised) < 4:
        raise InvalidInput("org_name_too_short", "请填写单位全称（与单位公章一致），不能使用简称。", field="name")
    if len(normalised) > 60:
        raise InvalidInput("org_name_too_long", "单位名称过长（最多 60 个字）。", field="name")
    if any(ch in normalised for ch in "<>;'\"\\`{}"):
        raise InvalidInput("org_name_invalid", "单位名称含有不允许的字符。", field="name")
    if cmd.division_code not in DIVISIONS:
        raise InvalidInput("division_unknown", "行政区划代码不在本系统范围内。", field="division_code")
    if cmd.credit_code is not None and not credit_code_is_valid(cmd.credit_code):
        raise InvalidInput(
            "credit_code_invalid",
            "统一社会信用代码不正确（应为 18 位，末位校验码须符合 GB 32100-2015）。",
            field="credit_code",
            rule="ORG-3",
        )
    if cmd.kind is OrgKind.GOVERNMENT_DEPARTMENT and cmd.function is None:
        raise InvalidInput("function_required", "请选择政府部门的职能（教育、卫健或其他）。", field="function")
    if cmd.kind is not OrgKind.GOVERNMENT_DEPARTMENT and cmd.function is not None:
        raise InvalidInput("function_not_applicable", "只有政府部门需要填写职能。", field="function")
    if cmd.kind is OrgKind.STATE_UNIT and cmd.unit_type is None:
        raise InvalidInput(
            "unit_type_required", "请选择国有单位的类型（科研院所、学校、医院、企业或其他）。", field="unit_type"
        )
    if cmd.kind is not OrgKind.STATE_UNIT and cmd.unit_type is not None:
        raise InvalidInput("unit_type_not_applicable", "只有国有企事业单位需要填写单位类型。", field="unit_type")
    return normalised


async def record_organization(
    ctx: OrgContext,
    conn: AsyncConnection,
    meta: Metadata,
    cmd: CreateOrganization,
    normalised: str,
    parent: dict[str, Any] | None,
    admin_password: str,
    must_change: bool,
) -> CreatedOrganization:
    """Append OrganizationCreated and AdminAccountCreated (ORG-5) and write the read models."""
    org_id, admin_id = uuid.uuid4(), uuid.uuid4()
    code = await _next_code(conn, cmd.division_code)
    path = f"{parent['path'] if parent else '/'}{org_id}/"
    now = ctx.clock.now()
    org = {
        "id": org_id,
        "code": code,
        "name": cmd.name.strip(),
        "normalised_name": normalised,
        "credit_code": cmd.credit_code,
        "kind": cmd.kind.value,
        "level": cmd.level.value,
        "division_code": cmd.division_code,
        "function": cmd.function.value if cmd.function else None,
        "unit_type": cmd.unit_type.value if cmd.unit_type else None,
        "registration_level": cmd.registration_level.value if cmd.registration_level else None,
        "parent_id": parent["id"] if parent else None,
        "path": path,
        "active": True,
        "version": 1,
        "created_at": now,
    }
    created = events.OrganizationCreated(
        org_id=org_id,
        code=code,
        name=cmd.name.strip(),
        credit_code=cmd.credit_code,
        kind=cmd.kind.value,
        level=cmd.level.value,
        division_code=cmd.division_code,
        function=cmd.function.value if cmd.function else None,
        unit_type=cmd.unit_type.value if cmd.unit_type else None,
        registration_level=cmd.registration_level.value if cmd.registration_level else None,
        parent_id=parent["id"] if parent else None,
        path=path,
    )
    await ctx.store.append(conn, events.ORGANIZATION, str(org_id), 0, [created], meta)
    admin = events.AdminAccountCreated(
        account_id=admin_id, username=code, org_id=org_id, must_change_password=must_change
    )
    await ctx.store.append(conn, events.ACCOUNT, str(admin_id), 0, [admin], meta)
    await conn.execute(organizations.insert().values(**org))
    await conn.execute(
        accounts.insert().values(
            id=admin_id,
            username=code,
            kind="system_admin",
            org_id=org_id,
            display_name=f"{org['name']}系统管理员",
            roles=[Role.SYSTEM_ADMIN.value],
            password_hash=hash_password(admin_password),
            must_change_password=must_change,
            failed_logins=0,
            active=True,
            version=1,
            created_at=now,
        )
    )
    return CreatedOrganization(org=org, admin_account_id=admin_id, admin_username=code, initial_password=admin_password)


async def create_organization(ctx: OrgContext, principal: Principal, cmd: CreateOrganization) -> CreatedOrganization:
    """ORG-6: a system administrator creates organizations under its own, as ORG-1/ORG-2 allow."""
    require_role(principal, Role.SYSTEM_ADMIN)
    normalised = _validate(cmd)
    password = initial_password()
    try:
        async with ctx.db.transaction() as conn:
            parent = await get_org(conn, principal.org_id or "")
            if not parent["active"]:
                raise Forbidden("org_inactive", "本单位已停用，不能创建下级组织机构。")
            check_creation(
                Creator(
                    OrgKind(parent["kind"]),
                    Level(parent["level"]),
                    parent["division_code"],
                    Function(parent["function"]) if parent["function"] else None,
                ),
                Proposed(cmd.kind, cmd.level, cmd.division_code, cmd.function, cmd.registration_level),
            )
            existing = await _find_duplicate(conn, normalised, cmd.credit_code)
            if existing is not None:
                raise _duplicate(existing)
            meta = Metadata(actor=principal.username)
            return await record_organization(ctx, conn, meta, cmd, normalised, parent, password, True)
    except IntegrityError:
        # A concurrent creation of the same organization won the race (ORG-4).
        async with ctx.db.read() as conn:
            existing = await _find_duplicate(conn, normalised, cmd.credit_code)
        if existing is None:
            raise
        raise _duplicate(existing) from None


async def children(conn: AsyncConnection, org_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(organizations).where(organizations.c.parent_id == org_id).order_by(organizations.c.code)
    )
    return [dict(r) for r in rows.mappings()]


async def deactivate_organization(
    ctx: OrgContext, principal: Principal, org_id: uuid.UUID, expected_version: int, reason: str
) -> dict[str, Any]:
    """No hard deletes: the parent's system administrator deactivates an organization it created.

    An organization with active subordinates cannot be deactivated; its accounts can no longer log in.
    """
    require_role(principal, Role.SYSTEM_ADMIN)
    async with ctx.db.transaction() as conn:
        org = await get_org(conn, org_id)
        if not principal.covers(org["path"]):
            raise NotFound("org_not_found", "未找到该组织机构。", field="org_id")
        if str(org["parent_id"]) != principal.org_id:
            raise Forbidden("not_parent_admin", "只有创建该组织机构的上级单位系统管理员才能停用它。")
        if not org["active"]:
            raise Conflict("org_already_inactive", "该组织机构已停用。")
        active_children = (
            await conn.execute(
                select(organizations.c.code).where(organizations.c.parent_id == org["id"], organizations.c.active)
            )
        ).first()
        if active_children is not None:
            raise Conflict("org_has_active_children", "该组织机构仍有未停用的下级单位，请先停用下级单位。")
        await ctx.store.append(
            conn,
            events.ORGANIZATION,
            str(org["id"]),
            expected_version,
            [events.OrganizationDeactivated(org_id=org["id"], reason=reason)],
            Metadata(actor=principal.username),
        )
        await conn.execute(
            organizations.update()
            .where(organizations.c.id == org["id"])
            .values(active=False, version=expected_version + 1)
        )
        await conn.execute(
            refresh_tokens.update()
            .where(
                refresh_tokens.c.account_id.in_(
                    select(cast(accounts.c.id, String)).where(accounts.c.org_id == org["id"])
                )
            )
            .values(revoked=True)
        )
        return {**org, "active": False, "version": expected_version + 1}


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
