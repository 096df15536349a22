"""Accounts: business administrators and their roles (ORG-6), applicants, experts, passwords.

Each command loads the aggregates it decides from, appends through the unit of work and keeps the
credential table (org-service's own, never in an event) in the same transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from zhicheng_kernel.identifiers import normalise_id_card
from zhicheng_kernel.roles import BUSINESS_ROLES, Role
from zhicheng_kernel.tables import command_log
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters import audit, credentials, reservations
from ..adapters.reservations import Scope
from ..adapters.tables import accounts, organizations
from ..api.schemas import AccountCreated, AccountOut, AssignedRolesOut, PasswordResetOut, StaffStatusOut, UnlockedOut
from ..context import OrgContext
from ..domain import account as rules
from ..domain.account import AccountKind, check_new_password
from ..security.passwords import hash_password, initial_password, verify_password
from . import streams
from .organizations import claim_generated_username, claim_username

ALL_BUSINESS_ROLES = sorted(r.value for r in BUSINESS_ROLES)


async def get_account(conn: AsyncConnection, account_id: uuid.UUID | str) -> dict[str, Any]:
    try:
        key = uuid.UUID(str(account_id))
    except ValueError as exc:
        raise NotFound("account_not_found", "未找到该账号。") from exc
    row = (await conn.execute(select(accounts).where(accounts.c.id == key))).mappings().first()
    if row is None:
        raise NotFound("account_not_found", "未找到该账号。")
    return dict(row)


async def _count(conn: AsyncConnection, *conditions: Any) -> int:
    count: int = (await conn.execute(select(func.count()).select_from(accounts).where(*conditions))).scalar_one()
    return count


async def _open(uow: UnitOfWork, account_id: uuid.UUID, events: Sequence[Any], password_hash: str) -> None:
    await streams.append(uow, account_id, 0, events)
    await credentials.create(uow.conn, account_id, password_hash)


async def create_business_admin(
    ctx: OrgContext, principal: Principal, display_name: str, roles: list[str], idempotent: Idempotency | None
) -> AccountCreated:
    """A system administrator creates business administrators of its own organization."""
    require_role(principal, Role.SYSTEM_ADMIN)
    password = initial_password()
    password_hash = await hash_password(password)

    async def action(uow: UnitOfWork) -> AccountCreated:
        org = await streams.organization(uow, principal.org_id)
        serial = await _count(
            uow.conn, accounts.c.org_id == org.org_id, accounts.c.kind == AccountKind.BUSINESS_ADMIN.value
        )
        account_id = uuid.uuid4()
        username = await claim_generated_username(uow.conn, lambda n: f"{org.code}-yw{n:02d}", serial + 1, account_id)
        created = rules.create_business_admin(account_id, org.org_id, username, display_name, roles)
        await _open(uow, account_id, created, password_hash)
        return AccountCreated(account_id=str(account_id), username=username, initial_password=password)

    meta = Metadata(actor=principal.username)
    return await execute(
        ctx, meta, action, answer=AccountCreated, idempotent=idempotent, recorded=AccountCreated.without_password
    )


async def create_seeded_operator(
    uow: UnitOfWork, org_id: uuid.UUID, username: str, password_hash: str, must_change_password: bool
) -> None:
    """The city office's first business administrator with every business role."""
    account_id = uuid.uuid4()
    created = rules.create_business_admin(
        account_id, org_id, username, "市职改办业务管理员", ALL_BUSINESS_ROLES, must_change_password
    )
    await claim_username(uow.conn, username, account_id)
    await _open(uow, account_id, created, password_hash)


async def assign_roles(
    ctx: OrgContext, principal: Principal, account_id: str, roles: list[str], expected_version: int
) -> AssignedRolesOut:
    require_role(principal, Role.SYSTEM_ADMIN)

    async def action(uow: UnitOfWork) -> AssignedRolesOut:
        account = await streams.account(uow, account_id)
        await streams.append(uow, account.account_id, expected_version, account.assign_roles(principal.org_id, roles))
        row = await get_account(uow.conn, account.account_id)
        return AssignedRolesOut(account_id=str(row["id"]), roles=list(row["roles"]), version=row["version"])

    meta = Metadata(actor=principal.username)
    return await execute(ctx, meta, action, answer=AssignedRolesOut, retry_conflicts=False)


async def register_applicant(
    ctx: OrgContext,
    principal: Principal,
    display_name: str,
    id_card_number: str,
    on_staff: bool,
    idempotent: Idempotency | None,
) -> AccountCreated:
    """An employer's business administrator registers an applicant: one account per person (the
    normalised ID-card number is claimed once), a username generated like a business administrator's
    and answered with the one-time password; the number itself is no username and in no token."""
    require_role(principal, Role.APPLICANT_MANAGEMENT)
    number = normalise_id_card(id_card_number)
    password = initial_password()
    password_hash = await hash_password(password)

    async def action(uow: UnitOfWork) -> AccountCreated:
        org = await streams.organization(uow, principal.org_id)
        serial = await _count(uow.conn, accounts.c.org_id == org.org_id, accounts.c.kind == AccountKind.APPLICANT.value)
        account_id = uuid.uuid4()
        today = china_today(ctx.clock.now())
        # Decided (and the number checked) before anything is claimed.
        rules.register_applicant(account_id, org, "", display_name, number, on_staff, today)
        if await reservations.claim(uow.conn, Scope.ID_CARD, number, account_id) is not None:
            raise Conflict("applicant_already_registered", "该身份证号码已注册为申报人。", field="id_card_number")
        naming = lambda n: rules.applicant_username(org.code, n)  # noqa: E731
        username = await claim_generated_username(uow.conn, naming, serial + 1, account_id)
        registered = rules.register_applicant(account_id, org, username, display_name, number, on_staff, today)
        await _open(uow, account_id, registered, password_hash)
        return AccountCreated(account_id=str(account_id), username=username, initial_password=password)

    meta = Metadata(actor=principal.username)
    return await execute(
        ctx, meta, action, answer=AccountCreated, idempotent=idempotent, recorded=AccountCreated.without_password
    )


async def change_staff_status(
    ctx: OrgContext,
    principal: Principal,
    account_id: str,
    on_staff: bool,
    reason: str,
    idempotent: Idempotency | None,
) -> StaffStatusOut:
    """The employer's system administrator corrects an applicant's on-staff status (the account decides)."""
    require_role(principal, Role.SYSTEM_ADMIN)

    async def action(uow: UnitOfWork) -> StaffStatusOut:
        applicant = await streams.account(uow, account_id)
        changed = applicant.change_staff_status(principal.subject, principal.org_path, on_staff, reason)
        if changed:
            await streams.append(uow, applicant.account_id, applicant.version, changed)
        return StaffStatusOut(
            account_id=str(applicant.account_id),
            org_id=str(applicant.org_id),
            on_staff=on_staff,
            changed=bool(changed),
            version=applicant.version + len(changed),
        )

    meta = Metadata(actor=principal.username)
    return await execute(ctx, meta, action, answer=StaffStatusOut, idempotent=idempotent)


async def register_expert(
    ctx: OrgContext,
    principal: Principal,
    display_name: str,
    series: list[str],
    title_level: str,
    idempotent: Idempotency | None,
) -> AccountCreated:
    require_role(principal, Role.COMMITTEE_SECRETARY)
    password = initial_password()
    password_hash = await hash_password(password)

    async def action(uow: UnitOfWork) -> AccountCreated:
        org = await streams.organization(uow, principal.org_id)
        serial = await _count(uow.conn, accounts.c.kind == AccountKind.EXPERT.value)
        account_id = uuid.uuid4()
        rules.register_expert(account_id, org, "", display_name, series, title_level)
        naming = lambda n: f"zj{org.division_code}{n:05d}"  # noqa: E731
        username = await claim_generated_username(uow.conn, naming, serial + 1, account_id)
        registered = rules.register_expert(account_id, org, username, display_name, series, title_level)
        await _open(uow, account_id, registered, password_hash)
        return AccountCreated(account_id=str(account_id), username=username, initial_password=password)

    meta = Metadata(actor=principal.username)
    return await execute(
        ctx, meta, action, answer=AccountCreated, idempotent=idempotent, recorded=AccountCreated.without_password
    )


# A password change's command-log fingerprint: the route, never a digest of a body that holds passwords.
PASSWORD_CHANGE_FINGERPRINT = hashlib.sha256(b"POST /api/v1/auth/password").hexdigest()


async def change_password(
    ctx: OrgContext,
    principal: Principal,
    old_password: str,
    new_password: str,
    idempotent: Idempotency | None = None,
) -> AccountOut:
    """The holder changes their password: the old one verified and the new one hashed in a thread
    before the transaction; every refresh token of the account is revoked with the old password.

    Retried with its Idempotency-Key after the first sending changed the password (its answer lost),
    the change answers as the first did instead of finding the old password wrong: the key's recorded
    answer is given back when the retry's new password is the account's password now (verified against
    the hash, as the command log keeps no digest of a password); another new password under the same
    key is a different request (422)."""
    if principal.kind != "user":
        raise Forbidden("users_only", "内部服务没有登录密码。")
    keyed = None if idempotent is None else Idempotency(idempotent.key, PASSWORD_CHANGE_FINGERPRINT)
    async with ctx.db.read() as conn:
        row = await get_account(conn, principal.subject)
        old_hash = await credentials.password_hash(conn, row["id"])
        first = None if keyed is None else await _recorded_answer(conn, principal.username, keyed)
    check_new_password(old_password, new_password, username=row["username"], id_card_number=row["id_card_number"])
    if first is not None:
        if not await verify_password(old_hash, new_password):
            raise InvalidInput("idempotency_key_reused", KEY_REUSED, field="Idempotency-Key")
        return AccountOut.model_validate(first)
    if not await verify_password(old_hash, old_password):
        raise DomainError("password_wrong", "原密码不正确。", field="old_password", status=400)
    new_hash = await hash_password(new_password)

    async def action(uow: UnitOfWork) -> AccountOut:
        account = await streams.account(uow, principal.subject)
        if await credentials.password_hash(uow.conn, account.account_id, for_update=True) != old_hash:
            raise Conflict("password_changed_meanwhile", "密码已被修改或重置，请重新登录。", field="old_password")
        await streams.append(uow, account.account_id, account.version, account.change_password())
        await credentials.set_password(uow.conn, account.account_id, new_hash)
        return AccountOut.of(await get_account(uow.conn, account.account_id))

    return await execute(ctx, Metadata(actor=principal.username), action, answer=AccountOut, idempotent=keyed)


KEY_REUSED = "该幂等键已用于另一项不同的请求，请为新的请求使用新的幂等键。"


async def _recorded_answer(conn: AsyncConnection, actor: str, idem: Idempotency) -> object | None:
    """The answer recorded under the caller's key (None: the key is new, or its first is still running
    — the unit of work then waits on it); the key used for another kind of request is refused."""
    row = (
        await conn.execute(
            select(command_log.c.fingerprint, command_log.c.response).where(
                command_log.c.actor == actor, command_log.c.idempotency_key == idem.key
            )
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != idem.fingerprint:
        raise InvalidInput("idempotency_key_reused", KEY_REUSED, field="Idempotency-Key")
    answer: object | None = row.response
    return answer


async def deactivate_account(
    ctx: OrgContext, principal: Principal, account_id: str, expected_version: int, reason: str
) -> AccountOut:
    require_role(principal, Role.SYSTEM_ADMIN)

    async def action(uow: UnitOfWork) -> AccountOut:
        account = await streams.account(uow, account_id)
        deactivated = account.deactivate(principal.subject, principal.org_id, reason)
        await streams.append(uow, account.account_id, expected_version, deactivated)
        await credentials.revoke_refresh_tokens(uow.conn, account.account_id)
        return AccountOut.of(await get_account(uow.conn, account.account_id))

    meta = Metadata(actor=principal.username)
    return await execute(ctx, meta, action, answer=AccountOut, retry_conflicts=False)


async def list_accounts(conn: AsyncConnection, org_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.execute(select(accounts).where(accounts.c.org_id == org_id).order_by(accounts.c.username))
    return [dict(r) for r in rows.mappings()]


async def _org_path(conn: AsyncConnection, org_id: uuid.UUID) -> str:
    path: str = (await conn.execute(select(organizations.c.path).where(organizations.c.id == org_id))).scalar_one()
    return path


async def reset_password_by_admin(ctx: OrgContext, principal: Principal, account_id: str) -> PasswordResetOut:
    """A system administrator hands an account of its organization's subtree a new one-time password,
    to be changed at the next login; every refresh token of the account is revoked. Audited as the
    PasswordReset event, by the administrator, from the caller's address."""
    require_role(principal, Role.SYSTEM_ADMIN)
    password = initial_password()
    password_hash = await hash_password(password)

    async def action(uow: UnitOfWork) -> PasswordResetOut:
        account = await streams.account(uow, account_id)
        account.check_administered_by(principal.subject, principal.org_path, await _org_path(uow.conn, account.org_id))
        await streams.append(uow, account.account_id, account.version, account.reset_password(principal.username))
        await credentials.set_password(uow.conn, account.account_id, password_hash)
        return PasswordResetOut(
            account_id=str(account.account_id), username=account.username, initial_password=password
        )

    return await execute(ctx, Metadata(actor=principal.username), action, answer=PasswordResetOut)


async def unlock(ctx: OrgContext, principal: Principal, account_id: str) -> UnlockedOut:
    """A system administrator lifts the login locks of an account of its organization's subtree (from
    every address); audited as AccountUnlocked, by the administrator, from the caller's address."""
    require_role(principal, Role.SYSTEM_ADMIN)

    async def action(uow: UnitOfWork) -> UnlockedOut:
        account = await streams.account(uow, account_id)
        org_path = await _org_path(uow.conn, account.org_id)
        account.check_administered_by(principal.subject, principal.org_path, org_path)
        await credentials.clear_throttles_of(uow.conn, account.username)
        await audit.record(
            uow.conn,
            at=ctx.clock.now(),
            actor=principal.username,
            actor_org_path=principal.org_path,
            what="AccountUnlocked",
            account_id=account.account_id,
        )
        return UnlockedOut(account_id=str(account.account_id), username=account.username, unlocked=True)

    return await execute(ctx, Metadata(actor=principal.username), action, answer=UnlockedOut)


async def reset_password(ctx: OrgContext, username: str, operator: str) -> str:
    """An operator with access to the server hands a new one-time password to an account holder.

    For the system administrators of root organizations (the provincial bodies, the city office),
    whom no one above can help; the holder must change it at the next login.
    """
    password = initial_password()
    password_hash = await hash_password(password)

    async def action(uow: UnitOfWork) -> AccountOut:
        row = (await uow.conn.execute(select(accounts.c.id).where(accounts.c.username == username))).first()
        if row is None:
            raise NotFound("account_not_found", "未找到该账号。")
        account = await streams.account(uow, row.id)
        await streams.append(uow, account.account_id, account.version, account.reset_password(operator))
        await credentials.set_password(uow.conn, account.account_id, password_hash)
        await credentials.clear_throttles_of(uow.conn, account.username)
        return AccountOut.of(await get_account(uow.conn, account.account_id))

    await execute(ctx, Metadata(actor=operator), action, answer=AccountOut)
    return password
