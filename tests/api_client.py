"""A small client of the public HTTP APIs, used by the integration tests and shaped like the demo."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
from zhicheng_devstack.harness import TEST_NAT5_PUBLICITY_SECONDS
from zhicheng_devstack.local_http import tls_context
from zhicheng_kernel.auth import FEED_PATH, INTERNAL_GRANTS
from zhicheng_kernel.identifiers import credit_code_with_check

from tests.harness import Stack

CITY_OFFICE_CODE = "6208000001"
OPERATOR_USERNAME = f"{CITY_OFFICE_CODE}-yw01"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_password() -> str:
    return f"Zc{secrets.token_hex(6)}9"


class Api:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = httpx.Client(timeout=30, verify=tls_context())
        self._tokens: dict[str, str] = {}

    def url(self, service: str, path: str) -> str:
        return f"{self.stack.url(service)}{path}"

    def login(self, username: str, password: str) -> str:
        """Log in; on a first login with an initial password, change it as the system demands."""
        r = self.http.post(
            self.url("org-service", "/api/v1/auth/token"),
            data={"grant_type": "password", "username": username, "password": password},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        if body["password_change_required"]:
            r = self.http.post(
                self.url("org-service", "/api/v1/auth/password"),
                json={"old_password": password, "new_password": new_password()},
                headers=bearer(body["access_token"]),
            )
            assert r.status_code == 200, r.text
            body = r.json()
        return str(body["access_token"])

    def admin_token(self) -> str:
        if "admin" not in self._tokens:
            self._tokens["admin"] = self.login(CITY_OFFICE_CODE, self.stack.secrets.bootstrap_admin_password)
        return self._tokens["admin"]

    def operator_token(self) -> str:
        if "operator" not in self._tokens:
            self._tokens["operator"] = self.login(OPERATOR_USERNAME, self.stack.secrets.bootstrap_operator_password)
        return self._tokens["operator"]

    def service_token(self, client: str = "workflows") -> str:
        r = self.http.post(
            self.url("org-service", "/api/v1/auth/token"),
            data={
                "grant_type": "client_credentials",
                "client_id": client,
                "client_secret": self.stack.secrets.client_secrets[client],
            },
        )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def feed_token(self, source: str) -> str:
        """A token of an internal client granted `source`'s event feed (INTERNAL_GRANTS, finding 8)."""
        client = next(c for c, grants in sorted(INTERNAL_GRANTS.items()) if f"feed:{source}" in grants)
        return self.service_token(client)

    def internal_token_for(self, service: str, path: str) -> str:
        """The token a real internal caller sends to `path` of `service`: a client granted its feed for the
        event feed, the workflows worker for everything else (its /internal routes)."""
        return self.feed_token(service) if path.split("?")[0] == FEED_PATH else self.service_token("workflows")

    def post(self, service: str, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(self.url(service, path), json=body, headers=bearer(token))

    def get(self, service: str, path: str, token: str, **params: Any) -> httpx.Response:
        return self.http.get(self.url(service, path), params=params, headers=bearer(token))

    def publish_schedule(self, year: int) -> None:
        """SCHED-4: the city office publishes `year`'s push schedule (from the notice's 2021 months) unless
        it is published already; a year without one accepts no application."""
        url = self.url("application-service", f"/api/v1/schedules/{year}")
        if self.http.get(url).status_code == 200:
            return
        months = self.http.get(self.url("application-service", "/api/v1/schedules/2021")).json()["series"]
        series = [{k: e[k] for k in ("series", "push_month", "grassroots")} for e in months]
        r = self.http.put(url, json={"series": series}, headers=bearer(self.operator_token()))
        assert r.status_code == 200, r.text

    def create_org(self, token: str, **body: Any) -> dict[str, Any]:
        if body.get("kind") == "state_unit":
            body.setdefault("unit_type", "other")  # tests that care about the unit type say it
        body.setdefault("credit_code", random_credit_code())  # ORG-3; tests that care about it say it
        r = self.post("org-service", "/api/v1/orgs", token, body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def create_business_admin(self, token: str, display_name: str, roles: list[str]) -> dict[str, Any]:
        r = self.post(
            "org-service", "/api/v1/accounts/business-admins", token, {"display_name": display_name, "roles": roles}
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return {**body, "password": body["initial_password"]}

    def register_applicant(
        self, token: str, display_name: str, id_card_number: str, on_staff: bool = True
    ) -> dict[str, Any]:
        r = self.post(
            "org-service",
            "/api/v1/accounts/applicants",
            token,
            {"display_name": display_name, "id_card_number": id_card_number, "on_staff": on_staff},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return {**body, "password": body["initial_password"]}

    def register_expert(self, token: str, display_name: str, series: list[str], title_level: str) -> dict[str, Any]:
        r = self.post(
            "org-service",
            "/api/v1/accounts/experts",
            token,
            {"display_name": display_name, "series": series, "title_level": title_level},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return {**body, "password": body["initial_password"]}

    def start_unit_publicity(self, token: str, application_id: str) -> dict[str, Any]:
        """NAT-5: the unit's reviewer (`token`, unit_review at the applicant's unit) records the start of
        its internal publicity of the application; answers the application as it is then."""
        path = f"/api/v1/applications/{application_id}/publicity"
        r = self.post("application-service", path, token, {})
        assert r.status_code == 200, r.text
        return dict(r.json())

    @staticmethod
    def wait_out_unit_publicity() -> None:
        """NAT-5: the test stack compresses the unit's publicity to TEST_NAT5_PUBLICITY_SECONDS."""
        time.sleep(TEST_NAT5_PUBLICITY_SECONDS + 0.2)

    def after_unit_publicity(self, token: str, application_id: str) -> dict[str, Any]:
        """NAT-5: publicity recorded and run out; the unit may now approve. Answers the application as
        read then (other services' events, e.g. a paper check, may have come in meanwhile)."""
        self.start_unit_publicity(token, application_id)
        self.wait_out_unit_publicity()
        r = self.get("application-service", f"/api/v1/applications/{application_id}", token)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def org_admin_token(self, created_org: dict[str, Any]) -> str:
        return self.login(created_org["admin"]["username"], created_org["admin"]["initial_password"])


class MatrixApi(Api):
    """The client of an authorization matrix's many cases (one per module): one connection for all of them,
    and each internal token minted once (a case checks the answer to the token, not the minting)."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        self._internal: dict[tuple[str, bool], str] = {}

    def internal_token_for(self, service: str, path: str) -> str:
        key = (service, path.split("?")[0] == FEED_PATH)
        if key not in self._internal:
            self._internal[key] = super().internal_token_for(service, path)
        return self._internal[key]


def unique_name(prefix: str) -> str:
    """A unique organization name (ORG-4 refuses duplicates), in Chinese digits so it looks like a real one."""
    digits = "零一二三四五六七八九"
    return prefix + "".join(digits[int(c)] for c in f"{secrets.randbelow(10**8):08d}")


def random_credit_code() -> str:
    """A valid unified social credit code (ORG-3) nobody else in the run has: 17 random characters of its
    alphabet (registration authority 1, type 1 — an organ of state — and the city's division) and the check."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "11620800" + "".join(secrets.choice(alphabet) for _ in range(9))
    return credit_code_with_check(body)


def random_id_card(prefix: str = "620802") -> str:
    """A valid ID number nobody else in the run has: birth date and sequence drawn from ~14 million."""
    from datetime import date, timedelta

    from zhicheng_kernel.identifiers import id_card_with_check

    n = secrets.randbelow(14_000 * 1000)
    birth = date(1960, 1, 1) + timedelta(days=n % 14_000)
    return id_card_with_check(f"{prefix}{birth:%Y%m%d}{n // 14_000:03d}")


BUSINESS_ROLES = [
    "applicant_management",
    "unit_review",
    "department_review",
    "title_office_review",
    "push",
    "committee_secretary",
    "auditor",
]
