"""First start: the Pingliang city 职改办 with its accounts, and the provincial bodies ORG-2 needs."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.roles import BUSINESS_ROLES

from ..adapters.tables import organizations
from ..context import OrgContext
from ..domain import events
from ..domain.identity import normalise_name
from ..domain.kinds import Function, Level, OrgKind
from ..security.passwords import initial_password
from .accounts import _insert_account
from .organizations import CreateOrganization, record_organization

log = logging.getLogger(__name__)

CITY_OFFICE_NAME = "平凉市职称改革工作领导小组办公室"
CITY_OFFICE_CODE = "6208000001"
OPERATOR_USERNAME = f"{CITY_OFFICE_CODE}-yw01"

PROVINCIAL_BODIES = [
    CreateOrganization("甘肃省人力资源和社会保障厅", OrgKind.HR_DEPARTMENT, Level.PROVINCE, "620000"),
    CreateOrganization(
        "甘肃省教育厅", OrgKind.GOVERNMENT_DEPARTMENT, Level.PROVINCE, "620000", function=Function.EDUCATION
    ),
    CreateOrganization(
        "甘肃省卫生健康委员会", OrgKind.GOVERNMENT_DEPARTMENT, Level.PROVINCE, "620000", function=Function.HEALTH
    ),
]


async def seed(ctx: OrgContext) -> None:
    settings = ctx.settings
    admin_password, operator_password = settings.bootstrap_admin_password, settings.bootstrap_operator_password
    provincial_passwords = settings.provincial_passwords()
    meta = Metadata(actor="system:bootstrap")
    async with ctx.db.transaction() as conn:
        exists = (
            await conn.execute(select(organizations.c.id).where(organizations.c.code == CITY_OFFICE_CODE))
        ).first()
        if exists is not None:
            return
        city = CreateOrganization(CITY_OFFICE_NAME, OrgKind.TITLE_OFFICE, Level.CITY, "620800")
        created = await record_organization(
            ctx, conn, meta, city, normalise_name(city.name), None, admin_password or initial_password(), False
        )
        operator_pw = operator_password or initial_password()
        assert created.admin_username == CITY_OFFICE_CODE, "the city office must be the first org of 620800"
        # Seeded development accounts are handed over with their passwords already agreed.
        await _insert_account(
            ctx,
            conn,
            meta,
            created=events.BusinessAdminCreated(
                account_id=uuid.uuid4(),
                username=OPERATOR_USERNAME,
                org_id=created.org["id"],
                display_name="市职改办业务管理员",
                must_change_password=False,
            ),
            kind="business_admin",
            username=OPERATOR_USERNAME,
            org_id=created.org["id"],
            display_name="市职改办业务管理员",
            roles=sorted(r.value for r in BUSINESS_ROLES),
            password=operator_pw,
            must_change_password=False,
        )
        for serial, body in enumerate(PROVINCIAL_BODIES, start=1):
            code = f"{body.division_code}{serial:04d}"
            password = (provincial_passwords or {}).get(code) or initial_password()
            created = await record_organization(ctx, conn, meta, body, normalise_name(body.name), None, password, True)
            assert created.admin_username == code, "the provincial bodies are the first orgs of 620000"
    log.info("seeded the city title office %s and %d provincial bodies", CITY_OFFICE_CODE, len(PROVINCIAL_BODIES))
