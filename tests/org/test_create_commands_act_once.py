"""A create command retried with its Idempotency-Key acts once and answers as the first time."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from zhicheng_kernel.database import Database
from zhicheng_kernel.tables import command_log, events

from tests.api_client import Api, bearer, new_password, random_id_card, unique_name
from tests.org_tree import OrgTree, random_credit_code

pytestmark = pytest.mark.stack


def _key() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_a_retried_organization_creation_creates_one_organization_and_repeats_the_answer(api: Api) -> None:
    admin = api.admin_token()
    name = unique_name("平凉市幂等测试研究所")
    body = {
        "name": name,
        "kind": "state_unit",
        "unit_type": "research_institute",
        "level": "city",
        "division_code": "620800",
        "credit_code": random_credit_code(),
    }
    headers = bearer(admin) | {"Idempotency-Key": _key()}
    url = api.url("org-service", "/api/v1/orgs")
    first, again = (api.http.post(url, json=body, headers=headers) for _ in range(2))
    assert first.status_code == 201, first.text
    assert first.json()["admin"]["initial_password"]
    # The retry repeats the answer, but a one-time password is shown once and never stored.
    expected = first.json() | {"admin": first.json()["admin"] | {"initial_password": None}}
    assert again.status_code == 201 and again.json() == expected
    assert [o["id"] for o in api.get("org-service", "/api/v1/orgs", admin, name=name).json()] == [first.json()["id"]]
    other = api.http.post(url, json=body | {"name": unique_name("平凉市另一研究所")}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_retried_account_commands_create_one_account_each(api: Api) -> None:
    school = OrgTree(api).state_unit("平凉市幂等测试中学")
    admin = school.admin_token
    headers = bearer(admin) | {"Idempotency-Key": _key()}
    url = api.url("org-service", "/api/v1/accounts/business-admins")
    body = {"display_name": "王芳", "roles": ["applicant_management"]}
    first, again = (api.http.post(url, json=body, headers=headers) for _ in range(2))
    assert first.status_code == 201 and again.json() == first.json() | {"initial_password": None}
    clerk = api.login(first.json()["username"], first.json()["initial_password"])
    number = random_id_card()
    headers = bearer(clerk) | {"Idempotency-Key": _key()}
    url = api.url("org-service", "/api/v1/accounts/applicants")
    body = {"display_name": "李明", "id_card_number": number}
    first, again = (api.http.post(url, json=body, headers=headers) for _ in range(2))
    assert first.status_code == 201 and again.json() == first.json() | {"initial_password": None}
    # Without the key a second registration of the same person is refused.
    refused = api.post("org-service", "/api/v1/accounts/applicants", clerk, body)
    assert refused.status_code == 409 and refused.json()["code"] == "applicant_already_registered"
    accounts = api.get("org-service", f"/api/v1/orgs/{school.id}/accounts", admin).json()
    assert sorted(a["kind"] for a in accounts) == ["applicant", "business_admin", "system_admin"]


async def test_the_command_log_never_keeps_a_one_time_password(api: Api, org_db: Database) -> None:
    admin = api.admin_token()
    headers = bearer(admin) | {"Idempotency-Key": _key()}
    body = {"name": unique_name("平凉市口令留存测试所"), "kind": "state_unit", "unit_type": "research_institute"}
    body |= {"level": "city", "division_code": "620800", "credit_code": random_credit_code()}
    created = api.http.post(api.url("org-service", "/api/v1/orgs"), json=body, headers=headers)
    assert created.status_code == 201, created.text
    password = created.json()["admin"]["initial_password"]
    async with org_db.read() as conn:
        kept = [str(r.response) for r in await conn.execute(select(command_log.c.response))]
    assert kept and not any(password in answer for answer in kept)


async def test_finding_22_a_retried_password_change_answers_as_the_first(api: Api, org_db: Database) -> None:
    """Finding 22: commands are not idempotent — a password change retried with the same Idempotency-Key
    after a crash (the first sending changed the password, its answer was lost) answered 400 password_wrong."""
    clerk = OrgTree(api).state_unit("平凉市改密重试测试中学").clerk("改密重试员", ["unit_review"])
    login = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "password", "username": clerk.username, "password": clerk.initial_password},
    )
    assert login.status_code == 200 and login.json()["password_change_required"], login.text
    headers = bearer(login.json()["access_token"]) | {"Idempotency-Key": _key()}
    url = api.url("org-service", "/api/v1/auth/password")
    password = new_password()
    body = {"old_password": clerk.initial_password, "new_password": password}
    first, again = (api.http.post(url, json=body, headers=headers) for _ in range(2))
    assert first.status_code == 200, first.text
    assert again.status_code == 200, again.text  # was: 400 password_wrong
    assert again.json()["access_token"] and not again.json()["password_change_required"]
    async with org_db.read() as conn:  # one change: one PasswordChanged on the account's stream
        changes = await conn.execute(
            select(events.c.position).where(
                events.c.stream_id == clerk.account_id, events.c.event_type == "PasswordChanged"
            )
        )
        assert len(changes.all()) == 1
    # The same key with another request (another new password) is refused, not replayed.
    other = api.http.post(url, json=body | {"new_password": new_password()}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused", other.text
    # Without a key the old password is wrong now, as before.
    plain = api.http.post(url, json=body, headers=bearer(login.json()["access_token"]))
    assert plain.status_code == 400 and plain.json()["code"] == "password_wrong"
