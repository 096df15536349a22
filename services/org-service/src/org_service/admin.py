"""Operator commands run on the server: python -m org_service.admin reset-password USERNAME."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import socket
from pathlib import Path

from zhicheng_kernel.auth import TokenVerifier
from zhicheng_kernel.errors import DomainError
from zhicheng_kernel.migrations import upgrade
from zhicheng_kernel.service import kernel_context

from .adapters.audit import AuditedEventStore
from .context import OrgContext
from .domain.events import CATALOGUE
from .security.tokens import TokenIssuer
from .service_layer.accounts import reset_password
from .settings import OrgSettings


async def _reset(username: str) -> str:
    settings = OrgSettings()
    assert settings.jwt_private_key_file is not None
    await upgrade(settings.database_url, Path(__file__).parent / "migrations")
    issuer = TokenIssuer(settings.jwt_private_key_file, settings.access_token_minutes, settings.extra_key_files())
    base = kernel_context(
        "org-service",
        settings,
        upcasters=CATALOGUE.upcasters,
        store_factory=AuditedEventStore,
        verifier=TokenVerifier(jwks=issuer.jwks()),
        pool_size=1,
    )
    db = base.db
    ctx = OrgContext(**base.kernel_parts(), issuer=issuer)
    try:
        operator = f"operator:{getpass.getuser()}@{socket.gethostname()}"
        return await reset_password(ctx, username, operator)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m org_service.admin", description="org-service 运维命令")
    sub = parser.add_subparsers(dest="command", required=True)
    reset = sub.add_parser("reset-password", help="为账号生成新的一次性初始密码（首次登录须修改）")
    reset.add_argument("username")
    args = parser.parse_args()
    try:
        password = asyncio.run(_reset(args.username))
    except DomainError as refusal:
        raise SystemExit(f"失败：{refusal.message}") from None
    print(f"账号 {args.username} 的一次性初始密码：{password}（仅显示一次，首次登录须修改）")


if __name__ == "__main__":
    main()
