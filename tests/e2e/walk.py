"""The real path of `make demo` over HTTP, for the issue 9 end-to-end tests: an organization, its
applicants, their applications up the review chain, a push, the province's approval (POL-FI-1), a
committee session with secret ballots, and the documents review-service issues."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import httpx
from zhicheng_devstack.demo import PAPER_TEXT
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, unique_name
from tests.filing.province import approve_all
from tests.org_tree import Account, OrgTree
from tests.review.defenses import hold_defenses
from tests.review.scenario import appoint_to_pool

T = TypeVar("T")


def eventually(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    """The other services' events are on their way: ask again until the answer is there."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def accepted(call: Callable[[], httpx.Response], status: int = 200) -> Callable[[], dict[str, Any] | None]:
    """A probe for `eventually`: the call's body once it answers `status`; None while a 403/409/422 says
    the services have not caught up yet (or NAT-5's compressed publicity is still running)."""

    def probe() -> dict[str, Any] | None:
        r = call()
        if r.status_code == status:
            return dict(r.json()) if r.content else {}
        assert r.status_code in (403, 409, 422), r.text
        return None

    return probe


class Walk:
    """One organization under the city office and its clerk (who registers applicants and reviews at
    the unit); the chain of its applications is the unit, then the city title office."""

    def __init__(self, api: Api, unit_name: str, series: str, level: str) -> None:
        self.api = api
        self.series, self.level = series, level
        self.year = datetime.now(CHINA_TZ).year
        self.unit = OrgTree(api).state_unit(unit_name)
        self.clerk = self.unit.clerk("郭静", ["applicant_management", "unit_review"])

    def submit(self, name: str, body: dict[str, Any]) -> tuple[Account, str]:
        """A new applicant of the unit submits `body` (year, series and level added)."""
        applicant = self.clerk.register_applicant(name)
        body = {"year": self.year, "series": self.series, "level": self.level, **body}
        submitted = eventually(
            "the applicant known to application-service",
            accepted(lambda: self.api.post("application-service", "/api/v1/applications", applicant.token, body), 201),
        )
        return applicant, str(submitted["id"])

    def rural_teacher(self, name: str) -> tuple[Account, str]:
        """A teacher who declares 21 years in a hard, remote rural area (POL-GR-2 needs 20 for 中级)."""
        body = {
            "specialty": "农学",
            "track": "normal",
            "education": {"level": "bachelor", "major_matches_work": True},
            "current_title": {"level": "junior", "obtained_on": f"{self.year - 8}-07-01"},
            "work": {
                "months_in_current_specialty": 22 * 12,
                "rural_months": 21 * 12,
                "hard_remote_area": True,
                "months_at_next_lower_post": 8 * 12,
            },
            "papers": [
                {
                    "title": "乡村初中数学课堂中的分层作业设计研究",
                    "journal": "甘肃教育",
                    "cn_number": "CN62-1026/G4",
                    "journal_level": "provincial",
                    "published_on": f"{self.year - 1}-05-10",
                    "authors": [name],
                    "text": PAPER_TEXT,
                }
            ],
        }
        return self.submit(name, body)

    def application(self, application_id: str) -> dict[str, Any]:
        r = self.api.get("application-service", f"/api/v1/applications/{application_id}", self.api.operator_token())
        assert r.status_code == 200, r.text
        return dict(r.json())

    def checked(self, application_id: str) -> None:
        """plagiarism-service's verdict on the paper reached the application (POL-PA-4)."""

        def probe() -> bool:
            app = self.application(application_id)
            checks = app["checks"]
            return bool(checks) and len(checks) == len(app["papers"])

        eventually("the paper's check", probe)

    def decide(self, application_id: str, token: str) -> None:
        def call() -> httpx.Response:
            version = self.application(application_id)["version"]
            body = {"decision": "approve", "opinion": "同意", "expected_version": version}
            return self.api.post("application-service", f"/api/v1/applications/{application_id}/decisions", token, body)

        eventually("the approval", accepted(call))

    def through_the_unit(self, application_id: str, corrections: list[dict[str, Any]] | None = None) -> None:
        """NAT-5's publicity at the unit, the facts attested (corrected when told), the unit's approval."""
        self.publicised(application_id)
        self.unit_approves(application_id, corrections)

    def publicised(self, application_id: str) -> None:
        """NAT-5: the unit starts its publicity of the application."""
        publicity = self.api.post(
            "application-service", f"/api/v1/applications/{application_id}/publicity", self.clerk.token, {}
        )
        assert publicity.status_code == 200, publicity.text

    def unit_approves(self, application_id: str, corrections: list[dict[str, Any]] | None = None) -> None:
        """The facts attested (corrected when told) and the unit's approval, retried until the unit's
        publicity (started by `publicised`) is over."""
        if corrections:
            attested = self.api.post(
                "application-service",
                f"/api/v1/applications/{application_id}/attestation",
                self.clerk.token,
                {"corrections": corrections},
            )
            assert attested.status_code in (200, 201), attested.text
        self.decide(application_id, self.clerk.token)

    def review(self, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.api.http.request(
            method, self.api.url("review-service", path), json=body, headers={"Authorization": f"Bearer {token}"}
        )

    def approved_by_the_province(self, application_ids: list[str]) -> None:
        """POL-FI-1: each push's filing delivered to the provincial simulator, whose reviewer approves
        every application; the verdicts recorded at application-service."""
        operator = self.api.operator_token()
        by_push: dict[str, list[str]] = {}
        for application_id in application_ids:
            by_push.setdefault(self.application(application_id)["push_id"], []).append(application_id)
        for push_id, ids in by_push.items():
            approve_all(self.api, push_id, ids, operator)

    def committee_passes(self, application_ids: list[str]) -> None:
        """The province approves the pushed candidates (POL-FI-1); three experts form the committee; the
        session takes them; all vote yes."""
        self.approved_by_the_province(application_ids)
        operator = self.api.operator_token()
        tree = OrgTree(self.api)
        experts = [tree.expert(f"专家{i}", [self.series]) for i in range(3)]
        # NAT-6: the experts enter the pool first, working at a unit that is not the applicants' (NAT-4).
        employer = tree.state_unit("平凉市专家工作单位").id
        appoint_to_pool(self.api, [e.account_id for e in experts], employer)
        committee = eventually(
            "the experts known to review-service",
            accepted(
                lambda: self.review(
                    "POST",
                    "/api/v1/committees",
                    operator,
                    {
                        "name": unique_name(f"平凉市{self.series}评审委员会"),
                        "series": self.series,
                        "level": self.level,
                        "expert_ids": [e.account_id for e in experts],
                    },
                ),
                201,
            ),
        )

        def opened() -> dict[str, Any] | None:
            r = self.review(
                "POST",
                f"/api/v1/committees/{committee['committee_id']}/sessions",
                operator,
                {"year": self.year, "publicity_seconds": 2},
            )
            if r.status_code == 422 and r.json()["code"] == "no_candidates":
                return None
            assert r.status_code == 201, r.text
            if set(application_ids) <= set(r.json()["application_ids"]):
                return dict(r.json())
            raise AssertionError(f"the session took {r.json()['application_ids']}, not both of {application_ids}")

        session_id = eventually("the pushed candidates known to review-service", opened)["session_id"]
        hold_defenses(self.api, session_id)
        present = {"present_expert_ids": [e.account_id for e in experts]}
        r = self.review("POST", f"/api/v1/sessions/{session_id}/attendance", operator, present)
        assert r.status_code == 201, r.text
        for expert in experts:
            r = self.review(
                "POST",
                f"/api/v1/sessions/{session_id}/ballots",
                expert.token,
                {"votes": dict.fromkeys(application_ids, "yes")},
            )
            assert r.status_code == 201, r.text
        r = self.review("POST", f"/api/v1/sessions/{session_id}/close-voting", operator)
        assert r.status_code == 200, r.text

    def document(self, application_id: str) -> dict[str, Any]:
        """The document review-service issued once the publicity was over."""

        def issued() -> dict[str, Any] | None:
            r = self.review("GET", f"/api/v1/documents?application_id={application_id}", self.api.operator_token())
            assert r.status_code == 200, r.text
            return dict(r.json()["items"][0]) if r.json()["items"] else None

        return eventually("the qualification document", issued, timeout=45)
