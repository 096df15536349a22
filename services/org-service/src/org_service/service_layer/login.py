"""Password login with lock-out, refresh and revocation, and internal clients' credentials.

The password hash, the failed-attempt counter and the refresh tokens are in the credential tables;
a login changes nothing an event would record.

Everyone logs in with the username org-service gave them. An applicant does not log in with their
ID-card number, which would then travel in login forms and logs: the employer hands over the
username with the one-time password. The token carries the username and the account id, never the ID-card number.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from zhicheng_kernel.auth import INTERNAL_AUDIENCE, internal_scopes
from zhicheng_kernel.errors import Unauthorized
from zhicheng_kernel.roles import Role

from ..adapters import credentials
from ..adapters.tables import accounts, organizations, refresh_tokens
from ..api.schemas import TokenOut
from ..context import OrgContext
from ..security.passwords import verify_password
from ..security.tokens import new_refresh_token, refresh_token_hash

_BAD_LOGIN = "用户名或密码不正确。"


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


async def issue_for_account(ctx: OrgContext, account_id: object) -> TokenOut:
    """An access token and a refresh token for the account as its read model has it now."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as conn:
        account = dict((await conn.execute(select(accounts).where(accounts.c.id == account_id))).mappings().one())
        org = (
            (await conn.execute(select(organizations).where(organizations.c.id == account["org_id"]))).mappings().one()
        )
        if not org["active"]:
            raise Unauthorized("org_inactive", "所在单位已停用，账号不能登录。")
        token, expires_in = ctx.issuer.access_token(_claims_for(account, dict(org)), now)
        refresh, digest = new_refresh_token()
        await conn.execute(
            refresh_tokens.insert().values(
                token_hash=digest,
                account_id=str(account["id"]),
                expires_at=now + timedelta(days=ctx.settings.refresh_token_days),
                revoked=False,
            )
        )
    return TokenOut(
        access_token=token,
        token_type="bearer",
        expires_in=expires_in,
        refresh_token=refresh,
        password_change_required=bool(account["must_change_password"]),
    )


async def login(ctx: OrgContext, username: str, password: str) -> TokenOut:
    now, settings = ctx.clock.now(), ctx.settings
    refusal: Unauthorized | None = None
    async with ctx.db.transaction() as conn:
        account = await credentials.for_login(conn, username)
        if account is None or not account["active"]:
            raise Unauthorized("login_failed", _BAD_LOGIN)
        if account["locked_until"] is not None and account["locked_until"] > now:
            raise Unauthorized("account_locked", "连续登录失败次数过多，账号已临时锁定，请稍后再试。")
        if verify_password(account["password_hash"], password):
            await credentials.record_attempt(conn, account["id"], 0, None)
        else:
            # The failed attempt is committed even though the login is refused.
            failed = account["failed_logins"] + 1
            locked = now + timedelta(minutes=settings.lockout_minutes) if failed >= settings.max_failed_logins else None
            await credentials.record_attempt(conn, account["id"], 0 if locked else failed, locked)
            refusal = Unauthorized("login_failed", _BAD_LOGIN)
    if refusal is not None:
        raise refusal
    return await issue_for_account(ctx, account["id"])


async def refresh(ctx: OrgContext, token: str) -> TokenOut:
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
        if row is None or row["revoked"] or row["expires_at"] < ctx.clock.now():
            raise Unauthorized("refresh_token_invalid", "登录已失效，请重新登录。")
        # A refresh token is used once: it is rotated.
        await conn.execute(
            refresh_tokens.update().where(refresh_tokens.c.token_hash == row["token_hash"]).values(revoked=True)
        )
        account = (await conn.execute(select(accounts).where(accounts.c.id == row["account_id"]))).mappings().one()
    if not account["active"]:
        raise Unauthorized("login_failed", _BAD_LOGIN)
    return await issue_for_account(ctx, account["id"])


async def revoke(ctx: OrgContext, token: str) -> None:
    async with ctx.db.transaction() as conn:
        await conn.execute(
            refresh_tokens.update().where(refresh_tokens.c.token_hash == refresh_token_hash(token)).values(revoked=True)
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
