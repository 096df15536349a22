"""What the web application's organization and account pages read, against the real stack: the kinds of
organization a node may create and why (ORG-1, ORG-2 answered by the domain's own rule), and a page of
an organization's accounts, each caller reading only what its role and subtree allow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_client import Api, unique_name
from tests.org_tree import Org, OrgTree, random_credit_code

pytestmark = pytest.mark.stack


def _kinds(api: Api, token: str, org_id: str) -> dict[str, Any]:
    r = api.get("org-service", f"/api/v1/orgs/{org_id}/allowed-children", token)
    assert r.status_code == 200, r.text
    return {k["kind"]: k for k in r.json()["kinds"]} | {"creatable_here": r.json()["creatable_here"]}


@pytest.fixture(scope="module")
def county(api: Api) -> Org:
    return OrgTree(api).county_office("灵台县", "620822")


def test_org_1_org_2_the_city_office_is_offered_county_offices_and_never_private_enterprises(
    api: Api, county: Org
) -> None:
    city = OrgTree(api).city_office()
    kinds = _kinds(api, city.admin_token, city.id)
    assert kinds["creatable_here"] is True
    office = kinds["title_office"]
    assert office["allowed"] and office["rule"] == "ORG-1" and office["name_zh"] == "职改办"
    assert {p["level"] for p in office["placements"]} == {"county"}
    assert {p["division_name"] for p in office["placements"]} >= {"灵台县", "崆峒区", "华亭市"}
    assert "620800" not in {p["division_code"] for p in office["placements"]}
    enterprise = kinds["private_enterprise"]
    assert not enterprise["allowed"] and enterprise["rule"] == "ORG-2" and enterprise["placements"] == []
    assert "市职改办不创建民营企业" in enterprise["explanation"]
    assert [p["level"] for p in kinds["state_unit"]["placements"]] == ["city"]

    # The county office below: a private enterprise of its own county, no county office.
    below = _kinds(api, city.admin_token, county.id)
    assert below["creatable_here"] is False  # the city's administrator creates under its own office only
    own = _kinds(api, county.admin_token, county.id)
    assert own["creatable_here"] is True
    assert own["private_enterprise"]["allowed"]
    assert [(p["level"], p["division_code"]) for p in own["private_enterprise"]["placements"]] == [("county", "620822")]
    assert not own["title_office"]["allowed"] and "县区职改办可创建" in own["title_office"]["explanation"]

    # What the page offers is what creation accepts, and a kind it withholds is refused with the same words.
    refused = api.post(
        "org-service",
        "/api/v1/orgs",
        county.admin_token,
        {
            "name": unique_name("灵台县职称改革工作领导小组办公室"),
            "kind": "title_office",
            "level": "county",
            "division_code": "620822",
            "credit_code": random_credit_code("620822", "title_office"),
        },
    )
    assert refused.status_code == 403 and refused.json()["rule"] == "ORG-1"
    assert refused.json()["detail"] == own["title_office"]["explanation"]


def test_allowed_children_refusals_wrong_role_and_outside_the_subtree(api: Api, county: Org) -> None:
    city = OrgTree(api).city_office()
    r = api.get("org-service", f"/api/v1/orgs/{city.id}/allowed-children", county.admin_token)
    assert r.status_code == 404 and r.json()["code"] == "org_not_found"
    clerk = county.clerk("申报管理员", ["applicant_management"])
    r = api.get("org-service", f"/api/v1/orgs/{county.id}/allowed-children", clerk.token)
    assert r.status_code == 403 and r.json()["code"] == "role_required"


def test_a_page_of_accounts_each_role_reading_what_it_may(api: Api, county: Org) -> None:
    tree = OrgTree(api)
    unit = tree.state_unit("灵台县账号列表测试中心", under=county)
    clerk = unit.clerk("登记员", ["applicant_management"])
    first = clerk.register_applicant("赵一鸣")
    clerk.register_applicant("钱二丽", on_staff=False)

    everything = api.get("org-service", "/api/v1/accounts", unit.admin_token)
    assert everything.status_code == 200, everything.text
    assert everything.json()["total"] == 4  # the administrator, the clerk, two applicants
    assert {a["kind"] for a in everything.json()["items"]} == {"system_admin", "business_admin", "applicant"}

    # The clerk's own organization by default: its applicants only, the ID number without the birth date.
    mine = api.get("org-service", "/api/v1/accounts", clerk.token, limit=1)
    assert mine.status_code == 200, mine.text
    page = mine.json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["limit"] == 1
    row = page["items"][0]
    assert row["kind"] == "applicant" and row["account_id"] == first.account_id and row["on_staff"] is True
    assert row["id_card_masked"] is not None and row["id_card_masked"][6:14] == "*" * 8
    found = api.get("org-service", "/api/v1/accounts", clerk.token, q="二丽").json()
    assert [a["display_name"] for a in found["items"]] == ["钱二丽"] and found["items"][0]["on_staff"] is False

    # The office above reads the unit's accounts; its auditor too; filters by kind and state.
    admins = api.get("org-service", "/api/v1/accounts", county.admin_token, org_id=unit.id, kind="system_admin")
    assert admins.status_code == 200 and [a["username"] for a in admins.json()["items"]] == [unit.code]

    # Refusals: a kind the role does not read, another organization, outside the subtree, no such role.
    r = api.get("org-service", "/api/v1/accounts", clerk.token, kind="business_admin")
    assert r.status_code == 403 and r.json()["code"] == "account_kind_not_readable"
    r = api.get("org-service", "/api/v1/accounts", unit.admin_token, org_id=county.id)
    assert r.status_code == 404 and r.json()["code"] == "org_not_found"
    reviewer = unit.clerk("审核员", ["unit_review"])
    r = api.get("org-service", "/api/v1/accounts", reviewer.token)
    assert r.status_code == 403 and r.json()["code"] == "accounts_not_readable"
    applicant_token = first.token
    r = api.get("org-service", "/api/v1/accounts", applicant_token)
    assert r.status_code == 403


def test_the_committee_secretary_lists_the_experts_its_office_registered(api: Api) -> None:
    tree = OrgTree(api)
    expert = tree.expert("孙专家", ["卫生系列"], "senior")
    operator = api.operator_token()
    page = api.get("org-service", "/api/v1/accounts", operator, kind="expert", q="孙专家", limit=100)
    assert page.status_code == 200, page.text
    row = next(a for a in page.json()["items"] if a["account_id"] == expert.account_id)
    assert row["series"] == ["卫生系列"] and row["title_level"] == "senior" and row["id_card_masked"] is None
