"""The real path to a committee session over HTTP: experts registered at org-service, applications
submitted, approved up the chain and pushed at application-service, review-service learning both from
their events. Used by the review and workflow tests against the `stack`."""

from __future__ import annotations

import secrets
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
from review_service.domain.rules import latest_term_end
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, bearer, unique_name
from tests.filing.province import approve_all
from tests.org_tree import Account, Org, OrgTree

SERIES = "卫生系列"  # pushed by December (SCHED-1), so a push of this year is open all year
# SCHED-1: a push carries applications of the review year it is made in (Asia/Shanghai), no other.
YEAR = datetime.now(CHINA_TZ).year


@dataclass
class Expert:
    account_id: str
    token: str


@dataclass
class Scenario:
    api: Api
    clerk: Account
    experts: list[Expert] = field(default_factory=list)
    # The review year: SCHED-1 pushes only applications of the year the push is made in.
    year: int = YEAR
    # A series of its own in this year's schedule: a session takes every pushed candidate of its
    # committee's series, level and year, so scenarios running one after another must not pick up
    # each other's. `build` publishes it (push month December, like 卫生系列).
    series: str = field(default_factory=lambda: unique_name(f"{SERIES}评审场景"))
    # The unit the experts work at (NAT-4 compares it with each candidate's): not the candidates' hospital.
    expert_employer: Org | None = None
    # The hospital the applicants work at (each candidate's employer, NAT-4).
    unit: Org | None = None
    # Sessions opened so far: each meets on a day of its own (open_session).
    meetings: int = 0

    @classmethod
    def build(cls, api: Api) -> Scenario:
        """A hospital under the city office whose business admin registers applicants and approves, and
        a series of the scenario's own added to this year's schedule (SCHED-4: by the city office)."""
        unit = OrgTree(api).state_unit("平凉市人民医院")
        clerk = unit.clerk("王芳", ["applicant_management", "unit_review"])
        built = cls(api=api, clerk=clerk, unit=unit)
        built.add_series_to_schedule()
        return built

    def add_series_to_schedule(self) -> None:
        """This year's schedule as it stands (2021's unless the city office published one) plus the
        scenario's series; the city office republishes the year whole (SCHED-4)."""
        api, path = self.api, f"/api/v1/schedules/{self.year}"
        current = api.get("application-service", path, api.operator_token())
        assert current.status_code == 200, current.text
        entries = [
            {k: e[k] for k in ("series", "push_month", "grassroots")}
            for e in current.json()["series"]
            if e["series"] != self.series
        ]
        entries.append({"series": self.series, "push_month": 12, "grassroots": False})
        r = api.http.put(
            api.url("application-service", path), json={"series": entries}, headers=bearer(api.operator_token())
        )
        assert r.status_code == 200, r.text

    @property
    def unit_token(self) -> str:
        """The hospital's clerk, who registers applicants and approves at the unit."""
        return self.clerk.token

    # -- org-service -------------------------------------------------------------------------------

    def register_experts(self, count: int, level: str = "intermediate") -> list[Expert]:
        """`count` experts of the scenario's series, registered at org-service and appointed to the
        city office's pool (NAT-6) so a committee of them may form."""
        tree = OrgTree(self.api)
        experts = []
        for i in range(count):
            e = tree.expert(f"专家{i}", [self.series])
            experts.append(Expert(e.account_id, e.token))
        self.experts = experts
        self.appoint([e.account_id for e in experts])
        return experts

    def employer_of_experts(self) -> Org:
        if self.expert_employer is None:
            self.expert_employer = OrgTree(self.api).state_unit("平凉市专家工作单位")
        return self.expert_employer

    def appoint(
        self,
        account_ids: list[str],
        employer_org_id: str | None = None,
        *,
        starts_on: date | None = None,
        ends_on: date | None = None,
        token: str | None = None,
    ) -> list[dict[str, Any]]:
        """`appoint_to_pool` with the scenario's expert employer by default."""
        employer = employer_org_id or self.employer_of_experts().id
        return appoint_to_pool(self.api, account_ids, employer, starts_on=starts_on, ends_on=ends_on, token=token)

    # -- application-service -----------------------------------------------------------------------

    def pushed_candidates(self, count: int, level: str = "intermediate") -> list[str]:
        """`count` applications up the chain, pushed, and approved by the province (POL-FI-1)."""
        api = self.api
        ids = self.office_approved(count, level)
        pushed = self.push(ids, level)
        # POL-FI-1: a committee reviews only what the province approved.
        approve_all(api, pushed["push_id"], ids, api.operator_token())
        self.wait_review_caught_up("application-service")
        return ids

    def office_approved(self, count: int, level: str = "intermediate") -> list[str]:
        """`count` applications submitted and approved up the chain to the city office (NAT-5, NAT-7)."""
        api = self.api
        ids = []
        for _ in range(count):
            token = self.clerk.register_applicant(f"李{secrets.token_hex(2)}").token
            body = {"year": self.year, "series": self.series, "specialty": "临床医学", "level": level, "papers": []}
            submitted = _retry(
                lambda token=token, body=body: api.post("application-service", "/api/v1/applications", token, body)
            )
            ids.append(submitted["id"])
        for application_id in ids:  # NAT-5: the unit publishes them all, then approves once the period ran out
            api.start_unit_publicity(self.unit_token, application_id)
        api.wait_out_unit_publicity()
        for application_id in ids:
            self._approve(application_id, self.unit_token)
            self._approve(application_id, api.operator_token())
        return ids

    def push(self, application_ids: list[str], level: str = "intermediate") -> dict[str, Any]:
        """The city office pushes office-approved applications (SCHED-1); the batch's answer."""
        api = self.api
        push = {"year": self.year, "series": self.series, "level": level, "application_ids": application_ids}
        return _retry(lambda: api.post("application-service", "/api/v1/pushes", api.operator_token(), push))

    def wait_review_caught_up(self, source: str, timeout: float = 30.0) -> None:
        """Wait until review-service has applied every event `source` has written so far: a session
        takes the candidates review-service knows when it opens, so all of them must have arrived."""
        head = self.api.http.get(self.api.url(source, "/health")).json()["head"]
        deadline = clock.monotonic() + timeout
        while clock.monotonic() < deadline:
            consumers = self.api.http.get(self.api.url("review-service", "/health")).json()["consumers"]
            if consumers["review-service.peers"][source] >= head:
                return
            clock.sleep(0.2)
        raise AssertionError(f"review-service did not catch up with {source} (head {head})")

    def _approve(self, application_id: str, token: str) -> None:
        def attempt() -> httpx.Response:
            current = self.api.get("application-service", f"/api/v1/applications/{application_id}", token).json()
            body = {"decision": "approve", "opinion": "同意", "expected_version": current["version"]}
            return self.api.post("application-service", f"/api/v1/applications/{application_id}/decisions", token, body)

        _retry(attempt)

    # -- review-service ----------------------------------------------------------------------------

    def review(
        self,
        method: str,
        path: str,
        token: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        url = self.api.url("review-service", path)
        return self.api.http.request(
            method, url, json=body, headers={"Authorization": f"Bearer {token}", **(headers or {})}
        )

    def ballot(self, session_id: str, expert: Expert, votes: dict[str, str]) -> httpx.Response:
        return self.review("POST", f"/api/v1/sessions/{session_id}/ballots", expert.token, {"votes": votes})

    def review_events(self, stream_id: str) -> list[dict[str, Any]]:
        """The stream as review-service's feed publishes it (service tokens only)."""
        r = self.review("GET", "/api/v1/events?after=0&limit=1000", self.api.feed_token("review-service"))
        assert r.status_code == 200, r.text
        return [e for e in r.json()["events"] if e["stream_id"] == stream_id]

    def form_committee(self, expert_ids: list[str], level: str = "intermediate") -> dict[str, Any]:
        body = {
            "name": unique_name("平凉市卫生系列中级评审委员会"),
            "series": self.series,
            "level": level,
            "expert_ids": expert_ids,
        }
        # The experts reach review-service through org-service's events: wait for the projection.
        return _retry(lambda: self.review("POST", "/api/v1/committees", self.api.operator_token(), body), status=201)

    def open_session(
        self, committee_id: str, candidates: list[str], *, own_day: bool = True, **params: Any
    ) -> dict[str, Any]:
        """A session of the candidates; with `own_day` (unless the test gives a meeting window) it meets
        on a day of its own ahead, so the scenario's experts are not sitting elsewhere at the same time
        (NAT-4) when a module opens several sessions of one committee."""
        body = {"year": self.year, **params}
        if own_day and "meeting_starts_at" not in params:
            body.update(meeting_window(self.meetings))
            self.meetings += 1

        def attempt() -> httpx.Response | None:
            r = self.review("POST", f"/api/v1/committees/{committee_id}/sessions", self.api.operator_token(), body)
            # Pushed candidates reach review-service through application-service's events.
            if r.status_code == 422 and r.json()["code"] == "no_candidates":
                return None
            return r

        opened = _retry(attempt, status=201)
        assert set(candidates) <= set(opened["application_ids"]), opened
        return opened

    def session(self, session_id: str) -> dict[str, Any]:
        r = self.review("GET", f"/api/v1/sessions/{session_id}", self.api.operator_token())
        assert r.status_code == 200, r.text
        return dict(r.json())

    def vote_all(self, session_id: str, application_ids: list[str], experts: list[Expert], vote: str = "yes") -> None:
        for expert in experts:
            votes = dict.fromkeys(application_ids, vote)
            r = self.ballot(session_id, expert, votes)
            assert r.status_code == 201, r.text


def meeting_window(days_ahead: int) -> dict[str, str]:
    """A session's meeting from 09:00 to 17:00 (Asia/Shanghai) `days_ahead` + 1 days from today."""
    day = datetime.now(CHINA_TZ).date() + timedelta(days=days_ahead + 1)
    starts = datetime.combine(day, time(9), tzinfo=CHINA_TZ)
    return {"meeting_starts_at": starts.isoformat(), "meeting_ends_at": (starts + timedelta(hours=8)).isoformat()}


def appoint_to_pool(
    api: Api,
    account_ids: list[str],
    employer_org_id: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    token: str | None = None,
) -> list[dict[str, Any]]:
    """The experts into the pool (专家库, POST /api/v1/expert-pool) by the city office's operator (or
    `token`), working at `employer_org_id` (NAT-4 compares it with each candidate's employer), for
    NAT-6's longest term from today (Asia/Shanghai) unless given. Every test or script that forms a
    committee appoints its experts here first (NAT-6: only experts whose term runs may sit)."""
    starts = starts_on or datetime.now(CHINA_TZ).date()
    ends = ends_on or latest_term_end(starts)
    answers = []
    for account_id in account_ids:
        body = {
            "account_id": account_id,
            # The committee's members' own specialty: a panel of the candidates' 临床医学 draws only the
            # experts a test put in the pool for it (NAT-9).
            "specialty": "内科学",
            "employer_org_id": employer_org_id,
            "term_starts_on": starts.isoformat(),
            "term_ends_on": ends.isoformat(),
        }

        def attempt(body: dict[str, Any] = body) -> httpx.Response:
            url = api.url("review-service", "/api/v1/expert-pool")
            return api.http.post(url, json=body, headers=bearer(token or api.operator_token()))

        # The expert and the employer reach review-service through org-service's events.
        answers.append(_retry(attempt, status=201))
    return answers


def _retry(attempt: Any, status: int | None = None, timeout: float = 30.0) -> dict[str, Any]:
    """Repeat a call while the other services' events are still on their way (409/422 not-synced)."""
    deadline = clock.monotonic() + timeout
    last: Any = None
    while clock.monotonic() < deadline:
        last = attempt()
        if last is not None and (last.status_code == status if status else last.status_code < 300):
            return dict(last.json())
        if last is not None and last.status_code not in (409, 422, 403):
            break
        clock.sleep(0.3)
    raise AssertionError(f"gave up: {last.status_code if last is not None else None} {last.text if last else ''}")
