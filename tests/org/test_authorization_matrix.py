"""Every org-service endpoint × every role × inside/outside the caller's subtree → allow or deny.

"Allow" means the authorization checks let the call through (it may still be refused on its merits,
e.g. 409 for a stale expected_version, which the matrix uses so that no allowed call changes
anything it should not); "deny" means 401 (no token), 403 (wrong role) or 404 (outside the subtree:
an organization one may not see does not exist for the caller).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from org_service.api import accounts, audit, auth, org_pages, orgs
from zhicheng_kernel.feed import feed_router

from tests.api_client import Api, MatrixApi, random_id_card, unique_name
from tests.harness import Stack
from tests.org_tree import OrgTree, random_credit_code, root_admin

pytestmark = pytest.mark.stack

ALL_BUSINESS = [
    "applicant_management",
    "unit_review",
    "department_review",
    "title_office_review",
    "push",
    "committee_secretary",
    "auditor",
]
ROLES = ["system_admin", *ALL_BUSINESS, "applicant", "expert", "service", "anonymous"]
# A service token reaches no route people call (issue 12, finding 8): "service" is allowed only the feed.
AUTHENTICATED = [r for r in ROLES if r not in ("anonymous", "service")]
USERS = AUTHENTICATED


@dataclass
class World:
    tokens: dict[str, str | None]
    inside_org: str  # a school under the city office (the applicant's own unit)
    outside_org: str  # a provincial body: outside every city principal's subtree
    inside_account: str  # a business admin of the city office
    outside_account: str  # a business admin of a county office
    inside_applicant: str  # the applicant of the school (on staff)
    outside_applicant: str  # an applicant of a provincial body (outside the city's subtree)


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    api = Api(stack)
    tree = OrgTree(api)
    city_office = tree.city_office()
    admin = city_office.admin_token
    tokens: dict[str, str | None] = {"system_admin": admin, "anonymous": None, "service": api.service_token()}
    clerks = {role: city_office.clerk(f"测试{number}号", [role]) for number, role in enumerate(ALL_BUSINESS)}
    tokens.update({role: clerk.token for role, clerk in clerks.items()})
    school = tree.school("平凉市矩阵测试学校")
    applicant = school.clerk("学校管理员", ["applicant_management"]).register_applicant("矩阵")
    tokens["applicant"] = applicant.token
    tokens["expert"] = clerks["committee_secretary"].register_expert("专家", ["卫生系列"]).token
    county_ba = tree.county_office("灵台县", "620822").clerk("县区管理员", ["auditor"])
    health = root_admin(api, "6200000003")  # 甘肃省卫生健康委员会
    provincial_applicant = health.clerk("省级登记员", ["applicant_management"]).register_applicant("省级矩阵")
    provincial = root_admin(api, "6200000001")  # 甘肃省人力资源和社会保障厅, outside the city
    return World(
        tokens=tokens,
        inside_org=school.id,
        outside_org=provincial.id,
        inside_account=clerks["auditor"].account_id,
        outside_account=county_ba.account_id,
        inside_applicant=applicant.account_id,
        outside_applicant=provincial_applicant.account_id,
    )


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str  # the route as FastAPI declares it
    allowed: frozenset[str]  # roles allowed inside the caller's subtree
    target: str | None = None  # "org", "account" or "applicant": the path parameter whose scope varies
    body: Callable[[], dict[str, Any]] | None = None
    outside_allowed: frozenset[str] = frozenset({"service"})
    org_in_query: bool = False  # the target organization is the `org_id` query parameter, not in the path


def _org_body() -> dict[str, Any]:
    return {
        "name": unique_name("平凉市矩阵研究所"),
        "kind": "state_unit",
        "unit_type": "research_institute",
        "level": "city",
        "division_code": "620800",
        "credit_code": random_credit_code(),
    }


ENDPOINTS = [
    Endpoint("POST", "/api/v1/orgs", frozenset({"system_admin"}), body=_org_body),
    Endpoint("GET", "/api/v1/orgs", frozenset(AUTHENTICATED)),
    Endpoint("GET", "/api/v1/orgs/{org_id}", frozenset(AUTHENTICATED), target="org"),
    Endpoint("GET", "/api/v1/orgs/{org_id}/children", frozenset(AUTHENTICATED), target="org"),
    Endpoint("GET", "/api/v1/orgs/{org_id}/subtree", frozenset(AUTHENTICATED), target="org"),
    Endpoint(
        "GET",
        "/api/v1/orgs/{org_id}/accounts",
        frozenset({"system_admin", "auditor"}),
        target="org",
        outside_allowed=frozenset(),
    ),
    # The kinds of organization a node may create (ORG-1, ORG-2): its system administrators (its subtree's).
    Endpoint(
        "GET",
        "/api/v1/orgs/{org_id}/allowed-children",
        frozenset({"system_admin"}),
        target="org",
        outside_allowed=frozenset(),
    ),
    # A page of accounts: of the caller's own organization (its system administrator and auditor every kind,
    # its applicant manager the applicants, its committee secretary the experts it registered) ...
    Endpoint(
        "GET",
        "/api/v1/accounts",
        frozenset({"system_admin", "auditor", "applicant_management", "committee_secretary"}),
    ),
    # ... and of an organization below it: the system administrator and auditor of a subtree only.
    Endpoint(
        "GET",
        "/api/v1/accounts",
        frozenset({"system_admin", "auditor"}),
        target="org",
        outside_allowed=frozenset(),
        org_in_query=True,
    ),
    # Only the parent's system administrator may deactivate (the city office created the school);
    # test_deactivation_is_for_the_parents_admin proves the other refusals.
    Endpoint(
        "POST",
        "/api/v1/orgs/{org_id}/deactivate",
        frozenset({"system_admin"}),
        target="org",
        body=lambda: {"expected_version": 999, "reason": "矩阵测试"},
        outside_allowed=frozenset(),
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/business-admins",
        frozenset({"system_admin"}),
        body=lambda: {"display_name": "矩阵业务员", "roles": ["auditor"]},
    ),
    Endpoint(
        "PUT",
        "/api/v1/accounts/{account_id}/roles",
        frozenset({"system_admin"}),
        target="account",
        body=lambda: {"roles": ["auditor"], "expected_version": 999},
        outside_allowed=frozenset(),
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/{account_id}/deactivate",
        frozenset({"system_admin"}),
        target="account",
        body=lambda: {"expected_version": 999, "reason": "矩阵测试"},
        outside_allowed=frozenset(),
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/applicants",
        frozenset({"applicant_management"}),
        body=lambda: {"display_name": "矩阵申报人", "id_card_number": random_id_card()},
    ),
    # The employer's system administrator (the applicant's organization or one above it) corrects the
    # on-staff status; the body repeats the registered status, so an allowed call changes nothing.
    Endpoint(
        "PUT",
        "/api/v1/accounts/applicants/{account_id}/staff-status",
        frozenset({"system_admin"}),
        target="applicant",
        body=lambda: {"on_staff": True, "reason": "矩阵测试"},
        outside_allowed=frozenset(),
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/experts",
        frozenset({"committee_secretary"}),
        body=lambda: {"display_name": "矩阵专家", "series": ["卫生系列"], "title_level": "senior"},
    ),
    # A system administrator resets and unlocks the accounts of its subtree (the city office's covers the
    # school's applicant, not the provincial body's); test_account_hardening proves the other refusals.
    Endpoint(
        "POST",
        "/api/v1/accounts/{account_id}/password-reset",
        frozenset({"system_admin"}),
        target="applicant",
        outside_allowed=frozenset(),
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/{account_id}/unlock",
        frozenset({"system_admin"}),
        target="applicant",
        outside_allowed=frozenset(),
    ),
    Endpoint("GET", "/api/v1/accounts/me", frozenset(AUTHENTICATED)),
    Endpoint("GET", "/api/v1/roles", frozenset(AUTHENTICATED)),
    Endpoint("GET", "/api/v1/audit", frozenset({"system_admin", "auditor"})),
    Endpoint("GET", "/api/v1/events", frozenset({"service"})),
    Endpoint(
        "POST",
        "/api/v1/auth/password",
        frozenset(USERS),
        body=lambda: {"old_password": "wrong-password-1", "new_password": "NewPassw0rd1"},
    ),
]
# Open by design: logging in, refreshing, revoking one's own refresh token, the public keys, health, docs.
PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/revoke"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/health"),
}


def test_every_endpoint_is_in_the_matrix() -> None:
    declared = {
        (method, route.path)
        for router in (accounts.router, audit.router, auth.router, org_pages.router, orgs.router, feed_router())
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    covered = {(e.method, e.route) for e in ENDPOINTS} | PUBLIC
    assert declared - covered == set(), "endpoints missing from the authorization matrix"


def _cases() -> list[tuple[Endpoint, str, str]]:
    return [
        (e, role, scope)
        for e in ENDPOINTS
        for role in ROLES
        for scope in (("inside", "outside") if e.target else ("inside",))
    ]


@pytest.mark.parametrize(
    ("endpoint", "role", "scope"),
    _cases(),
    ids=[f"{e.method} {e.route}{'?org_id' if e.org_in_query else ''} {role} {scope}" for e, role, scope in _cases()],
)
def test_authorization(matrix_api: MatrixApi, world: World, endpoint: Endpoint, role: str, scope: str) -> None:
    api = matrix_api
    path = endpoint.route
    org = world.inside_org if scope == "inside" else world.outside_org
    if endpoint.target == "org":
        path = f"{path}?org_id={org}" if endpoint.org_in_query else path.replace("{org_id}", org)
    if endpoint.target == "account":
        path = path.replace("{account_id}", world.inside_account if scope == "inside" else world.outside_account)
    if endpoint.target == "applicant":
        path = path.replace("{account_id}", world.inside_applicant if scope == "inside" else world.outside_applicant)
    token = api.internal_token_for("org-service", path) if role == "service" else world.tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = endpoint.body() if endpoint.body else None
    r = api.http.request(endpoint.method, api.url("org-service", path), json=body, headers=headers)

    allowed = role in (endpoint.allowed if scope == "inside" else endpoint.allowed & endpoint.outside_allowed)
    if allowed:
        assert r.status_code not in (401, 403, 404), r.text
    else:
        expected = {401} if role == "anonymous" else {403, 404}
        assert r.status_code in expected, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    if endpoint.route == "/api/v1/orgs" and endpoint.method == "GET" and role in USERS:
        assert world.outside_org not in {o["id"] for o in r.json()}, "search leaked an org outside the subtree"


def test_deactivation_is_for_the_parents_admin(stack: Stack) -> None:
    api = Api(stack)
    admin = api.admin_token()
    tree = OrgTree(api)
    dept = tree.department("平凉市矩阵局")
    dept_admin = dept.admin_token
    unit = tree.state_unit("平凉市矩阵所", "research_institute", under=dept)
    body = {"expected_version": unit.created["version"], "reason": "单位撤并"}
    # The city admin sees the unit (its subtree) but did not create it.
    refused = api.post("org-service", f"/api/v1/orgs/{unit.id}/deactivate", admin, body)
    assert refused.status_code == 403 and refused.json()["code"] == "not_parent_admin"
    # The department cannot be deactivated while its unit is active.
    blocked = api.post(
        "org-service",
        f"/api/v1/orgs/{dept.id}/deactivate",
        admin,
        {"expected_version": dept.created["version"], "reason": "撤并"},
    )
    assert blocked.status_code == 409 and blocked.json()["code"] == "org_has_active_children"
    done = api.post("org-service", f"/api/v1/orgs/{unit.id}/deactivate", dept_admin, body)
    assert done.status_code == 200 and done.json()["active"] is False
    # Its accounts can no longer log in.
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"username": unit.admin.username, "password": unit.admin.initial_password},
    )
    assert r.status_code == 401 and r.json()["code"] == "org_inactive"
