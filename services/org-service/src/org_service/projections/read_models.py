"""The read models `organization` and `account`: projections of org-service's own events.

A use case applies the events it appended here, in its own transaction, so a read right after a
write sees it. The tables hold nothing the events do not say (no password hash, no lock-out counter:
those are in the credential table), so replaying the store into empty tables rebuilds them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.roles import Role

from ..adapters.tables import accounts, external_clients, organizations
from ..domain import events
from ..domain.account import AccountKind
from ..domain.identity import normalise_name


async def apply(conn: AsyncConnection, envelopes: Iterable[EventEnvelope]) -> None:
    """Bring the read models up to date with these events, in the caller's transaction."""
    for envelope in envelopes:
        await _apply_one(conn, envelope)


async def _apply_one(conn: AsyncConnection, envelope: EventEnvelope) -> None:
    event = events.CATALOGUE.parse(envelope)
    version, at = envelope.version, envelope.occurred_at
    match event:
        case events.OrganizationCreated():
            await conn.execute(
                organizations.insert().values(
                    id=event.org_id,
                    code=event.code,
                    name=event.name,
                    normalised_name=normalise_name(event.name),
                    credit_code=event.credit_code,
                    kind=event.kind,
                    level=event.level,
                    division_code=event.division_code,
                    function=event.function,
                    unit_type=event.unit_type,
                    registration_level=event.registration_level,
                    parent_id=event.parent_id,
                    path=event.path,
                    active=True,
                    version=version,
                    created_at=at,
                )
            )
        case events.OrganizationDeactivated():
            await conn.execute(
                organizations.update().where(organizations.c.id == event.org_id).values(active=False, version=version)
            )
        case events.AdminAccountCreated():
            org_name = (
                await conn.execute(select(organizations.c.name).where(organizations.c.id == event.org_id))
            ).scalar_one()
            await _new_account(
                conn,
                envelope,
                event.account_id,
                event.username,
                AccountKind.SYSTEM_ADMIN,
                event.org_id,
                display_name=f"{org_name}系统管理员",
                roles=[Role.SYSTEM_ADMIN.value],
                must_change_password=event.must_change_password,
            )
        case events.BusinessAdminCreated():
            await _new_account(
                conn,
                envelope,
                event.account_id,
                event.username,
                AccountKind.BUSINESS_ADMIN,
                event.org_id,
                display_name=event.display_name,
                roles=[],
                must_change_password=event.must_change_password,
            )
        case events.ApplicantRegistered():
            await _new_account(
                conn,
                envelope,
                event.account_id,
                event.username,
                AccountKind.APPLICANT,
                event.org_id,
                display_name=event.display_name,
                roles=[Role.APPLICANT.value],
                must_change_password=True,
                id_card_number=event.id_card_number,
                on_staff=event.on_staff,
            )
        case events.ExpertRegistered():
            await _new_account(
                conn,
                envelope,
                event.account_id,
                event.username,
                AccountKind.EXPERT,
                event.org_id,
                display_name=event.display_name,
                roles=[Role.EXPERT.value],
                must_change_password=True,
            )
        case events.RolesAssigned():
            await _update_account(conn, event.account_id, version, roles=list(event.roles))
        case events.PasswordChanged():
            await _update_account(conn, event.account_id, version, must_change_password=False)
        case events.PasswordReset():
            await _update_account(conn, event.account_id, version, must_change_password=True)
        case events.AccountDeactivated():
            await _update_account(conn, event.account_id, version, active=False)
        case events.ApplicantStaffStatusChanged():
            await _update_account(conn, event.account_id, version, on_staff=event.on_staff)
        case events.ExternalClientRegistered():
            await conn.execute(
                external_clients.insert().values(
                    client_id=event.client_id,
                    org_id=event.org_id,
                    name=event.name,
                    public_key_pem=event.public_key_pem,
                    scopes=event.scopes,
                    series=event.series,
                    revoked=False,
                    version=version,
                    registered_at=at,
                )
            )
        case events.ExternalClientRevoked():
            await conn.execute(
                external_clients.update()
                .where(external_clients.c.client_id == event.client_id)
                .values(revoked=True, version=version)
            )


async def _new_account(
    conn: AsyncConnection,
    envelope: EventEnvelope,
    account_id: uuid.UUID,
    username: str,
    kind: AccountKind,
    org_id: uuid.UUID,
    *,
    display_name: str,
    roles: list[str],
    must_change_password: bool,
    id_card_number: str | None = None,
    on_staff: bool | None = None,
) -> None:
    await conn.execute(
        accounts.insert().values(
            id=account_id,
            username=username,
            kind=kind.value,
            org_id=org_id,
            display_name=display_name,
            roles=roles,
            must_change_password=must_change_password,
            active=True,
            id_card_number=id_card_number,
            on_staff=on_staff,
            version=envelope.version,
            created_at=envelope.occurred_at,
        )
    )


async def _update_account(conn: AsyncConnection, account_id: uuid.UUID, version: int, **values: object) -> None:
    await conn.execute(accounts.update().where(accounts.c.id == account_id).values(**values, version=version))
