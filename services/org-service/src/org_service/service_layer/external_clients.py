"""External clients of provincial bodies: registration, revocation, and their token (RFC 7523)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import NotFound, Unauthorized
from zhicheng_kernel.origin import current_origin
from zhicheng_kernel.roles import Role
from zhicheng_kernel.signing import SignatureError, development_client_id, load_public_key, verify_client_assertion
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import client_assertion_jtis, external_access, external_clients, organizations
from ..api.schemas import ExternalClientOut, TokenOut
from ..context import OrgContext
from ..domain.external_client import SCOPES, ProvincialBody, register
from . import streams

EXTERNAL_TOKEN_MINUTES = 15


def _out(row: object) -> ExternalClientOut:
    return ExternalClientOut.model_validate(row, from_attributes=True)


async def register_client(
    ctx: OrgContext,
    principal: Principal,
    name: str,
    public_key_pem: str,
    scopes: list[str],
    idempotent: Idempotency | None,
) -> ExternalClientOut:
    """The provincial body's system administrator registers its system (its public key only)."""
    require_role(principal, Role.SYSTEM_ADMIN)
    client_id = uuid.uuid4()

    async def action(uow: UnitOfWork) -> ExternalClientOut:
        org = await streams.organization(uow, principal.org_id)
        body = ProvincialBody(org.org_id, org.name, org.level, org.parent_id, org.function)
        registered = register(body, client_id, name, public_key_pem, scopes, principal.username)
        await streams.append(uow, client_id, 0, [registered])
        row = (await uow.conn.execute(select(external_clients).where(external_clients.c.client_id == client_id))).one()
        return _out(row)

    return await execute(
        ctx, Metadata(actor=principal.username), action, answer=ExternalClientOut, idempotent=idempotent
    )


async def revoke_client(
    ctx: OrgContext, principal: Principal, client_id: str, reason: str, idempotent: Idempotency | None
) -> ExternalClientOut:
    require_role(principal, Role.SYSTEM_ADMIN)

    async def action(uow: UnitOfWork) -> ExternalClientOut:
        client = await streams.external_client(uow, client_id)
        revoked = client.revoke(principal.org_id, reason, principal.username)
        if revoked:
            await streams.append(uow, client.client_id, client.version, revoked)
        row = (
            await uow.conn.execute(select(external_clients).where(external_clients.c.client_id == client.client_id))
        ).one()
        return _out(row)

    return await execute(
        ctx, Metadata(actor=principal.username), action, answer=ExternalClientOut, idempotent=idempotent
    )


async def list_clients(ctx: OrgContext, principal: Principal) -> list[ExternalClientOut]:
    """A provincial body's system administrator sees its own clients; nobody else sees any."""
    require_role(principal, Role.SYSTEM_ADMIN)
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(external_clients)
            .where(external_clients.c.org_id == uuid.UUID(str(principal.org_id)))
            .order_by(external_clients.c.registered_at)
        )
        return [_out(row) for row in rows]


async def assertion_grant(ctx: OrgContext, assertion: str, scope: str | None) -> TokenOut:
    """OAuth2 client credentials with an RFC 7523 assertion: a registered, unrevoked client's key signed
    it for our token endpoint, its jti is fresh; the token carries the granted scopes (narrowed to the
    requested ones), the body's org and its series."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(external_clients).where(external_clients.c.revoked.is_(False)))).all()
    keys = {}
    for row in rows:
        try:
            keys[str(row.client_id)] = load_public_key(row.public_key_pem)
        except (SignatureError, ValueError):
            continue
    try:
        claims = verify_client_assertion(assertion, keys, ctx.settings.token_audience, now=now.timestamp())
    except SignatureError as exc:
        raise Unauthorized("client_assertion_invalid", "客户端断言无效、已过期或签名不正确。") from exc
    row = next(r for r in rows if str(r.client_id) == claims["iss"])
    async with ctx.db.transaction() as conn:
        await conn.execute(delete(client_assertion_jtis).where(client_assertion_jtis.c.expires_at < now))
        fresh = await conn.execute(
            insert(client_assertion_jtis)
            .values(jti=str(claims["jti"])[:200], client_id=claims["iss"], expires_at=now + timedelta(minutes=10))
            .on_conflict_do_nothing(index_elements=["jti"])
        )
        if not fresh.rowcount:
            raise Unauthorized("client_assertion_replayed", "该客户端断言已使用过，请重新签发。")
        org = (await conn.execute(select(organizations).where(organizations.c.id == row.org_id))).one_or_none()
        origin = current_origin.get()
        await conn.execute(
            external_access.insert().values(
                at=now,
                client_id=str(row.client_id),
                org_id=str(row.org_id),
                method="POST",
                path="/api/v1/auth/token",
                query=f"scope={scope or ''}"[:1000],
                status=200 if org is not None and org.active else 404,
                ip=origin.ip if origin else "",
                request_id=origin.request_id if origin else "",
            )
        )
    if org is None or not org.active:
        raise NotFound("org_not_found", "该客户端所属的省级部门不存在或已停用。")
    requested = set(scope.split()) if scope else set(row.scopes)
    granted = sorted(requested & set(row.scopes))
    if not granted:
        raise Unauthorized("scope_not_granted", "所请求的权限范围未授予该客户端。")
    token, expires_in = ctx.issuer.access_token(
        {
            "sub": f"client:{row.client_id}",
            "username": str(row.client_id),
            "kind": "external",
            "org_id": str(org.id),
            "org_path": org.path,
            "org_kind": org.kind,
            "roles": [Role.PROVINCIAL_CLIENT.value],
            "name": row.name,
            "scope": " ".join(granted),
            "series": list(row.series),
        },
        now,
        minutes=EXTERNAL_TOKEN_MINUTES,
    )
    return TokenOut(access_token=token, token_type="bearer", expires_in=expires_in)


async def seed_development_clients(ctx: OrgContext) -> None:
    """Outside production: each seeded provincial body named in ZC_BOOTSTRAP_PROVINCIAL_CLIENTS gets an
    external client with every scope and the given public key, once (a start finds it registered)."""
    for code, public_key_pem in sorted(ctx.settings.provincial_clients().items()):
        await _seed_client(ctx, code, public_key_pem)


async def _seed_client(ctx: OrgContext, code: str, public_key_pem: str) -> ExternalClientOut:
    client_id = development_client_id(code)
    query = select(external_clients).where(external_clients.c.client_id == client_id)

    async def action(uow: UnitOfWork) -> ExternalClientOut:
        row = (await uow.conn.execute(query)).first()
        if row is None:
            org_id = (await uow.conn.execute(select(organizations.c.id).where(organizations.c.code == code))).scalar()
            if org_id is None:
                raise NotFound("org_not_found", f"未找到省级部门 {code}。")
            org = await streams.organization(uow, org_id)
            body = ProvincialBody(org.org_id, org.name, org.level, org.parent_id, org.function)
            name = f"{org.name}职称备案系统（开发）"
            registered = register(body, client_id, name, public_key_pem, sorted(SCOPES), "system:bootstrap")
            await streams.append(uow, client_id, 0, [registered])
            row = (await uow.conn.execute(query)).one()
        return _out(row)

    return await execute(ctx, Metadata(actor="system:bootstrap"), action, answer=ExternalClientOut)
