"""Issue 12's account findings against the real stack: lock-outs that no stranger can make permanent,
answers that do not tell which usernames exist, an organization's own administrator resetting and
unlocking its accounts, refresh tokens that die with the password and with their reuse, audited
logins, clean names and bounded queries.

The client address is what org-service records as the caller's (the X-Zc-Client-Addr the gateway sets when a
request comes straight to it, as in these tests).
"""

from __future__ import annotations

import concurrent.futures
import secrets
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from zhicheng_kernel.database import Database
from zhicheng_kernel.tables import events

from tests.api_client import Api, bearer, new_password, random_id_card
from tests.org_tree import Org, OrgTree

pytestmark = pytest.mark.stack


def _address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def _token(api: Api, address: str | None = None, **form: str) -> httpx.Response:
    headers = {"X-Zc-Client-Addr": address} if address else {}
    return api.http.post(api.url("org-service", "/api/v1/auth/token"), data=form, headers=headers)


def _password_login(api: Api, username: str, password: str, address: str | None = None) -> httpx.Response:
    return _token(api, address, grant_type="password", username=username, password=password)


def _refresh(api: Api, refresh_token: str) -> httpx.Response:
    return _token(api, None, grant_type="refresh_token", refresh_token=refresh_token)


def _changed(api: Api, username: str, initial_password: str) -> tuple[str, dict[str, Any]]:
    """Log in with a one-time password and change it: the new password and the answer (tokens)."""
    first = _password_login(api, username, initial_password)
    assert first.status_code == 200, first.text
    password = new_password()
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/password"),
        json={"old_password": initial_password, "new_password": password},
        headers=bearer(first.json()["access_token"]),
    )
    assert r.status_code == 200, r.text
    return password, r.json()


@pytest.fixture(scope="module")
def school(api: Api) -> Org:
    return OrgTree(api).school("平凉市账号加固测试中学")


def test_finding_11_failures_from_one_address_never_lock_the_holder_out_from_another(api: Api, school: Org) -> None:
    """Finding 11: five wrong passwords lock anyone out — a denial of service with predictable usernames."""
    clerk = school.clerk("锁定测试员", ["unit_review"])
    password, _ = _changed(api, clerk.username, clerk.initial_password)
    attacker, holder = _address(), _address()
    codes = [_password_login(api, clerk.username, "wrong-password-1", attacker).json()["code"] for _ in range(6)]
    assert codes[:5] == ["login_failed"] * 5 and codes[5] == "account_locked"
    # The attacker's address is held off, even with the right password ...
    assert _password_login(api, clerk.username, password, attacker).json()["code"] == "account_locked"
    # ... the holder, elsewhere, logs in.
    r = _password_login(api, clerk.username, password, holder)
    assert r.status_code == 200, r.text


def test_finding_11_unknown_usernames_and_wrong_passwords_get_the_same_answers(api: Api, school: Org) -> None:
    """Finding 11: the answers reveal which usernames exist."""
    clerk = school.clerk("枚举测试员", ["unit_review"])
    unknown = f"{school.code}-yw{secrets.randbelow(90) + 10}x"
    address = _address()
    for _ in range(6):
        known = _password_login(api, clerk.username, "wrong-password-2", address)
        stranger = _password_login(api, unknown, "wrong-password-2", address)
        assert known.status_code == stranger.status_code == 401
        assert (known.json()["code"], known.json()["detail"]) == (stranger.json()["code"], stranger.json()["detail"])
    assert known.json()["code"] == "account_locked"


async def test_finding_11_the_org_system_admin_resets_and_unlocks_its_accounts_audited(
    api: Api, school: Org, org_db: Database
) -> None:
    """Finding 11: only an operator's command line can reset a password — an organisation's own system
    administrator must be able to reset and unlock its accounts in the application, audited."""
    clerk = school.clerk("重置测试员", ["unit_review"])
    password, answer = _changed(api, clerk.username, clerk.initial_password)
    address = _address()
    for _ in range(5):
        _password_login(api, clerk.username, "wrong-password-3", address)
    assert _password_login(api, clerk.username, password, address).json()["code"] == "account_locked"

    unlocked = api.post("org-service", f"/api/v1/accounts/{clerk.account_id}/unlock", school.admin_token, {})
    assert unlocked.status_code == 200, unlocked.text
    assert _password_login(api, clerk.username, password, address).status_code == 200

    reset = api.post("org-service", f"/api/v1/accounts/{clerk.account_id}/password-reset", school.admin_token, {})
    assert reset.status_code == 200, reset.text
    one_time = reset.json()["initial_password"]
    assert _password_login(api, clerk.username, password).json()["code"] == "login_failed"
    assert _refresh(api, answer["refresh_token"]).status_code == 401  # the reset revoked every refresh token
    first = _password_login(api, clerk.username, one_time)
    assert first.status_code == 200 and first.json()["password_change_required"] is True

    entries = api.get("org-service", "/api/v1/audit", school.admin_token, actor=school.code, limit=50).json()
    done = {(e["event_type"], e["stream_id"]) for e in entries}
    assert ("PasswordReset", clerk.account_id) in done and ("AccountUnlocked", clerk.account_id) in done
    async with org_db.read() as conn:
        reset_event = (
            await conn.execute(
                select(events.c.actor, events.c.payload).where(
                    events.c.stream_id == clerk.account_id, events.c.event_type == "PasswordReset"
                )
            )
        ).one()
    assert reset_event.actor == school.code and reset_event.payload["reset_by"] == school.code


def test_finding_11_reset_and_unlock_are_refused_outside_the_admins_subtree(api: Api, school: Org) -> None:
    """Finding 11: the org's system administrator resets and unlocks accounts of its subtree only."""
    tree = OrgTree(api)
    clerk = school.clerk("越权测试员", ["unit_review", "applicant_management"])
    sibling = tree.school("平凉市账号加固兄弟中学")
    for action in ("password-reset", "unlock"):
        path = f"/api/v1/accounts/{clerk.account_id}/{action}"
        other_org = api.post("org-service", path, sibling.admin_token, {})
        assert other_org.status_code == 404, other_org.text
        business_admin = api.post("org-service", path, clerk.token, {})
        assert business_admin.status_code == 403 and business_admin.json()["code"] == "role_required"
        service = api.post("org-service", path, api.service_token(), {})
        assert service.status_code == 403
        itself = api.post(
            "org-service", f"/api/v1/accounts/{_me(api, school.admin_token)}/{action}", school.admin_token, {}
        )
        assert itself.status_code == 403 and itself.json()["code"] == "not_your_own_account"
        unknown = api.post(
            "org-service", f"/api/v1/accounts/{'0' * 8}-0000-0000-0000-{'0' * 12}/{action}", school.admin_token, {}
        )
        assert unknown.status_code == 404
    # The city office is above the school: its administrator may reset the school's clerk.
    above = api.post("org-service", f"/api/v1/accounts/{clerk.account_id}/password-reset", api.admin_token(), {})
    assert above.status_code == 200, above.text


def _me(api: Api, token: str) -> str:
    return str(api.get("org-service", "/api/v1/accounts/me", token).json()["account_id"])


def test_finding_10_a_password_change_revokes_every_refresh_token(api: Api, school: Org) -> None:
    """Finding 10: refresh tokens survive a password change or reset."""
    clerk = school.clerk("刷新测试员", ["unit_review"])
    password, _ = _changed(api, clerk.username, clerk.initial_password)
    before = _password_login(api, clerk.username, password).json()
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/password"),
        json={"old_password": password, "new_password": new_password()},
        headers=bearer(before["access_token"]),
    )
    assert r.status_code == 200, r.text
    stale = _refresh(api, before["refresh_token"])
    assert stale.status_code == 401 and stale.json()["code"] == "refresh_token_invalid"
    assert _refresh(api, r.json()["refresh_token"]).status_code == 200  # the one issued with the change works


def test_finding_10_a_reused_refresh_token_revokes_its_whole_family(api: Api, school: Org) -> None:
    """Finding 10: reuse of a refresh token does not revoke the chain."""
    clerk = school.clerk("重放测试员", ["unit_review"])
    _, answer = _changed(api, clerk.username, clerk.initial_password)
    first = answer["refresh_token"]
    second = _refresh(api, first)
    assert second.status_code == 200
    assert _refresh(api, first).status_code == 401  # stolen and replayed ...
    assert _refresh(api, second.json()["refresh_token"]).status_code == 401  # ... the thief's chain dies too


async def test_finding_10_refresh_tokens_do_not_slide_past_the_absolute_lifetime(
    api: Api, school: Org, org_db: Database
) -> None:
    """Finding 10: refresh tokens slide forever."""
    from org_service.adapters.tables import refresh_tokens
    from org_service.security.tokens import refresh_token_hash

    clerk = school.clerk("时限测试员", ["unit_review"])
    _, answer = _changed(api, clerk.username, clerk.initial_password)
    token = answer["refresh_token"]
    chain = [token]
    for _ in range(2):
        token = _refresh(api, token).json()["refresh_token"]
        chain.append(token)
    async with org_db.read() as conn:
        expiries = [
            (
                await conn.execute(
                    select(refresh_tokens.c.expires_at).where(refresh_tokens.c.token_hash == refresh_token_hash(t))
                )
            ).scalar_one()
            for t in chain
        ]
    assert len(set(expiries)) == 1, expiries  # every rotation keeps the expiry of the login it came from
    async with org_db.transaction() as conn:
        await conn.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.token_hash == refresh_token_hash(token))
            .values(expires_at=expiries[0].replace(year=2000))
        )
    assert _refresh(api, token).status_code == 401


def test_finding_16_logins_failures_lockouts_and_refreshes_are_audited(api: Api, school: Org) -> None:
    """Finding 16 (org part): logins, failures, lockouts, resets and token refreshes audited in
    org-service's audit table."""
    clerk = school.clerk("审计测试员", ["unit_review"])
    password, answer = _changed(api, clerk.username, clerk.initial_password)
    assert _refresh(api, answer["refresh_token"]).status_code == 200
    address = _address()
    for _ in range(6):
        _password_login(api, clerk.username, "wrong-password-4", address)
    entries = api.get("org-service", "/api/v1/audit", school.admin_token, actor=clerk.username, limit=100).json()
    kinds = [e["event_type"] for e in entries if e["stream_id"] == clerk.account_id]
    for kind in ("LoginSucceeded", "LoginFailed", "LoginLocked", "TokenRefreshed", "PasswordChanged"):
        assert kind in kinds, (kind, kinds)
    failed = next(e for e in entries if e["event_type"] == "LoginFailed")
    assert failed["ip"] == address
    assert password not in str(entries) and "wrong-password-4" not in str(entries)


def test_finding_22_concurrent_account_creation_never_answers_500(api: Api) -> None:
    """Finding 22 (org part): concurrent account creation can collide and answer 500 — it must be 409 or succeed."""
    unit = OrgTree(api).school("平凉市并发开户测试中学")
    admin, clerk_token = unit.admin_token, unit.clerk("并发登记员", ["applicant_management"]).token

    def business_admin(i: int) -> httpx.Response:
        body = {"display_name": f"并发业务员{'甲乙丙丁戊己庚辛'[i]}", "roles": ["unit_review"]}
        return api.post("org-service", "/api/v1/accounts/business-admins", admin, body)

    def applicant(i: int) -> httpx.Response:
        body = {"display_name": f"并发申报人{'甲乙丙丁戊己庚辛'[i]}", "id_card_number": random_id_card()}
        return api.post("org-service", "/api/v1/accounts/applicants", clerk_token, body)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(business_admin, range(8))) + list(pool.map(applicant, range(8)))
    assert all(r.status_code in (201, 409) for r in answers), [(r.status_code, r.text) for r in answers]
    usernames = [r.json()["username"] for r in answers if r.status_code == 201]
    assert len(usernames) == len(set(usernames)) and len(usernames) == 16


def test_finding_7_a_full_width_id_number_registers_as_the_ascii_number(api: Api) -> None:
    """Finding 7: ID numbers with full-width digits pass validation as a different string, so the same
    person can register twice."""
    clerk = OrgTree(api).school("平凉市全角证号测试中学").clerk("全角登记员", ["applicant_management"])
    number = random_id_card()
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    first = api.register_applicant(clerk.token, "全角甲", full_width)
    again = api.post(
        "org-service", "/api/v1/accounts/applicants", clerk.token, {"display_name": "全角甲", "id_card_number": number}
    )
    assert again.status_code == 409 and again.json()["code"] == "applicant_already_registered"
    mixed = number[:6] + full_width[6:]
    again = api.post(
        "org-service", "/api/v1/accounts/applicants", clerk.token, {"display_name": "全角甲", "id_card_number": mixed}
    )
    assert again.status_code == 409
    ideographic = api.post(
        "org-service",
        "/api/v1/accounts/applicants",
        clerk.token,
        {"display_name": "全角乙", "id_card_number": "六" + random_id_card()[1:]},
    )
    assert ideographic.status_code == 422 and ideographic.json()["field"] == "id_card_number"
    assert first["username"].endswith("-sq0001")


async def test_finding_7_the_registered_event_and_read_model_hold_the_ascii_number(api: Api, org_db: Database) -> None:
    """Finding 7: every path that stores an ID number stores its NFKC-normalised ASCII form."""
    from org_service.adapters.tables import accounts

    clerk = OrgTree(api).school("平凉市全角证号二测试中学").clerk("全角登记员", ["applicant_management"])
    number = random_id_card()
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    first = api.register_applicant(clerk.token, "全角丙", full_width)
    async with org_db.read() as conn:
        payload = (
            await conn.execute(select(events.c.payload).where(events.c.stream_id == first["account_id"]))
        ).scalar_one()
        stored = (
            await conn.execute(select(accounts.c.id_card_number).where(accounts.c.id == first["account_id"]))
        ).scalar_one()
    assert payload["id_card_number"] == stored == number and stored.isascii()


def test_finding_27_audit_offsets_beyond_the_bounds_are_refused_not_500(api: Api) -> None:
    """Finding 27: `GET /api/v1/audit?offset=10472689468565861957632` answers 500."""
    for params in ({"offset": "10472689468565861957632"}, {"offset": "2000000"}, {"limit": "100000"}):
        r = api.get("org-service", "/api/v1/audit", api.admin_token(), **params)
        assert r.status_code == 422, (params, r.status_code, r.text)


def test_finding_27_names_with_control_bidi_or_zero_width_characters_are_refused(api: Api, school: Org) -> None:
    """Finding 27 (smaller): names that accept NUL, control, bidi and zero-width characters."""
    for bad in ("王\x00芳", "王\u202e芳", "王\u200b芳", "王\x07芳"):
        person = api.post(
            "org-service",
            "/api/v1/accounts/business-admins",
            school.admin_token,
            {"display_name": bad, "roles": ["unit_review"]},
        )
        assert person.status_code == 422, (repr(bad), person.status_code, person.text)
        org = api.post(
            "org-service",
            "/api/v1/orgs",
            api.admin_token(),
            {
                "name": f"平凉市{bad}研究所",
                "kind": "state_unit",
                "unit_type": "research_institute",
                "level": "city",
                "division_code": "620800",
                "credit_code": "12620800MA00000000",
            },
        )
        assert org.status_code == 422, (repr(bad), org.status_code, org.text)


def test_finding_27_a_weak_new_password_is_refused_in_chinese(api: Api, school: Org) -> None:
    """Finding 27 (smaller): weak password policy."""
    clerk = school.clerk("密码策略员", ["unit_review"])
    first = _password_login(api, clerk.username, clerk.initial_password).json()
    for weak in ("Abc12345", "password1234", clerk.username + "A1", "13912345678a"):
        r = api.http.post(
            api.url("org-service", "/api/v1/auth/password"),
            json={"old_password": clerk.initial_password, "new_password": weak},
            headers=bearer(first["access_token"]),
        )
        assert r.status_code == 422 and r.json()["code"] == "password_weak", (weak, r.text)
        assert r.json()["field"] == "new_password" and "密码" in r.json()["detail"]
    ok = api.http.post(
        api.url("org-service", "/api/v1/auth/password"),
        json={"old_password": clerk.initial_password, "new_password": "平凉的杏花开了三月天"},
        headers=bearer(first["access_token"]),
    )
    assert ok.status_code == 422  # ten characters: a passphrase needs twelve too
    ok = api.http.post(
        api.url("org-service", "/api/v1/auth/password"),
        json={"old_password": clerk.initial_password, "new_password": "崆峒山上的杏花三月开满了"},
        headers=bearer(first["access_token"]),
    )
    assert ok.status_code == 200, ok.text


def test_finding_27_a_username_with_a_nul_character_is_refused_not_500(api: Api) -> None:
    """Finding 27: texts with NUL reach PostgreSQL and answer 500 (here the login form's username)."""
    r = _password_login(api, "6208000001\x00", "whatever-password")
    assert r.status_code == 422, r.text


async def test_finding_12_a_login_takes_no_row_lock_while_argon2_verifies(
    api: Api, school: Org, org_db: Database
) -> None:
    """Finding 12: argon2 runs on the event loop while holding row and append locks — a login must not
    wait on, nor hold, the credential row while it verifies: a wrong password is answered while
    another transaction holds that row."""
    from org_service.adapters.tables import credentials

    clerk = school.clerk("行锁测试员", ["unit_review"])
    async with org_db.transaction() as conn:
        await conn.execute(
            select(credentials.c.account_id).where(credentials.c.account_id == clerk.account_id).with_for_update()
        )
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.post(
                api.url("org-service", "/api/v1/auth/token"),
                data={"grant_type": "password", "username": clerk.username, "password": "wrong-password-5"},
                headers={"X-Zc-Client-Addr": _address()},
            )
    assert r.status_code == 401 and r.json()["code"] == "login_failed"
