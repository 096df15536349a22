"""Password login with throttling, refresh token families and revocation, and internal clients' credentials.

The password hash, the login throttles and the refresh tokens are in the credential tables; a login
changes nothing an event would record, and is audited (adapters/audit.py `record`): every success,
failure, lock, refresh and reused refresh token, with the client's address.

Everyone logs in with the username org-service gave them. An applicant does not log in with their
ID-card number, which would then travel in login forms and logs: the employer hands over the
username with the one-time password. The token carries the username and the account id, never the ID-card number.

argon2 runs in a worker thread and before any row lock is taken (security/passwords.py). An unknown
username costs a decoy verification and is counted and locked like a known one: the answers and
their timing do not tell which usernames exist.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import INTERNAL_AUDIENCE, internal_scopes
from zhicheng_kernel.errors import Unauthorized
from zhicheng_kernel.origin import current_origin
from zhicheng_kernel.roles import Role

from ..adapters import audit, credentials
from ..adapters.tables import accounts, organizations, refresh_tokens
from ..api.schemas import TokenOut
from ..context import OrgContext
from ..domain.throttle import account_key, after_failure, pair_key
from ..security.passwords import verify_decoy, verify_password
from ..security.tokens import new_refresh_token, refresh_token_hash

_BAD_LOGIN = "用户名或密码不正确。"
_LOCKED = "连续登录失败次数过多，已临时锁定，请稍后再试或联系本单位系统管理员解锁。"
_REFRESH_INVALID = "登录已失效，请重新登录。"


def _claims_for(account: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    return {
        "sub": str(account["id"]),
        "username": account["username"],
        "kind": "user",
        "org_id": str(org["id"]),
        "org_path": org["path"],
        "org_kind": org["kind"],
        "roles": list(account["roles"]),
        "name": account["display_name"],
        "pwc": bool(account["must_change_password"]),
    }


async def _org_of(conn: AsyncConnection, account: dict[str, Any]) -> dict[str, Any]:
    found = (await conn.execute(select(organizations).where(organizations.c.id == account["org_id"]))).mappings()
    return dict(found.one())


async def _issue(
    ctx: OrgContext, conn: AsyncConnection, account_id: object, family: tuple[str, datetime] | None = None
) -> TokenOut:
    """An access token and a refresh token for the account as its read model has it now; the refresh
    token joins `family` (its id and absolute expiry) or begins a new one that lasts refresh_token_days."""
    now = ctx.clock.now()
    account = dict((await conn.execute(select(accounts).where(accounts.c.id == account_id))).mappings().one())
    org = await _org_of(conn, account)
    if not org["active"]:
        raise Unauthorized("org_inactive", "所在单位已停用，账号不能登录。")
    token, expires_in = ctx.issuer.access_token(_claims_for(account, org), now)
    refresh, digest = new_refresh_token()
    family_id, expires_at = family or (digest, now + timedelta(days=ctx.settings.refresh_token_days))
    await conn.execute(
        refresh_tokens.insert().values(
            token_hash=digest, account_id=str(account["id"]), expires_at=expires_at, revoked=False, family_id=family_id
        )
    )
    return TokenOut(
        access_token=token,
        token_type="bearer",
        expires_in=expires_in,
        refresh_token=refresh,
        password_change_required=bool(account["must_change_password"]),
    )


async def issue_for_account(ctx: OrgContext, account_id: object) -> TokenOut:
    """Tokens of a new family for the account (after a password change: the old families are revoked)."""
    async with ctx.db.transaction() as conn:
        return await _issue(ctx, conn, account_id)


async def login(ctx: OrgContext, username: str, password: str) -> TokenOut:
    now, settings = ctx.clock.now(), ctx.settings
    origin = current_origin.get()
    keys = [pair_key(username, origin.ip if origin else ""), account_key(username)]
    async with ctx.db.read() as conn:
        account = await credentials.for_login(conn, username)
        states = await credentials.throttles(conn, keys)
        org_path = (await _org_of(conn, account))["path"] if account else ""
    actor = account["username"] if account else "unknown"
    account_id = account["id"] if account else None
    if any(state.locked_at(now) for state in states.values()):
        async with ctx.db.transaction() as conn:
            await audit.record(
                conn, at=now, actor=actor, actor_org_path=org_path, what="LoginRefusedLocked", account_id=account_id
            )
        raise Unauthorized("account_locked", _LOCKED)
    # argon2 in a thread, before any lock; an unknown username costs the same.
    if account is None:
        await verify_decoy(password)
        verified = False
    else:
        verified = await verify_password(account["password_hash"], password) and bool(account["active"])
    async with ctx.db.transaction() as conn:
        if account is not None and verified:
            # The password may have changed since it was read: the stored hash must be the one verified.
            if await credentials.password_hash(conn, account["id"], for_update=True) == account["password_hash"]:
                await credentials.clear_throttles(conn, keys)
                await audit.record(
                    conn, at=now, actor=actor, actor_org_path=org_path, what="LoginSucceeded", account_id=account_id
                )
                return await _issue(ctx, conn, account["id"])
        await credentials.lock_throttle_keys(conn, keys, now)
        states = await credentials.throttles(conn, keys, for_update=True)
        base, cap = timedelta(minutes=settings.lockout_minutes), timedelta(minutes=settings.lockout_max_minutes)
        limits = [settings.max_failed_logins, settings.max_failed_logins_per_account]
        locked_now = False
        for key, limit in zip(keys, limits, strict=True):
            state = after_failure(states[key], now, limit=limit, base=base, cap=cap)
            locked_now = locked_now or state.locks > states[key].locks
            await credentials.save_throttle(conn, key, state, now)
        await audit.record(
            conn, at=now, actor=actor, actor_org_path=org_path, what="LoginFailed", account_id=account_id
        )
        if locked_now:
            await audit.record(
                conn, at=now, actor=actor, actor_org_path=org_path, what="LoginLocked", account_id=account_id
            )
    raise Unauthorized("login_failed", _BAD_LOGIN)


async def refresh(ctx: OrgContext, token: str) -> TokenOut:
    """A refresh token is used once: it is rotated within its family, whose expiry (the login's) never
    moves. A used or revoked token presented again revokes its whole family — whoever holds the
    newest one (the thief or the holder) must log in again."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as conn:
        row = (
            (
                await conn.execute(
                    select(refresh_tokens)
                    .where(refresh_tokens.c.token_hash == refresh_token_hash(token))
                    .with_for_update()
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise Unauthorized("refresh_token_invalid", _REFRESH_INVALID)
        account = dict(
            (await conn.execute(select(accounts).where(accounts.c.id == uuid.UUID(row["account_id"])))).mappings().one()
        )
        org_path = (await _org_of(conn, account))["path"]
        if row["revoked"]:
            await conn.execute(
                refresh_tokens.update().where(refresh_tokens.c.family_id == row["family_id"]).values(revoked=True)
            )
            await audit.record(
                conn,
                at=now,
                actor=account["username"],
                actor_org_path=org_path,
                what="RefreshTokenReused",
                account_id=account["id"],
            )
        elif row["expires_at"] > now and account["active"]:
            await conn.execute(
                refresh_tokens.update().where(refresh_tokens.c.token_hash == row["token_hash"]).values(revoked=True)
            )
            await audit.record(
                conn,
                at=now,
                actor=account["username"],
                actor_org_path=org_path,
                what="TokenRefreshed",
                account_id=account["id"],
            )
            return await _issue(ctx, conn, account["id"], (row["family_id"], row["expires_at"]))
    raise Unauthorized("refresh_token_invalid", _REFRESH_INVALID)


async def revoke(ctx: OrgContext, token: str) -> None:
    """Logging out revokes the token's whole family."""
    async with ctx.db.transaction() as conn:
        family = select(refresh_tokens.c.family_id).where(refresh_tokens.c.token_hash == refresh_token_hash(token))
        await conn.execute(
            refresh_tokens.update().where(refresh_tokens.c.family_id.in_(family.scalar_subquery())).values(revoked=True)
        )


def client_credentials(ctx: OrgContext, client_id: str, secret: str) -> TokenOut:
    """An internal service's token: audience `zhicheng-internal` (refused on the routes people call) and
    the scopes its client holds in the kernel's INTERNAL_GRANTS (the routes of the services it calls)."""
    expected = ctx.settings.clients().get(client_id)
    if expected is None or not hmac.compare_digest(expected.encode(), secret.encode()):
        raise Unauthorized("client_invalid", "内部服务凭据不正确。")
    token, expires_in = ctx.issuer.access_token(
        {
            "sub": f"service:{client_id}",
            "username": client_id,
            "kind": "service",
            "org_id": None,
            "org_path": "",
            "roles": [Role.SERVICE.value],
            "name": client_id,
            "aud": INTERNAL_AUDIENCE,
            "scope": " ".join(internal_scopes(client_id)),
        },
        ctx.clock.now(),
        minutes=15,
    )
    return TokenOut(access_token=token, token_type="bearer", expires_in=expires_in)
