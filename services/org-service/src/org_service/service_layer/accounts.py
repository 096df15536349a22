"""Accounts: business administrators and their roles (ORG-6), applicants, experts, passwords."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.identifiers import id_card_is_valid, normalise_id_card
from zhicheng_kernel.roles import BUSINESS_ROLES, Role

from ..adapters.tables import accounts, refresh_tokens
from ..context import OrgContext
from ..domain import events
from ..domain.kinds import OrgKind
from ..security.passwords import hash_password, initial_password, verify_password
from .organizations import get_org


@dataclass(frozen=True)
class NewAccount:
    account_id: uuid.UUID
    username: str
    initial_password: str


async def get_account(conn: AsyncConnection, account_id: uuid.UUID | str) -> dict[str, Any]:
    try:
        key = uuid.UUID(str(account_id))
    except ValueError as exc:
        raise NotFound("account_not_found", "未找到该账号。") from exc
    row = (await conn.execute(select(accounts).where(accounts.c.id == key))).mappings().first()
    if row is None:
        raise NotFound("account_not_found", "未找到该账号。")
    return dict(row)


async def _insert_account(
    ctx: OrgContext,
    conn: AsyncConnection,
    meta: Metadata,
    *,
    created: DomainEvent,
    kind: str,
    username: str,
    org_id: uuid.UUID,
    display_name: str,
    roles: list[str],
    id_card_number: str | None = None,
    password: str | None = None,
    must_change_password: bool = True,
) -> NewAccount:
    account_id = uuid.UUID(str(created.model_dump()["account_id"]))
    password = password or initial_password()
    appended: list[DomainEvent] = [created]
    if isinstance(created, events.BusinessAdminCreated):
        appended.append(events.RolesAssigned(account_id=account_id, org_id=org_id, roles=roles))
    await ctx.store.append(conn, events.ACCOUNT, str(account_id), 0, appended, meta)
    await conn.execute(
        accounts.insert().values(
            id=account_id,
            username=username,
            kind=kind,
            org_id=org_id,
            display_name=display_name,
            roles=roles,
            password_hash=hash_password(password),
            must_change_password=must_change_password,
            failed_logins=0,
            active=True,
            id_card_number=id_card_number,
            version=len(appended),
            created_at=ctx.clock.now(),
        )
    )
    return NewAccount(account_id, username, password)


def _clean_name(display_name: str) -> str:
    name = display_name.strip()
    if not 2 <= len(name) <= 30 or any(ch in name for ch in "<>;'\"\\`{}"):
        raise InvalidInput("display_name_invalid", "姓名应为 2 至 30 个字，且不含特殊字符。", field="display_name")
    return name


def _check_roles(roles: list[str]) -> list[str]:
    allowed = {r.value for r in BUSINESS_ROLES}
    unknown = [r for r in roles if r not in allowed]
    if unknown:
        raise InvalidInput("role_unknown", f"不能分配的角色：{'、'.join(unknown)}。", field="roles")
    if not roles:
        raise InvalidInput("roles_required", "请至少分配一个业务角色。", field="roles")
    return sorted(set(roles))


async def create_business_admin(
    ctx: OrgContext, principal: Principal, display_name: str, roles: list[str]
) -> NewAccount:
    """ORG-6: a system administrator creates business administrators of its own organization."""
    require_role(principal, Role.SYSTEM_ADMIN)
    name, chosen = _clean_name(display_name), _check_roles(roles)
    async with ctx.db.transaction() as conn:
        org = await get_org(conn, principal.org_id or "")
        count = (
            await conn.execute(
                select(func.count()).where(accounts.c.org_id == org["id"], accounts.c.kind == "business_admin")
            )
        ).scalar_one()
        account_id, username = uuid.uuid4(), f"{org['code']}-yw{count + 1:02d}"
        return await _insert_account(
            ctx,
            conn,
            Metadata(actor=principal.username),
            created=events.BusinessAdminCreated(
                account_id=account_id,
                username=username,
                org_id=org["id"],
                display_name=name,
                must_change_password=True,
            ),
            kind="business_admin",
            username=username,
            org_id=org["id"],
            display_name=name,
            roles=chosen,
        )


async def assign_roles(
    ctx: OrgContext, principal: Principal, account_id: str, roles: list[str], expected_version: int
) -> dict[str, Any]:
    """ORG-6: the system administrator assigns roles to the business administrators of its organization."""
    require_role(principal, Role.SYSTEM_ADMIN)
    chosen = _check_roles(roles)
    async with ctx.db.transaction() as conn:
        account = await get_account(conn, account_id)
        if str(account["org_id"]) != principal.org_id or account["kind"] != "business_admin":
            raise Forbidden("outside_scope", "只能为本单位的业务管理员分配角色。")
        await ctx.store.append(
            conn,
            events.ACCOUNT,
            str(account["id"]),
            expected_version,
            [events.RolesAssigned(account_id=account["id"], org_id=account["org_id"], roles=chosen)],
            Metadata(actor=principal.username),
        )
        await conn.execute(
            accounts.update().where(accounts.c.id == account["id"]).values(roles=chosen, version=expected_version + 1)
        )
        return {**account, "roles": chosen, "version": expected_version + 1}


async def register_applicant(
    ctx: OrgContext, principal: Principal, display_name: str, id_card_number: str, on_staff: bool
) -> NewAccount:
    """An employer's business administrator registers an applicant of its own organization."""
    require_role(principal, Role.APPLICANT_MANAGEMENT)
    name = _clean_name(display_name)
    number = normalise_id_card(id_card_number)
    if not id_card_is_valid(number, today=china_today(ctx.clock.now())):
        raise InvalidInput(
            "id_card_invalid", "身份证号码不正确（应为 18 位，末位校验码须正确）。", field="id_card_number"
        )
    try:
        async with ctx.db.transaction() as conn:
            org = await get_org(conn, principal.org_id or "")
            return await _insert_account(
                ctx,
                conn,
                Metadata(actor=principal.username),
                created=events.ApplicantRegistered(
                    account_id=uuid.uuid4(),
                    username=number,
                    org_id=org["id"],
                    org_path=org["path"],
                    display_name=name,
                    on_staff=on_staff,
                    id_card_number=number,
                ),
                kind="applicant",
                username=number,
                org_id=org["id"],
                display_name=name,
                roles=[Role.APPLICANT.value],
                id_card_number=number,
            )
    except IntegrityError:
        raise Conflict("applicant_already_registered", "该身份证号码已注册为申报人。", field="id_card_number") from None


async def register_expert(
    ctx: OrgContext, principal: Principal, display_name: str, series: list[str], title_level: str
) -> NewAccount:
    """A title office's committee secretary brings an expert into the pool."""
    require_role(principal, Role.COMMITTEE_SECRETARY)
    name = _clean_name(display_name)
    async with ctx.db.transaction() as conn:
        org = await get_org(conn, principal.org_id or "")
        if org["kind"] != OrgKind.TITLE_OFFICE.value:
            raise Forbidden("title_office_only", "评审专家由职改办的评委会秘书登记。")
        count = (await conn.execute(select(func.count()).where(accounts.c.kind == "expert"))).scalar_one()
        username = f"zj{org['division_code']}{count + 1:05d}"
        return await _insert_account(
            ctx,
            conn,
            Metadata(actor=principal.username),
            created=events.ExpertRegistered(
                account_id=uuid.uuid4(),
                username=username,
                org_id=org["id"],
                display_name=name,
                series=series,
                title_level=title_level,
            ),
            kind="expert",
            username=username,
            org_id=org["id"],
            display_name=name,
            roles=[Role.EXPERT.value],
        )


_STRONG = re.compile(r"^(?=.*[A-Za-z])(?=.*\d).{8,64}$")


async def change_password(
    ctx: OrgContext, principal: Principal, old_password: str, new_password: str
) -> dict[str, Any]:
    if principal.kind != "user":
        raise Forbidden("users_only", "内部服务没有登录密码。")
    if not _STRONG.match(new_password):
        raise InvalidInput("password_weak", "新密码须为 8 至 64 位，且同时包含字母和数字。", field="new_password")
    if old_password == new_password:
        raise InvalidInput("password_unchanged", "新密码不能与原密码相同。", field="new_password")
    async with ctx.db.transaction() as conn:
        account = await get_account(conn, principal.subject)
        if not verify_password(account["password_hash"], old_password):
            raise DomainError("password_wrong", "原密码不正确。", field="old_password", status=400)
        await ctx.store.append(
            conn,
            events.ACCOUNT,
            str(account["id"]),
            account["version"],
            [events.PasswordChanged(account_id=account["id"])],
            Metadata(actor=principal.username),
        )
        await conn.execute(
            accounts.update()
            .where(accounts.c.id == account["id"])
            .values(
                password_hash=hash_password(new_password), must_change_password=False, version=account["version"] + 1
            )
        )
        return {**account, "must_change_password": False}


async def deactivate_account(
    ctx: OrgContext, principal: Principal, account_id: str, expected_version: int, reason: str
) -> dict[str, Any]:
    """The system administrator deactivates accounts of its own organization (never itself)."""
    require_role(principal, Role.SYSTEM_ADMIN)
    async with ctx.db.transaction() as conn:
        account = await get_account(conn, account_id)
        if str(account["org_id"]) != principal.org_id:
            raise NotFound("account_not_found", "未找到该账号。")
        if str(account["id"]) == principal.subject or account["kind"] == "system_admin":
            raise Forbidden("cannot_deactivate_system_admin", "系统管理员账号随组织机构停用，不能单独停用。")
        if not account["active"]:
            raise Conflict("account_already_inactive", "该账号已停用。")
        await ctx.store.append(
            conn,
            events.ACCOUNT,
            str(account["id"]),
            expected_version,
            [events.AccountDeactivated(account_id=account["id"], reason=reason)],
            Metadata(actor=principal.username),
        )
        await conn.execute(
            accounts.update().where(accounts.c.id == account["id"]).values(active=False, version=expected_version + 1)
        )
        await conn.execute(
            refresh_tokens.update().where(refresh_tokens.c.account_id == str(account["id"])).values(revoked=True)
        )
        return {**account, "active": False, "version": expected_version + 1}


async def list_accounts(conn: AsyncConnection, org_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.execute(select(accounts).where(accounts.c.org_id == org_id).order_by(accounts.c.username))
    return [dict(r) for r in rows.mappings()]


async def reset_password(db: Database, store: EventStore, username: str, operator: str) -> str:
    """An operator with access to the server hands a new one-time password to an account holder.

    For the system administrators of root organizations (the provincial bodies, the city office),
    whom no one above can help; the holder must change it at the next login.
    """
    password = initial_password()
    async with db.transaction() as conn:
        row = (await conn.execute(select(accounts).where(accounts.c.username == username))).mappings().first()
        if row is None:
            raise NotFound("account_not_found", "未找到该账号。")
        await store.append(
            conn,
            events.ACCOUNT,
            str(row["id"]),
            row["version"],
            [events.PasswordReset(account_id=row["id"])],
            Metadata(actor=operator),
        )
        await conn.execute(
            accounts.update()
            .where(accounts.c.id == row["id"])
            .values(
                password_hash=hash_password(password),
                must_change_password=True,
                failed_logins=0,
                locked_until=None,
                version=row["version"] + 1,
            )
        )
    return password
