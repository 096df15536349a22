"""First start: the Pingliang city 职改办 with its accounts, and the provincial bodies ORG-2 needs."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters import reservations
from ..adapters.tables import organizations
from ..context import OrgContext
from ..domain.kinds import Function, Level, OrgKind
from ..domain.organization import NewOrganization, found
from ..security.passwords import hash_password, initial_password
from ..settings import OrgSettings
from .accounts import create_seeded_operator
from .organizations import record_founding

log = logging.getLogger(__name__)

CITY_OFFICE = NewOrganization("平凉市职称改革工作领导小组办公室", OrgKind.TITLE_OFFICE, Level.CITY, "620800")
CITY_OFFICE_CODE = "6208000001"
OPERATOR_USERNAME = f"{CITY_OFFICE_CODE}-yw01"

PROVINCIAL_BODIES = [
    NewOrganization("甘肃省人力资源和社会保障厅", OrgKind.HR_DEPARTMENT, Level.PROVINCE, "620000"),
    NewOrganization(
        "甘肃省教育厅", OrgKind.GOVERNMENT_DEPARTMENT, Level.PROVINCE, "620000", function=Function.EDUCATION
    ),
    NewOrganization(
        "甘肃省卫生健康委员会", OrgKind.GOVERNMENT_DEPARTMENT, Level.PROVINCE, "620000", function=Function.HEALTH
    ),
]


class Seeded(BaseModel):
    organizations: int


@dataclass(frozen=True)
class SeededAccount:
    """A bootstrap administrator: its username, its first password and whether it must change it."""

    username: str
    password: str
    must_change_password: bool


def seeded_accounts(settings: OrgSettings) -> list[SeededAccount]:
    """The bootstrap administrators: the city office's system and business administrators, then the
    provincial bodies' system administrators (in PROVINCIAL_BODIES' order).

    Each must change its first password at its first login. Outside production only, the city office's
    two accounts keep the passwords the development stack agreed for them (ZC_BOOTSTRAP_ADMIN_PASSWORD,
    ZC_BOOTSTRAP_OPERATOR_PASSWORD: the harness and `make demo` log in with them again and again); a
    password nobody was given is a one-time password in every environment.
    """
    agreed = settings.environment != "production"
    provincial = settings.provincial_passwords()

    def seeded(username: str, given: str, may_keep: bool) -> SeededAccount:
        return SeededAccount(username, given or initial_password(), not (may_keep and agreed and given))

    city = [
        seeded(CITY_OFFICE_CODE, settings.bootstrap_admin_password, True),
        seeded(OPERATOR_USERNAME, settings.bootstrap_operator_password, True),
    ]
    codes = [f"{body.division_code}{serial:04d}" for serial, body in enumerate(PROVINCIAL_BODIES, start=1)]
    return city + [seeded(code, provincial.get(code, ""), False) for code in codes]


async def _found_root(uow: UnitOfWork, cmd: NewOrganization, admin: SeededAccount, password_hash: str) -> str:
    org_id, admin_id = uuid.uuid4(), uuid.uuid4()
    code = await reservations.next_org_code(uow.conn, cmd.division_code)
    assert code == admin.username, "the seeded organizations are the first of their divisions"
    founded = found(cmd, None, org_id, code, admin_id, must_change_password=admin.must_change_password)
    await record_founding(uow, founded, cmd.credit_code, password_hash)
    return code


async def seed(ctx: OrgContext) -> None:
    async with ctx.db.read() as conn:
        exists = (
            await conn.execute(select(organizations.c.id).where(organizations.c.code == CITY_OFFICE_CODE))
        ).first()
    if exists is not None:
        return
    admin, operator, *provincial = seeded_accounts(ctx.settings)
    # argon2 in threads, before the transaction.
    hashes = {a.username: await hash_password(a.password) for a in (admin, operator, *provincial)}

    async def action(uow: UnitOfWork) -> Seeded:
        city = await _found_root(uow, CITY_OFFICE, admin, hashes[admin.username])
        city_id = (await uow.conn.execute(select(organizations.c.id).where(organizations.c.code == city))).scalar_one()
        await create_seeded_operator(
            uow, city_id, operator.username, hashes[operator.username], operator.must_change_password
        )
        for body, account in zip(PROVINCIAL_BODIES, provincial, strict=True):
            await _found_root(uow, body, account, hashes[account.username])
        return Seeded(organizations=1 + len(PROVINCIAL_BODIES))

    await execute(ctx, Metadata(actor="system:bootstrap"), action, answer=Seeded)
    log.info("seeded the city title office %s and %d provincial bodies", CITY_OFFICE_CODE, len(PROVINCIAL_BODIES))
