"""The credential tables: password hashes, login throttles and refresh tokens, org-service's own.

Not a projection and not in any stream: nothing here ever reaches an event, Kafka or the feed. A
password is written in the same transaction as the account events it goes with (an account is
created with its password; a changed or reset password is recorded as an event that says so, and
the hash here, and every refresh token of the account is revoked with it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.throttle import FRESH, Throttle, account_key
from .tables import accounts, credentials, login_throttles, refresh_tokens


async def create(conn: AsyncConnection, account_id: uuid.UUID, password_hash: str) -> None:
    await conn.execute(credentials.insert().values(account_id=account_id, password_hash=password_hash))


async def set_password(conn: AsyncConnection, account_id: uuid.UUID, password_hash: str) -> None:
    """A new password (changed or reset): every refresh token of the account dies with the old one."""
    await conn.execute(
        credentials.update().where(credentials.c.account_id == account_id).values(password_hash=password_hash)
    )
    await revoke_refresh_tokens(conn, account_id)


async def password_hash(conn: AsyncConnection, account_id: uuid.UUID, *, for_update: bool = False) -> str:
    query = select(credentials.c.password_hash).where(credentials.c.account_id == account_id)
    found: str = (await conn.execute(query.with_for_update() if for_update else query)).scalar_one()
    return found


async def for_login(conn: AsyncConnection, username: str) -> dict[str, Any] | None:
    """The account a username names, with its password hash (read without a lock: the hash is checked
    outside any transaction, and the login confirms it unchanged when it records the outcome)."""
    row = (
        (
            await conn.execute(
                select(accounts, credentials.c.password_hash)
                .join(credentials, credentials.c.account_id == accounts.c.id)
                .where(accounts.c.username == username)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def throttles(conn: AsyncConnection, keys: Sequence[str], *, for_update: bool = False) -> dict[str, Throttle]:
    """The throttle state of each key (a fresh one when none is recorded)."""
    query = select(login_throttles).where(login_throttles.c.key.in_(list(keys))).order_by(login_throttles.c.key)
    rows = (await conn.execute(query.with_for_update() if for_update else query)).mappings()
    found = {r["key"]: Throttle(r["failures"], r["locks"], r["locked_until"]) for r in rows}
    return {k: found.get(k, FRESH) for k in keys}


async def lock_throttle_keys(conn: AsyncConnection, keys: Sequence[str], now: datetime) -> None:
    """Create the keys' rows if missing, then lock them in a fixed order (concurrent failures count once each)."""
    for key in sorted(keys):
        await conn.execute(
            insert(login_throttles)
            .values(key=key, failures=0, locks=0, locked_until=None, updated_at=now)
            .on_conflict_do_nothing()
        )


async def save_throttle(conn: AsyncConnection, key: str, state: Throttle, now: datetime) -> None:
    await conn.execute(
        login_throttles.update()
        .where(login_throttles.c.key == key)
        .values(failures=state.failures, locks=state.locks, locked_until=state.locked_until, updated_at=now)
    )


async def clear_throttles(conn: AsyncConnection, keys: Sequence[str]) -> None:
    await conn.execute(delete(login_throttles).where(login_throttles.c.key.in_(list(keys))))


async def clear_throttles_of(conn: AsyncConnection, username: str) -> None:
    """Every throttle key of a username, from every address (the administrator's unlock)."""
    key = account_key(username)
    await conn.execute(
        delete(login_throttles).where(
            (login_throttles.c.key == key) | login_throttles.c.key.startswith(f"{key}|", autoescape=True)
        )
    )


async def revoke_refresh_tokens(conn: AsyncConnection, account_id: uuid.UUID) -> None:
    await conn.execute(
        refresh_tokens.update().where(refresh_tokens.c.account_id == str(account_id)).values(revoked=True)
    )


async def revoke_refresh_tokens_of_org(conn: AsyncConnection, org_id: uuid.UUID) -> None:
    await conn.execute(
        refresh_tokens.update()
        .where(refresh_tokens.c.account_id.in_(select(cast(accounts.c.id, String)).where(accounts.c.org_id == org_id)))
        .values(revoked=True)
    )
