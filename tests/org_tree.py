"""The one way a stack test sets up its organizations and the people in them.

`OrgTree(api)` creates organizations through org-service's public API, each named uniquely for the run
(`unique_name`, ORG-4 refuses duplicates) with a valid credit code of its own (`random_credit_code`:
ORG-3 requires one), and answers typed handles: an `Org` with its code and its system administrator's
token, and `Account`s (clerks with given roles, applicants, experts) with their tokens. An organization
is created by the administrator of the organization it is placed `under` (the seeded city office when
none is given) and takes that parent's level and division unless told.
Logging in changes an initial password, so every token is obtained on first use, not at creation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from zhicheng_kernel.identifiers import credit_code_with_check

from tests.api_client import BUSINESS_ROLES, CITY_OFFICE_CODE, Api, random_id_card, unique_name

CITY_DIVISION = "620800"
# GB 32100-2015: the registration authority and the kind of body (机构编制 机关 11 / 事业单位 12,
# 民政 民办非企业单位 52, 工商 企业 91), the division, a 9-character organization code, a check character.
_REGISTERED_AS = {
    "title_office": "11",
    "government_department": "11",
    "hr_department": "11",
    "private_enterprise": "91",
    "private_school": "52",
    "private_hospital": "52",
    "private_technical_school": "52",
}
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def random_credit_code(division_code: str = CITY_DIVISION, kind: str = "state_unit", unit_type: str = "") -> str:
    """A valid unified social credit code nobody else in the run has (ORG-3 requires one, ORG-4 refuses
    a second organization with the same)."""
    registered_as = "91" if unit_type == "enterprise" else _REGISTERED_AS.get(kind, "12")
    organization_code = "".join(secrets.choice(_CODE_CHARS) for _ in range(9))
    return credit_code_with_check(f"{registered_as}{division_code}{organization_code}")


@dataclass
class Account:
    """An account created at org-service with its initial password; `token` logs in on first use."""

    api: Api
    account_id: str
    username: str
    initial_password: str

    @classmethod
    def created(cls, api: Api, body: dict[str, Any]) -> Account:
        return cls(api, body["account_id"], body["username"], body["initial_password"])

    @cached_property
    def token(self) -> str:
        return self.api.login(self.username, self.initial_password)

    def register_applicant(
        self, display_name: str, id_card_number: str | None = None, *, on_staff: bool = True
    ) -> Account:
        """An applicant of this clerk's organization (the clerk needs applicant_management)."""
        body = self.api.register_applicant(self.token, display_name, id_card_number or random_id_card(), on_staff)
        return Account.created(self.api, body)

    def register_expert(self, display_name: str, series: list[str], title_level: str = "senior") -> Account:
        """An expert registered by this account (the operator, or a clerk with committee_secretary)."""
        body = self.api.register_expert(self.token, display_name, series, title_level)
        return Account.created(self.api, body)


@dataclass
class Org:
    """An organization as org-service answered its creation, with its system administrator."""

    api: Api
    created: dict[str, Any]
    level: str
    division_code: str
    _admin_token: str | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return str(self.created["id"])

    @property
    def code(self) -> str:
        return str(self.created["code"])

    @property
    def admin(self) -> Account:
        """The system administrator ORG-5 created with the organization (named by its code)."""
        return Account.created(self.api, self.created["admin"])

    @property
    def admin_token(self) -> str:
        if self._admin_token is None:
            self._admin_token = self.api.org_admin_token(self.created)
        return self._admin_token

    def clerk(self, display_name: str, roles: list[str]) -> Account:
        """A business administrator of this organization with the given roles."""
        body = self.api.create_business_admin(self.admin_token, display_name, roles)
        return Account.created(self.api, body)


def root_admin(api: Api, code: str) -> Org:
    """A seeded root organization (a provincial body, outside every city principal's subtree), its
    administrator handed a new one-time password by the operator's command, as on a server."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "org_service.admin", "reset-password", code],
        env=api.stack.env("org-service"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    token = api.login(code, done.stdout.split("：", 1)[1].split("（", 1)[0])
    me = api.get("org-service", "/api/v1/accounts/me", token)
    assert me.status_code == 200, me.text
    return Org(api, {"id": me.json()["org_id"], "code": code}, "province", "620000", token)


class OrgTree:
    """Builds organizations under the seeded city office (or under one another) for a stack test."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def city_office(self) -> Org:
        """The seeded city title office; its administrator is the city's system administrator."""
        admin = self.api.admin_token()
        me = self.api.get("org-service", "/api/v1/accounts/me", admin)
        assert me.status_code == 200, me.text
        created = {"id": me.json()["org_id"], "code": CITY_OFFICE_CODE}
        return Org(self.api, created, "city", CITY_DIVISION, admin)

    def county_office(self, county: str, division_code: str) -> Org:
        """The title office of a county (or county-level city or district), created by the city office."""
        return self._create(
            None,
            name=f"{county}职称改革工作领导小组办公室",
            kind="title_office",
            level="county",
            division_code=division_code,
        )

    def department(self, name: str, function: str = "other", *, under: Org | None = None, **body: Any) -> Org:
        """A government department (`function`: its line of work, e.g. health)."""
        return self._create(under, name=name, kind="government_department", function=function, **body)

    def state_unit(self, name: str, unit_type: str = "other", *, under: Org | None = None, **body: Any) -> Org:
        return self._create(under, name=name, kind="state_unit", unit_type=unit_type, **body)

    def school(self, name: str, *, under: Org | None = None, **body: Any) -> Org:
        return self.state_unit(name, "school", under=under, **body)

    def hospital(self, name: str, *, under: Org | None = None, **body: Any) -> Org:
        return self.state_unit(name, "hospital", under=under, **body)

    def private_enterprise(self, name: str, *, under: Org, **body: Any) -> Org:
        """A private enterprise, created by the title office of the county where it lies (ORG-2)."""
        return self._create(under, name=name, kind="private_enterprise", **body)

    def expert(self, display_name: str, series: list[str], title_level: str = "senior") -> Account:
        """An expert registered by the city office's operator."""
        body = self.api.register_expert(self.api.operator_token(), display_name, series, title_level)
        return Account.created(self.api, body)

    def _create(self, under: Org | None, *, name: str, **body: Any) -> Org:
        parent_token = under.admin_token if under else self.api.admin_token()
        body.setdefault("level", under.level if under else "city")
        body.setdefault("division_code", under.division_code if under else CITY_DIVISION)
        code = random_credit_code(body["division_code"], body["kind"], body.get("unit_type", ""))
        body.setdefault("credit_code", code)
        created = self.api.create_org(parent_token, name=unique_name(name), **body)
        return Org(self.api, created, body["level"], body["division_code"])


def callers_at_three_places(
    api: Api, tag: str, county: tuple[str, str], *, applicants: int, series: str
) -> tuple[dict[str, str | None], list[str]]:
    """The callers of an authorization matrix: every business role at a hospital under the city office
    ("role@unit"), at the city office above it ("role@office") and at a county office beside it
    ("role@county"); the city's system administrator, a service, no token ("anonymous"), an expert, and
    applicants of the hospital ("applicant" is the first). Returns the tokens and the applicants' tokens."""
    tree = OrgTree(api)
    unit = tree.hospital(f"平凉市{tag}医院")
    office = tree.city_office()
    places = {"unit": unit, "office": office, "county": tree.county_office(*county)}
    tokens: dict[str, str | None] = {
        "system_admin": office.admin_token,
        "service": api.service_token(),
        "anonymous": None,
    }
    clerks: dict[str, Account] = {}
    for place, org in places.items():
        for number, role in enumerate(BUSINESS_ROLES):
            clerks[f"{role}@{place}"] = clerk = org.clerk(f"{tag}{number}号", [role])
            tokens[f"{role}@{place}"] = clerk.token
    people = [
        clerks["applicant_management@unit"].register_applicant(f"{tag}{name}").token for name in "甲乙丙丁"[:applicants]
    ]
    tokens["applicant"] = people[0]
    tokens["expert"] = tree.expert(f"{tag}专家", [series]).token
    return tokens, people
