"""First start: the Pingliang city 职改办 with its accounts, and the provincial bodies ORG-2 needs."""

from __future__ import annotations

import logging
import uuid

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


async def _found_root(uow: UnitOfWork, cmd: NewOrganization, password: str, must_change_password: bool) -> str:
    org_id, admin_id = uuid.uuid4(), uuid.uuid4()
    code = await reservations.next_org_code(uow.conn, cmd.division_code)
    founded = found(cmd, None, org_id, code, admin_id, must_change_password=must_change_password)
    await record_founding(uow, founded, cmd.credit_code, hash_password(password))
    return code


async def seed(ctx: OrgContext) -> None:
    settings = ctx.settings
    async with ctx.db.read() as conn:
        exists = (
            await conn.execute(select(organizations.c.id).where(organizations.c.code == CITY_OFFICE_CODE))
        ).first()
    if exists is not None:
        return
    provincial_passwords = settings.provincial_passwords()

    async def action(uow: UnitOfWork) -> Seeded:
        # Seeded development accounts of the city office are handed over with their passwords agreed.
        city = await _found_root(uow, CITY_OFFICE, settings.bootstrap_admin_password or initial_password(), False)
        assert city == CITY_OFFICE_CODE, "the city office must be the first org of 620800"
        city_id = (await uow.conn.execute(select(organizations.c.id).where(organizations.c.code == city))).scalar_one()
        operator_password = settings.bootstrap_operator_password or initial_password()
        await create_seeded_operator(uow, city_id, OPERATOR_USERNAME, operator_password)
        for serial, body in enumerate(PROVINCIAL_BODIES, start=1):
            expected = f"{body.division_code}{serial:04d}"
            password = provincial_passwords.get(expected) or initial_password()
            code = await _found_root(uow, body, password, True)
            assert code == expected, "the provincial bodies are the first orgs of 620000"
        return Seeded(organizations=1 + len(PROVINCIAL_BODIES))

    await execute(ctx, Metadata(actor="system:bootstrap"), action, answer=Seeded)
    log.info("seeded the city title office %s and %d provincial bodies", CITY_OFFICE_CODE, len(PROVINCIAL_BODIES))
