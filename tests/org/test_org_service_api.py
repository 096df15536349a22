"""org-service through HTTP against the real stack: login, ORG-1/ORG-4/ORG-5/ORG-6, tokens."""

from __future__ import annotations

import concurrent.futures

import pytest

from tests.api_client import Api, bearer, random_id_card, unique_name
from tests.org_tree import OrgTree, random_credit_code, root_admin

pytestmark = pytest.mark.stack


def test_seeded_city_office_admin_logs_in_and_sees_itself(api: Api) -> None:
    r = api.get("org-service", "/api/v1/accounts/me", api.admin_token())
    assert r.status_code == 200
    assert r.json()["username"] == "6208000001"
    assert r.json()["roles"] == ["system_admin"]
    assert r.json()["org_name"] == "平凉市职称改革工作领导小组办公室"  # the page shows the name, not the path of ids


def test_ORG_5_creating_an_org_creates_its_system_admin_named_by_the_org_code(api: Api) -> None:
    created = api.create_org(
        api.admin_token(),
        name=unique_name("平凉市市场监督管理局"),
        kind="government_department",
        level="city",
        division_code="620800",
        function="other",
        credit_code=random_credit_code(kind="government_department"),
    )
    assert created["admin"]["username"] == created["code"]
    assert created["code"].startswith("620800")
    first = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": created["code"], "password": created["admin"]["initial_password"]},
    ).json()
    assert first["password_change_required"] is True
    refused = api.get("org-service", "/api/v1/accounts/me", first["access_token"])
    assert refused.status_code == 403 and refused.json()["code"] == "password_change_required"
    token = api.org_admin_token(created)
    assert api.get("org-service", "/api/v1/accounts/me", token).status_code == 200


def test_ORG_4_concurrent_creation_of_the_same_org_gives_one_org_and_one_409(api: Api) -> None:
    name = unique_name("平凉市第五中学")
    body = {"name": name, "kind": "state_unit", "unit_type": "school", "level": "city", "division_code": "620800"}
    body["credit_code"] = random_credit_code()
    token = api.admin_token()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: api.post("org-service", "/api/v1/orgs", token, body), range(2)))
    assert sorted(r.status_code for r in responses) == [201, 409]
    conflict = next(r for r in responses if r.status_code == 409)
    assert conflict.headers["content-type"].startswith("application/problem+json")
    assert conflict.json()["code"] == "org_already_exists"
    assert conflict.json()["existing"]["code"] == next(r for r in responses if r.status_code == 201).json()["code"]


def _institute(name: str, **extra: str) -> dict[str, str]:
    body = {"kind": "state_unit", "unit_type": "research_institute", "level": "city", "division_code": "620800"}
    return {"name": unique_name(name), **body, **extra}


def test_ORG_3_an_organization_without_its_credit_code_is_refused_naming_the_rule(api: Api) -> None:
    for body in (_institute("平凉市无代码研究所"), _institute("平凉市空代码研究所", credit_code="")):
        r = api.post("org-service", "/api/v1/orgs", api.admin_token(), body)
        assert r.status_code == 422, r.text
        assert (r.json()["code"], r.json()["rule"], r.json()["field"]) == (
            "credit_code_required",
            "ORG-3",
            "credit_code",
        )
        assert "统一社会信用代码" in r.json()["detail"]


def test_ORG_4_a_second_organization_with_the_same_credit_code_is_refused_naming_the_first(api: Api) -> None:
    code = random_credit_code()
    first = OrgTree(api).state_unit("平凉市信用代码测试所", "research_institute", credit_code=code)
    assert first.created["credit_code"] == code
    # Typed in lower case (or full width), it is the same code.
    r = api.post(
        "org-service", "/api/v1/orgs", api.admin_token(), _institute("平凉市另一测试所", credit_code=code.lower())
    )
    assert r.status_code == 409, r.text
    assert (r.json()["code"], r.json()["rule"], r.json()["field"]) == ("org_already_exists", "ORG-4", "credit_code")
    assert r.json()["existing"] == {"id": first.id, "code": first.code}
    assert first.created["name"] in r.json()["detail"]


def test_ORG_4_concurrent_creation_under_one_credit_code_gives_one_org_and_one_409(api: Api) -> None:
    code = random_credit_code()
    bodies = [_institute("平凉市并发代码甲所", credit_code=code), _institute("平凉市并发代码乙所", credit_code=code)]
    token = api.admin_token()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda body: api.post("org-service", "/api/v1/orgs", token, body), bodies))
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    conflict = next(r for r in responses if r.status_code == 409)
    assert (conflict.json()["rule"], conflict.json()["field"]) == ("ORG-4", "credit_code")
    created = next(r for r in responses if r.status_code == 201).json()
    assert conflict.json()["existing"]["code"] == created["code"] and created["credit_code"] == code


def test_ORG_1_a_county_office_cannot_create_a_city_level_unit(api: Api) -> None:
    county = OrgTree(api).county_office("泾川县", "620821")
    r = api.post(
        "org-service",
        "/api/v1/orgs",
        county.admin_token,
        {
            "name": unique_name("平凉市某研究所"),
            "kind": "state_unit",
            "unit_type": "research_institute",
            "level": "city",
            "division_code": "620800",
            "credit_code": random_credit_code(),
        },
    )
    assert r.status_code == 403
    assert r.json()["rule"] == "ORG-1"


def test_ORG_6_business_admin_gets_roles_and_a_system_admin_does_not_review(api: Api) -> None:
    school = OrgTree(api).state_unit("平凉市第三中学")
    admin = school.admin_token
    ba = school.clerk("王芳", ["applicant_management", "unit_review"])
    assert ba.username == f"{school.code}-yw01"
    applicant = ba.register_applicant("李明")
    assert applicant.username == f"{school.code}-sq0001"
    # The system administrator manages accounts but does not register applicants itself.
    r = api.post(
        "org-service",
        "/api/v1/accounts/applicants",
        admin,
        {"display_name": "赵强", "id_card_number": random_id_card()},
    )
    assert r.status_code == 403 and r.json()["code"] == "role_required"


def test_bad_input_gets_problem_json_with_field(api: Api) -> None:
    token = api.admin_token()
    cases = [
        (
            {
                "name": "平凉市某单位'; DROP TABLE organization;--",
                "kind": "state_unit",
                "unit_type": "other",
                "level": "city",
                "division_code": "620800",
            },
            "name",
        ),
        (
            {"name": "<script>x</script>某单位", "kind": "state_unit", "level": "city", "division_code": "620800"},
            "name",
        ),
        (
            {
                "name": unique_name("平凉某公司"),
                "kind": "state_unit",
                "level": "city",
                "division_code": "620800",
                "credit_code": "91620800MA71234567",
            },
            "credit_code",
        ),
        ({"name": unique_name("平凉某公司"), "kind": "spaceship", "level": "city", "division_code": "620800"}, "kind"),
        ({"kind": "state_unit", "level": "city", "division_code": "620800"}, "name"),
        ({"name": "平" * 101, "kind": "state_unit", "level": "city", "division_code": "620800"}, "name"),
        (
            {"name": unique_name("平凉某院"), "kind": "state_unit", "level": "city", "division_code": "999999"},
            "division_code",
        ),
    ]
    for body, field in cases:
        r = api.post("org-service", "/api/v1/orgs", token, body)
        assert 400 <= r.status_code < 500, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == field, r.json()


def test_tokens_are_verified_without_calling_back_and_bad_ones_refused(api: Api) -> None:
    jwks = api.http.get(api.url("org-service", "/.well-known/jwks.json")).json()
    assert jwks["keys"][0]["alg"] == "EdDSA"
    r = api.http.get(api.url("org-service", "/api/v1/accounts/me"), headers=bearer("not-a-token"))
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


def test_event_feed_is_for_internal_services_only(api: Api) -> None:
    assert api.get("org-service", "/api/v1/events", api.admin_token()).status_code == 403
    r = api.get("org-service", "/api/v1/events", api.feed_token("org-service"), after=0, limit=5)
    assert r.status_code == 200
    assert r.json()["events"][0]["event_type"] == "OrganizationCreated"


def test_audit_shows_who_did_what_when_and_from_where_within_the_subtree(api: Api) -> None:
    admin = api.admin_token()
    r = api.http.post(
        api.url("org-service", "/api/v1/orgs"),
        json={
            "name": unique_name("平凉市审计测试局"),
            "kind": "government_department",
            "level": "city",
            "division_code": "620800",
            "function": "other",
            "credit_code": random_credit_code(kind="government_department"),
        },
        headers={
            "Authorization": f"Bearer {admin}",
            "User-Agent": "ZhigaibanTerminal/1.0",
            "X-Request-ID": "req-audit-1",
        },
    )
    assert r.status_code == 201
    dept = r.json()
    entries = api.get(
        "org-service", "/api/v1/audit", admin, actor="6208000001", event_type="OrganizationCreated"
    ).json()
    mine = [e for e in entries if e["stream_id"] == dept["id"]]
    assert len(mine) == 1
    assert mine[0]["ip"] == "127.0.0.1"
    assert mine[0]["user_agent"] == "ZhigaibanTerminal/1.0"
    assert mine[0]["request_id"] == "req-audit-1"
    # The new department's admin audits its own subtree only: the city office's actions are not there.
    dept_entries = api.get("org-service", "/api/v1/audit", api.org_admin_token(dept)).json()
    assert all(e["actor"] != "6208000001" for e in dept_entries)


def test_search_and_subtree_stay_within_the_callers_subtree(api: Api) -> None:
    admin = api.admin_token()
    tree = OrgTree(api)
    county = tree.county_office("崇信县", "620823")
    county_admin = county.admin_token
    school = tree.school("崇信县第一中学", under=county)
    by_name = api.get("org-service", "/api/v1/orgs", admin, name="崇信县第一中学").json()
    assert school.id in {o["id"] for o in by_name}
    assert api.get("org-service", "/api/v1/orgs", county_admin, code=school.code).json()[0]["id"] == school.id
    # The county office does not see the city office's other organizations, nor the provinces'.
    seen = api.get("org-service", "/api/v1/orgs", county_admin, limit=500).json()
    assert {o["division_code"] for o in seen} == {"620823"}
    subtree = api.get("org-service", f"/api/v1/orgs/{county.id}/subtree", county_admin).json()
    assert [o["id"] for o in subtree] == [county.id, school.id]


def test_a_deactivated_account_cannot_log_in_and_its_refresh_token_is_revoked(api: Api) -> None:
    school = OrgTree(api).school("平凉市第九中学")
    admin = school.admin_token
    clerk = school.clerk("陈静", ["unit_review"])
    login = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": clerk.username, "password": clerk.initial_password},
    ).json()
    accounts = api.get("org-service", f"/api/v1/orgs/{school.id}/accounts", admin).json()
    version = next(a["version"] for a in accounts if a["username"] == clerk.username)
    r = api.post(
        "org-service",
        f"/api/v1/accounts/{clerk.account_id}/deactivate",
        admin,
        {"expected_version": version, "reason": "调离本单位"},
    )
    assert r.status_code == 200 and r.json()["active"] is False
    again = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "refresh_token", "refresh_token": login["refresh_token"]},
    )
    assert again.status_code == 401 and again.json()["code"] == "refresh_token_invalid"
    relogin = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": clerk.username, "password": clerk.initial_password},
    )
    assert relogin.status_code == 401


def test_refresh_rotates_and_a_revoked_refresh_token_is_refused(api: Api) -> None:
    first = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": "6208000001", "password": api.stack.secrets.bootstrap_admin_password},
    ).json()
    second = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert second.status_code == 200
    reused = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert reused.status_code == 401
    api.http.post(api.url("org-service", "/api/v1/auth/revoke"), json={"refresh_token": second.json()["refresh_token"]})
    revoked = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "refresh_token", "refresh_token": second.json()["refresh_token"]},
    )
    assert revoked.status_code == 401


def test_repeated_failed_logins_lock_the_account(api: Api) -> None:
    school = OrgTree(api).school("平凉市第十中学")
    username = school.admin.username
    codes = [
        api.http.post(
            api.url("org-service", "/api/v1/auth/token"), data={"username": username, "password": "wrong"}
        ).json()["code"]
        for _ in range(6)
    ]
    assert codes[:5] == ["login_failed"] * 5
    assert codes[5] == "account_locked"
    locked = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": username, "password": school.admin.initial_password},
    )
    assert locked.status_code == 401 and locked.json()["code"] == "account_locked"


def test_role_catalogue_names_every_role_in_chinese(api: Api) -> None:
    roles = api.get("org-service", "/api/v1/roles", api.admin_token()).json()
    by_role = {r["role"]: r for r in roles}
    assert by_role["unit_review"]["name"] == "单位审核" and by_role["unit_review"]["assignable"]
    assert not by_role["system_admin"]["assignable"]


def _provincial_token(api: Api, code: str) -> str:
    """A provincial body's administrator, handed a fresh one-time password as on a server (other test
    modules may have logged in with the seeded one already)."""
    return root_admin(api, code).admin_token


def test_ORG_2_provincial_hr_creates_a_private_technical_school_through_the_api(api: Api) -> None:
    hr = _provincial_token(api, "6200000001")  # 甘肃省人力资源和社会保障厅
    school = api.create_org(
        hr,
        name=unique_name("平凉市民办技工学校"),
        kind="private_technical_school",
        level="city",
        division_code="620800",
        credit_code=random_credit_code(kind="private_technical_school"),
    )
    assert school["kind"] == "private_technical_school"
    # The city office may not (ORG-2): only the provincial HR department.
    r = api.post(
        "org-service",
        "/api/v1/orgs",
        api.admin_token(),
        {
            "name": unique_name("平凉市另一所民办技工学校"),
            "kind": "private_technical_school",
            "level": "city",
            "division_code": "620800",
            "credit_code": random_credit_code(kind="private_technical_school"),
        },
    )
    assert r.status_code == 403 and r.json()["rule"] == "ORG-2"


def test_ORG_2_provincial_education_creates_private_schools_registered_at_its_level_only(api: Api) -> None:
    education = _provincial_token(api, "6200000002")  # 甘肃省教育厅
    ok = api.post(
        "org-service",
        "/api/v1/orgs",
        education,
        {
            "name": unique_name("平凉市民办实验中学"),
            "kind": "private_school",
            "level": "city",
            "division_code": "620800",
            "registration_level": "province",
            "credit_code": random_credit_code(kind="private_school"),
        },
    )
    assert ok.status_code == 201, ok.text
    refused = api.post(
        "org-service",
        "/api/v1/orgs",
        education,
        {
            "name": unique_name("平凉市民办育才中学"),
            "kind": "private_school",
            "level": "city",
            "division_code": "620800",
            "registration_level": "city",
            "credit_code": random_credit_code(kind="private_school"),
        },
    )
    assert refused.status_code == 403 and refused.json()["rule"] == "ORG-2"


def test_org_2_private_enterprises_are_created_by_their_county_office_not_the_city_office(api: Api) -> None:
    tree = OrgTree(api)
    county = tree.county_office("华亭市", "620881")
    enterprise = tree.private_enterprise("华亭市某某机械制造有限公司", under=county)
    assert (enterprise.level, enterprise.division_code) == ("county", "620881")
    for level, division_code in (("city", "620800"), ("county", "620881")):
        r = api.post(
            "org-service",
            "/api/v1/orgs",
            api.admin_token(),
            {
                "name": unique_name("平凉某某新材料有限公司"),
                "kind": "private_enterprise",
                "level": level,
                "division_code": division_code,
                "credit_code": random_credit_code(division_code, "private_enterprise"),
            },
        )
        assert r.status_code == 403, r.text
        assert (r.json()["rule"], r.json()["field"]) == ("ORG-2", "kind")
        assert "县（市、区）职改办" in r.json()["detail"]


def test_org_3_an_abbreviated_name_is_refused_through_the_api(api: Api) -> None:
    body = {"kind": "state_unit", "unit_type": "school", "level": "city", "division_code": "620800"}
    r = api.post("org-service", "/api/v1/orgs", api.admin_token(), {"name": unique_name("市第一中学"), **body})
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["rule"], r.json()["field"]) == ("org_name_abbreviated", "ORG-3", "name")
    assert "单位全称" in r.json()["detail"]
    ok = api.post(
        "org-service",
        "/api/v1/orgs",
        api.admin_token(),
        {"name": unique_name("平凉市第一中学"), "credit_code": random_credit_code(), **body},
    )
    assert ok.status_code == 201, ok.text


def test_ORG_3_a_name_without_its_place_is_refused_through_the_api(api: Api) -> None:
    """Four characters and more ("第一中学…") are not a full name when the seal's place is missing."""
    body = {"kind": "state_unit", "unit_type": "school", "level": "city", "division_code": "620800"}
    body["credit_code"] = random_credit_code()
    r = api.post("org-service", "/api/v1/orgs", api.admin_token(), {"name": unique_name("第一中学"), **body})
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["rule"], r.json()["field"]) == ("org_name_without_place", "ORG-3", "name")


def test_an_operator_resets_a_root_admins_password_from_the_server(api: Api) -> None:
    import subprocess
    import sys

    env = api.stack.env("org-service")
    done = subprocess.run(
        [sys.executable, "-m", "org_service.admin", "reset-password", "6200000003"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    password = done.stdout.split("：", 1)[1].split("（", 1)[0]
    first = api.http.post(
        api.url("org-service", "/api/v1/auth/token"), data={"username": "6200000003", "password": password}
    ).json()
    assert first["password_change_required"] is True
    audit = api.get("org-service", "/api/v1/audit", api.service_token())  # services hold no auditor role
    assert audit.status_code == 403
