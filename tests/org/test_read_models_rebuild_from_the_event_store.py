"""org-service's read tables are projections of its events: replaying the store rebuilds them equal."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from org_service.domain.events import CATALOGUE
from org_service.projections import read_models
from sqlalchemy import text
from zhicheng_kernel.database import Database
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.positioner import position_now

from tests.api_client import Api
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack

READ_MODELS = ("organization", "account", "external_client")


def _live_a_realistic_history(api: Api) -> None:
    """Organizations, accounts of every kind, roles, staff status, password changes and deactivations."""
    tree = OrgTree(api)
    school = tree.school("平凉市重建测试中学")
    school_admin = school.admin_token  # a first login changes the initial password
    clerk = school.clerk("王芳", ["applicant_management"])
    listed = api.get("org-service", f"/api/v1/orgs/{school.id}/accounts", school_admin).json()
    version = next(a["version"] for a in listed if a["username"] == clerk.username)
    r = api.http.put(
        api.url("org-service", f"/api/v1/accounts/{clerk.account_id}/roles"),
        json={"roles": ["applicant_management", "unit_review"], "expected_version": version},
        headers={"Authorization": f"Bearer {school_admin}"},
    )
    assert r.status_code == 200, r.text
    applicant = clerk.register_applicant("李明")
    r = api.http.put(
        api.url("org-service", f"/api/v1/accounts/applicants/{applicant.account_id}/staff-status"),
        json={"on_staff": False, "reason": "编外聘用"},
        headers={"Authorization": f"Bearer {school_admin}"},
    )
    assert r.status_code == 200, r.text
    tree.expert("赵建国", ["卫生系列"])
    leaver = school.clerk("陈静", ["unit_review"])
    r = api.post(
        "org-service",
        f"/api/v1/accounts/{leaver.account_id}/deactivate",
        school_admin,
        {"expected_version": 2, "reason": "调离本单位"},
    )
    assert r.status_code == 200, r.text
    branch = tree.school("平凉市重建测试中学分校", under=school)
    r = api.post(
        "org-service",
        f"/api/v1/orgs/{branch.id}/deactivate",
        school_admin,
        {"expected_version": 1, "reason": "并入本校"},
    )
    assert r.status_code == 200, r.text


async def _rows(db_conn: Any, schema: str, table: str) -> list[dict[str, Any]]:
    result = await db_conn.execute(text(f'SELECT * FROM "{schema}"."{table}" ORDER BY 1'))
    return [dict(r) for r in result.mappings()]


async def test_replaying_the_event_store_into_empty_tables_rebuilds_the_read_models(api: Api, org_db: Database) -> None:
    _live_a_realistic_history(api)
    # The last command's events are committed, but org-service's positioner gives them their positions a
    # moment later; read by position before that, they would be missing from the history.
    await position_now(org_db)
    schema = f"rebuilt_{uuid.uuid4().hex[:8]}"
    async with org_db.transaction() as conn:
        history = await EventStore("org-service", CATALOGUE.upcasters).read_after(conn, 0, 1_000_000)
        assert {
            "PasswordChanged",
            "RolesAssigned",
            "ApplicantStaffStatusChanged",
            "AccountDeactivated",
            "OrganizationDeactivated",
        } <= {e.event_type for e in history}
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        for table in READ_MODELS:
            await conn.execute(text(f'CREATE TABLE "{schema}"."{table}" (LIKE public."{table}" INCLUDING ALL)'))
        await conn.execute(text(f'SET LOCAL search_path TO "{schema}", public'))
        await read_models.apply(conn, history)
        rebuilt = {table: await _rows(conn, schema, table) for table in READ_MODELS}
        live = {table: await _rows(conn, "public", table) for table in READ_MODELS}
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    assert live["organization"] and live["account"]
    for table in READ_MODELS:
        assert len(rebuilt[table]) == len(live[table])
        assert rebuilt[table] == live[table], table


async def test_no_event_carries_a_secret(org_db: Database) -> None:
    async with org_db.read() as conn:
        history = await EventStore("org-service", CATALOGUE.upcasters).read_after(conn, 0, 1_000_000)
    secret_keys = {"password", "password_hash", "initial_password", "refresh_token", "failed_logins", "locked_until"}
    assert history
    for envelope in history:
        assert secret_keys.isdisjoint(envelope.payload), envelope.event_type
        assert "$argon2" not in str(envelope.payload)
