"""org-service through HTTP against the real stack: login, ORG-1/ORG-4/ORG-5/ORG-6, tokens."""

from __future__ import annotations

import concurrent.futures

import pytest

from tests.api_client import Api, bearer, random_id_card, unique_name
from tests.harness import Stack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


def test_seeded_city_office_admin_logs_in_and_sees_itself(api: Api) -> None:
    r = api.get("org-service", "/api/v1/accounts/me", api.admin_token())
    assert r.status_code == 200
    assert r.json()["username"] == "6208000001"
    assert r.json()["roles"] == ["system_admin"]


def test_ORG_5_creating_an_org_creates_its_system_admin_named_by_the_org_code(api: Api) -> None:
    created = api.create_org(
        api.admin_token(),
        name=unique_name("平凉市市场监督管理局"),
        kind="government_department",
        level="city",
        division_code="620800",
        function="other",
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
    body = {"name": name, "kind": "state_unit", "level": "city", "division_code": "620800"}
    token = api.admin_token()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: api.post("org-service", "/api/v1/orgs", token, body), range(2)))
    assert sorted(r.status_code for r in responses) == [201, 409]
    conflict = next(r for r in responses if r.status_code == 409)
    assert conflict.headers["content-type"].startswith("application/problem+json")
    assert conflict.json()["code"] == "org_already_exists"
    assert conflict.json()["existing"]["code"] == next(r for r in responses if r.status_code == 201).json()["code"]


def test_ORG_1_a_county_office_cannot_create_a_city_level_unit(api: Api) -> None:
    county = api.create_org(
        api.admin_token(),
        name=unique_name("泾川县职称改革工作领导小组办公室"),
        kind="title_office",
        level="county",
        division_code="620821",
    )
    r = api.post(
        "org-service",
        "/api/v1/orgs",
        api.org_admin_token(county),
        {"name": unique_name("平凉市某研究所"), "kind": "state_unit", "level": "city", "division_code": "620800"},
    )
    assert r.status_code == 403
    assert r.json()["rule"] == "ORG-1"


def test_ORG_6_business_admin_gets_roles_and_a_system_admin_does_not_review(api: Api) -> None:
    school = api.create_org(
        api.admin_token(), name=unique_name("平凉市第三中学"), kind="state_unit", level="city", division_code="620800"
    )
    admin = api.org_admin_token(school)
    ba = api.create_business_admin(admin, "王芳", ["applicant_management", "unit_review"])
    assert ba["username"] == f"{school['code']}-yw01"
    ba_token = api.login(ba["username"], ba["password"])
    applicant = api.register_applicant(ba_token, "李明", random_id_card())
    assert len(applicant["username"]) == 18
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
    r = api.get("org-service", "/api/v1/events", api.service_token(), after=0, limit=5)
    assert r.status_code == 200
    assert r.json()["events"][0]["event_type"] == "OrganizationCreated"
