"""The credential table: password hashes and lock-out counters, org-service's own.

Not a projection and not in any stream: nothing here ever reaches an event, Kafka or the feed. It is
written in the same transaction as the account events it goes with (an account is created with its
password; a changed or reset password is recorded as an event that says so, and the hash here).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import accounts, credentials, refresh_tokens


async def create(conn: AsyncConnection, account_id: uuid.UUID, password_hash: str) -> None:
    await conn.execute(credentials.insert().values(account_id=account_id, password_hash=password_hash, failed_logins=0))


async def set_password(conn: AsyncConnection, account_id: uuid.UUID, password_hash: str) -> None:
    """A new password; a reset also lifts a lock-out."""
    await conn.execute(
        credentials.update()
        .where(credentials.c.account_id == account_id)
        .values(password_hash=password_hash, failed_logins=0, locked_until=None)
    )


async def password_hash(conn: AsyncConnection, account_id: uuid.UUID) -> str:
    found: str = (
        await conn.execute(select(credentials.c.password_hash).where(credentials.c.account_id == account_id))
    ).scalar_one()
    return found


async def for_login(conn: AsyncConnection, username: str) -> dict[str, Any] | None:
    """The account with its credential, locked for the attempt's counting."""
    row = (
        (
            await conn.execute(
                select(accounts, credentials.c.password_hash, credentials.c.failed_logins, credentials.c.locked_until)
                .join(credentials, credentials.c.account_id == accounts.c.id)
                .where(accounts.c.username == username)
                .with_for_update(of=credentials)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def record_attempt(
    conn: AsyncConnection, account_id: uuid.UUID, failed_logins: int, locked_until: datetime | None
) -> None:
    await conn.execute(
        credentials.update()
        .where(credentials.c.account_id == account_id)
        .values(failed_logins=failed_logins, locked_until=locked_until)
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
